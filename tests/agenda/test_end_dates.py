"""One rule for the end dates shown: the last day a span covers, on every page."""

import re
from datetime import timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from parcours.agenda.models import Event
from parcours.core.extensions import db
from parcours.core.i18n import format_date
from tests.conftest import page_text


def test_the_final_self_assessment_ends_on_the_same_day_on_every_page(app, login_as, world):
    # « Auto-évaluation finale » is stored as from its first day's midnight to the midnight
    # after its last day: every page names that last day, never the day after.
    with app.test_request_context():
        event = db.session.scalar(
            select(Event).where(Event.cohort_id == world["cohort_a"], Event.code == "END")
        )
        end, zone = event.id, ZoneInfo(event.cohort.timezone)
        first = event.starts_at.astimezone(zone).date()
        after = event.ends_at.astimezone(zone).date()
        last = after - timedelta(days=1)
        expected = f"du {format_date(first, 'medium')} au {format_date(last, 'medium')}"
        day_after = f"au {format_date(after, 'medium')}"
    client = login_as("coordinator")
    pages = {
        "overview": f"/cohorts/{world['cohort_a']}",
        "territory": f"/territories/{world['territory_a1']}",
        "event": f"/events/{end}",
        "list": f"/cohorts/{world['cohort_a']}/calendar?view=list",
    }
    for name, url in pages.items():
        text = page_text(client.get(url))
        assert expected in text, name
        assert day_after not in text, name
    month = client.get(f"/cohorts/{world['cohort_a']}/calendar?month={last:%Y-%m}")
    html = month.get_data(as_text=True)
    cells = re.findall(
        r'<td class="([^"]*)">\s*<span class="day-number">(\d+)</span>(.*?)</td>', html, re.S
    )
    days_shown = [
        int(day)
        for classes, day, cell in cells
        if "other-month" not in classes and "Auto-évaluation finale" in cell
    ]
    in_last_month = [
        day
        for day in (first + timedelta(days=n) for n in range((last - first).days + 1))
        if (day.year, day.month) == (last.year, last.month)
    ]
    assert days_shown == [day.day for day in in_last_month]
