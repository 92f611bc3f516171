"""Agenda in a real Chromium: a coordinator schedules a session, a catalyseur finds it."""

import re
from datetime import UTC, datetime

import pytest
from playwright.sync_api import expect

from parcours.core.time import freeze

pytestmark = pytest.mark.browser

# The live server runs in this process, so the frozen clock applies to it too.
MAY_2026 = datetime(2026, 5, 4, 8, 0, tzinfo=UTC)


def test_coordinator_schedules_a_session_and_a_catalyseur_finds_it(
    page, page_problems, log_in, screenshot, world
):
    with freeze(MAY_2026):
        log_in("coord@example.org")
        page.goto(f"/cohorts/{world['cohort_a']}/calendar")
        page.get_by_role("button", name="Programmer un événement").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Programmer un événement")

        page.select_option("#kind", "session")
        page.fill("#title", "Session extra — Tiers-lieux en pratique")
        page.fill("#start_date", "2026-06-24")
        page.fill("#start_time", "09:30")
        page.fill("#end_date", "2026-06-24")
        page.fill("#end_time", "17:00")
        page.fill("#venue_name", "Tiers-lieu La Grange")
        page.fill("#venue_address", "2 place du Marché, Paimpont")
        page.locator("input[name='items-0-start_time']").fill("09:30")
        page.locator("input[name='items-0-end_time']").fill("10:30")
        page.locator("input[name='items-0-title']").fill("Visite du tiers-lieu")
        page.get_by_role("button", name="Enregistrer").click()

        expect(page.locator(".flash-success")).to_contain_text("L'événement est programmé")
        expect(page.get_by_role("heading", level=1)).to_have_text(
            "Session extra — Tiers-lieux en pratique"
        )
        expect(page.locator("main")).to_contain_text("Tiers-lieu La Grange")
        expect(page.locator("main")).to_contain_text("Visite du tiers-lieu")
        screenshot(page, "event")

        page.get_by_role("button", name="Se déconnecter").click()
        expect(page).to_have_url(re.compile(r"/login"))

        log_in("a1@example.org")
        page.get_by_role("link", name="Mon agenda").first.click()
        upcoming = page.locator("section[aria-labelledby=upcoming]")
        expect(upcoming).to_contain_text("Session extra — Tiers-lieux en pratique")
        expect(upcoming).to_contain_text("mercredi 24 juin 2026, 09:30–17:00")
        expect(page.locator("#feed-url")).to_have_value(re.compile(r"/calendar/.+\.ics$"))
        screenshot(page, "my-agenda")
        upcoming.get_by_role("link", name="Session extra — Tiers-lieux en pratique").click()
        expect(page.get_by_role("button", name="Ajouter à mon agenda (.ics)")).to_be_visible()

    assert page_problems.csp_violations() == []
    assert page_problems.errors() == []
