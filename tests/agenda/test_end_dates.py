"""One rule for the end dates shown: the last day a span covers, on every page."""

import re

from sqlalchemy import select

from parcours.agenda.models import Event
from parcours.core.extensions import db
from tests.conftest import page_text


def test_the_final_self_assessment_ends_on_the_same_day_on_every_page(app, login_as, world):
    # Cohort A starts on 2 March 2026: « Auto-évaluation finale » opens on day 255 for 21
    # days, that is from 12 November until midnight starting 3 December.
    with app.app_context():
        end = db.session.scalar(
            select(Event.id).where(Event.cohort_id == world["cohort_a"], Event.code == "END")
        )
    client = login_as("coordinator")
    expected = "du 12 nov. 2026 au 2 déc. 2026"
    pages = {
        "overview": f"/cohorts/{world['cohort_a']}",
        "territory": f"/territories/{world['territory_a1']}",
        "event": f"/events/{end}",
        "list": f"/cohorts/{world['cohort_a']}/calendar?view=list",
    }
    for name, url in pages.items():
        text = page_text(client.get(url))
        assert expected in text, name
        assert "au 3 déc. 2026" not in text, name
    month = client.get(f"/cohorts/{world['cohort_a']}/calendar?month=2026-12")
    html = month.get_data(as_text=True)
    cells = re.findall(
        r'<td class="([^"]*)">\s*<span class="day-number">(\d+)</span>(.*?)</td>', html, re.S
    )
    days_shown = [
        int(day)
        for classes, day, cell in cells
        if "other-month" not in classes and "Auto-évaluation finale" in cell
    ]
    assert days_shown == [1, 2]
