"""The demo's audit log: the administrator, the coordinator and everyone find entries."""

from collections import Counter

import pytest
from sqlalchemy import select

from parcours.accounts.models import User
from parcours.audit.models import AuditEntry
from parcours.cohorts.models import Cohort
from parcours.core.extensions import db
from parcours.core.time import now_utc
from parcours.demo.audit_log import LOCKED, MISTYPED
from parcours.evaluation.models import CommitteePack, PackDownload
from tests.conftest import login, page_text
from tests.demo import CURRENT

PASSWORD = "demo-password-for-tests"


@pytest.fixture
def demo(app):
    result = app.test_cli_runner().invoke(args=["demo", "--password", PASSWORD])
    assert result.exit_code == 0, result.output
    # No context is held: each page below is its own request, with its own current user.
    with app.app_context():
        return db.session.scalar(CURRENT).id


def _user(app, local) -> User:
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email.like(f"{local}@%")))
        db.session.expunge(user)
        return user


def _client(app, local):
    client = app.test_client()
    login(client, _user(app, local).email, PASSWORD)
    return client


def test_the_demo_log_repeats_what_the_demo_built(app, demo):
    with app.app_context():
        _check_the_log(app, db.session.get(Cohort, demo))


def _check_the_log(app, demo):
    entries = db.session.scalars(select(AuditEntry)).all()
    assert all(entry.at <= now_utc() for entry in entries)
    actions = Counter(entry.action for entry in entries)
    assert actions["login.succeeded"] > 50 and actions["logout"] > 5
    # Loading the demo's curricula records their imports too; one import is the cohort's.
    assert actions["login.locked"] == 1 and actions["data.imported"] >= 1
    packs = db.session.scalars(select(CommitteePack)).all()
    generated = [e for e in entries if e.action == "pack.generated"]
    assert sorted((e.object_id, e.at) for e in generated) == sorted(
        (p.id, p.generated_at) for p in packs
    )
    downloads = db.session.scalars(select(PackDownload)).all()
    read = [e for e in entries if e.action == "report.downloaded"]
    assert sorted((e.actor_id, e.at, e.details["variant"]) for e in read) == sorted(
        (d.user_id, d.downloaded_at, d.variant) for d in downloads
    )
    (imported,) = [e for e in entries if e.action == "data.imported" and e.cohort_id == demo.id]
    assert imported.cohort_id == demo.id and imported.details["rows"] == len(demo.territories)
    locked = _user(app, LOCKED)
    assert any(e.action == "login.locked" and e.actor_id == locked.id for e in entries)
    mistyped = _user(app, MISTYPED)
    assert sum(e.action == "login.failed" and e.actor_id == mistyped.id for e in entries) == 2
    assert any(e.action == "login.failed" and e.actor_id is None for e in entries)


def test_the_admin_and_the_coordinator_find_the_journal_full(app, demo):
    admin = _client(app, "admin")
    text = page_text(admin.get("/admin/journal"))
    assert "Connexion réussie" in text.split("Adresse Détails", 1)[1]
    locked = page_text(admin.get("/admin/journal", query_string={"action": "login.locked"}))
    assert f"Compte verrouillé après trop d'échecs {_user(app, LOCKED).full_name}" in locked
    coordinator = _client(app, "coordination")
    text = page_text(coordinator.get(f"/cohorts/{demo}/journal"))
    table = text.split("Adresse Détails", 1)[1]
    for label in ("Dossier du comité généré", "Rapport téléchargé", "Import de données"):
        assert label in table
    assert "Export de données Claire Dumas" in table
    assert "Connexion réussie" not in table  # logins belong to no cohort


def test_every_demo_person_finds_their_own_logins(app, demo):
    for local in ("coordination", MISTYPED, LOCKED, "bernard.lemoine"):
        person = _user(app, local)
        with app.app_context():
            address = db.session.scalar(
                select(AuditEntry.address)
                .where(AuditEntry.actor_id == person.id, AuditEntry.action == "login.succeeded")
                .order_by(AuditEntry.at.desc())
                .limit(1)
            )
        mine = page_text(_client(app, local).get("/account/connexions")).split("Adresse", 1)[1]
        assert f"Connexion réussie {address}" in mine, local
        if local == LOCKED:
            assert "Compte verrouillé après trop d'échecs 203.0.113.200" in mine
