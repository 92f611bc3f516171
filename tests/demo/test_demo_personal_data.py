"""The demo's « Mes données »: real content, and a consent to withdraw on first login."""

import json

import pytest
from sqlalchemy import select

from parcours.accounts.models import DEMO_EMAIL_DOMAIN
from parcours.core.extensions import db
from parcours.demo import data_past
from parcours.demo.personal_data import STORY_TITLE
from parcours.suivi.models import JournalEntry
from tests.conftest import login, page_text
from tests.demo import CURRENT_ID

PASSWORD = "demo-password-for-tests"


@pytest.fixture
def demo(app):
    result = app.test_cli_runner().invoke(args=["demo", "--password", PASSWORD])
    assert result.exit_code == 0, result.output
    with app.app_context():
        return db.session.scalar(CURRENT_ID)


def _client(app, local):
    client = app.test_client()
    login(client, f"{local}@{DEMO_EMAIL_DOMAIN}", PASSWORD)
    return client


def test_camille_finds_her_data_and_withdraws_her_belle_histoire(app, demo):
    camille = _client(app, "camille.martin")
    assert "/mes-donnees" in camille.get("/account").get_data(as_text=True)
    page = page_text(camille.get("/mes-donnees"))
    assert STORY_TITLE in page and "Retirer mon consentement" in page

    exported = json.loads(camille.post("/mes-donnees/export.json").data)
    assert exported["account"]["email"] == f"camille.martin@{DEMO_EMAIL_DOMAIN}"
    for section in ("memberships", "attendance", "assessments", "journal_entries"):
        assert exported[section], section
    assert STORY_TITLE in {entry["title"] for entry in exported["journal_entries"]}

    reader = _client(app, "anne.lemonnier")  # another territory's catalyseur
    assert STORY_TITLE in page_text(reader.get(f"/cohorts/{demo}/belles-histoires"))
    with app.app_context():
        story_id = db.session.scalar(
            select(JournalEntry.id).where(JournalEntry.title == STORY_TITLE)
        )
    assert camille.post(f"/mes-donnees/belles-histoires/{story_id}/retirer").status_code == 302
    assert STORY_TITLE not in page_text(reader.get(f"/cohorts/{demo}/belles-histoires"))


def test_the_past_promotions_catalyseur_can_withdraw_a_testimony(app, demo):
    _full_name, local = data_past.TERRITORIES[0][-1][0]
    page = page_text(_client(app, local).get("/mes-donnees"))
    text, consent = data_past.TESTIMONIES[0]
    assert consent == "named"
    assert text[:60] in page and "Publiable sous mon nom" in page
    assert "Retirer mon consentement" in page


def test_the_administrator_finds_an_erased_catalyseur_and_the_packs_note(app, demo):
    from parcours.accounts.models import User
    from parcours.audit.models import AuditAction, AuditEntry
    from parcours.cohorts.models import Cohort
    from parcours.demo import data
    from parcours.demo.personal_data import ERASED_EMAIL

    with app.app_context():
        assert db.session.scalar(select(User).where(User.email == ERASED_EMAIL)) is None
        person = db.session.scalar(select(User).where(User.erased_at.is_not(None)))
        entry = db.session.scalar(
            select(AuditEntry).where(AuditEntry.action == AuditAction.PERSON_ERASED)
        )
        past = db.session.scalar(select(Cohort).order_by(Cohort.start_date).limit(1))
        person_id, past_id = person.id, past.id
    assert entry.subject_id == person_id and entry.details["reason"] == "request_email"
    admin = _client(app, data.ADMIN[1])
    page = page_text(admin.get(f"/admin/users/{person_id}"))
    assert "Personne effacée" in page and "personne effacée" in page
    assert "Cette personne a été effacée le" in page
    # The promotion she was part of still counts her: her territory keeps its binôme.
    coordinator = _client(app, "coordination")
    packs = page_text(coordinator.get(f"/cohorts/{past_id}/comite/dossiers"))
    assert "1 personne effacée depuis" in packs
    members = coordinator.get(f"/cohorts/{past_id}")
    assert members.status_code == 200
    text = page_text(members)
    assert "Didier Collot" in text and "Personne effacée" in text and "Jacquot" not in text
