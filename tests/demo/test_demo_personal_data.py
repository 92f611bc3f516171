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
