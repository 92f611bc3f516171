"""« Ajouter une ligne » on the event form: the script adds a row in the page, under the CSP."""

from datetime import UTC, datetime

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from parcours.agenda.models import Event
from parcours.core.extensions import db
from parcours.core.time import freeze

pytestmark = pytest.mark.browser

BEFORE_THE_COHORT = datetime(2026, 2, 16, 9, 0, tzinfo=UTC)


def test_adding_a_programme_line_needs_no_round_trip(app, page, page_problems, log_in, world):
    with app.app_context():
        s2 = db.session.scalar(
            select(Event.id).where(Event.cohort_id == world["cohort_a"], Event.code == "S2")
        )
    with freeze(BEFORE_THE_COHORT):
        log_in("coord@example.org")
        page.goto(f"/events/{s2}/edit")
        rows = page.locator("#programme-rows tr")
        count = rows.count()
        page.fill("#title", "Session 2 — titre tapé, pas encore enregistré")
        page.evaluate("window.stillTheSamePage = true")

        page.get_by_role("button", name="Ajouter une ligne").click()

        expect(rows).to_have_count(count + 1)
        assert page.evaluate("window.stillTheSamePage") is True  # no reload
        expect(page.locator("#title")).to_have_value(
            "Session 2 — titre tapé, pas encore enregistré"
        )
        new_title = page.locator(f"input[name='items-{count}-title']")
        expect(new_title).to_have_value("")
        expect(page.locator(f"input[name='items-{count}-day']")).to_be_focused()
        page.locator(f"input[name='items-{count}-start_time']").fill("10:00")
        page.locator(f"input[name='items-{count}-end_time']").fill("10:45")
        new_title.fill("Ligne ajoutée sans enregistrer")
        page.get_by_role("button", name="Enregistrer").click()

        expect(page.locator(".flash-success")).to_contain_text("L'événement est modifié")
        expect(page.locator("main")).to_contain_text("Ligne ajoutée sans enregistrer")
    assert page_problems.csp_violations() == []
    assert page_problems.errors() == []
