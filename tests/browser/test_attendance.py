"""The attendance sheet in a real Chromium: « tous présents » in the page, and a phone layout."""

from datetime import UTC, datetime

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from parcours.agenda.models import Event
from parcours.attendance.models import Attendance
from parcours.core.extensions import db
from parcours.core.time import freeze

pytestmark = pytest.mark.browser

S1_MORNING = datetime(2026, 4, 1, 8, 0, tzinfo=UTC)  # 10:00 in Paris, during S1


def _s1(app, world) -> int:
    with app.app_context():
        return db.session.scalar(
            select(Event.id).where(Event.cohort_id == world["cohort_a"], Event.code == "S1")
        )


def test_all_present_fills_the_half_day_in_the_page_then_the_exceptions(
    app, page, page_problems, log_in, world
):
    url = f"/events/{_s1(app, world)}/attendance"
    with freeze(S1_MORNING):
        log_in("coord@example.org")
        page.goto(url)
        page.get_by_role("button", name="Tous présents — Matin").click()
        # Filled in the page, without a round trip: nothing saved, no notice from the server.
        expect(page.locator("[data-all-present-status]")).to_contain_text(
            "Les personnes non renseignées sont marquées présentes (matin)"
        )
        assert page.url.endswith(url)
        assert page.locator(".flash").count() == 0
        present = page.locator("input[type=radio][value=present][name$='_am']:checked")
        expect(present).to_have_count(3)
        expect(page.locator("input[type=radio][value=''][name$='_pm']:checked")).to_have_count(3)
        # The exception, then save.
        page.locator(f"input[name='status_{world['a2']}_20260401_am'][value=absent]").check()
        page.get_by_role("button", name="Enregistrer l'émargement").first.click()
        expect(page.locator(".flash-success")).to_contain_text("3 modifications")
    with app.app_context():
        rows = db.session.execute(select(Attendance.user_id, Attendance.half, Attendance.status))
        assert set(rows) == {
            (world["a1"], "am", "present"),
            (world["a1bis"], "am", "present"),
            (world["a2"], "am", "absent"),
        }
    assert page_problems.csp_violations() == []
    assert page_problems.errors() == []


def test_the_sheet_fits_a_phone(
    app, browser_context, page, page_problems, log_in, world, screenshot
):
    page.set_viewport_size({"width": 390, "height": 844})
    with freeze(S1_MORNING):
        log_in("coord@example.org")
        page.goto(f"/events/{_s1(app, world)}/attendance")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"the sheet is {width} px wide at 390 px"
        card = page.locator(".attendance-person").first.bounding_box()
        screenshot(page, "attendance-phone")
    # One card per person, both half-days in it: short enough to go through 18 people.
    assert card["height"] <= 420, card
    assert page_problems.csp_violations() == []
