"""The demo's committee packs: a committee member finds documents on first login."""

import hashlib

import pytest
from sqlalchemy import select

from parcours.accounts.models import User
from parcours.core.extensions import db
from parcours.core.time import now_utc
from parcours.evaluation.models import CommitteePack, PackDownload, PackEditorial
from tests.conftest import login, page_text
from tests.demo import CURRENT

PASSWORD = "demo-password-for-tests"


@pytest.fixture
def demo(app):
    result = app.test_cli_runner().invoke(args=["demo", "--password", PASSWORD])
    assert result.exit_code == 0, result.output
    with app.test_request_context():
        cohort = db.session.scalar(CURRENT)
        yield cohort


def _email(local):
    return db.session.scalar(select(User.email).where(User.email.like(f"{local}@%")))


def test_the_demo_has_a_launch_pack_and_two_mid_way_versions(demo):
    packs = db.session.scalars(
        select(CommitteePack)
        .where(CommitteePack.cohort_id == demo.id)
        .order_by(CommitteePack.kind, CommitteePack.number)
    ).all()
    assert [(p.kind, p.number) for p in packs] == [("launch", 1), ("midway", 1), ("midway", 2)]
    launch, first, second = packs
    assert launch.generated_at < first.generated_at < second.generated_at < now_utc()
    assert all(p.sha256 == hashlib.sha256(p.pdf).hexdigest() for p in packs)
    assert second.snapshot["editorial"]["recommendations"]
    assert not first.snapshot["editorial"]["recommendations"]
    editorials = db.session.scalars(
        select(PackEditorial.kind)
        .where(PackEditorial.cohort_id == demo.id)
        .order_by(PackEditorial.kind)
    )
    assert editorials.all() == ["launch", "midway"]


def test_bernard_lemoine_downloaded_the_second_mid_way_version_and_finds_his_space(app, demo):
    reader = db.session.scalar(select(User).where(User.email.like("bernard.lemoine@%")))
    downloads = db.session.scalars(select(PackDownload)).all()
    assert {(d.user_id, d.variant) for d in downloads} == {
        (reader.id, "full"),
        (reader.id, "pseudonymised"),
    }
    assert {d.pack.number for d in downloads} == {2}
    client = app.test_client()
    login(client, reader.email, PASSWORD)
    home = client.get("/").get_data(as_text=True)
    assert f"/cohorts/{demo.id}/comite" in home
    text = page_text(client.get(f"/cohorts/{demo.id}/comite"))
    assert "Dossier de lancement" in text and "Dossier de mi-parcours" in text
    assert "Aucun dossier" not in text
