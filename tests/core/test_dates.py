"""« 1er » for the first day of a month in French, wherever a day is written with its month;
English unchanged; and one rule for the end dates shown."""

import ast
from datetime import UTC, date, datetime

import pytest
from flask_babel import force_locale

from parcours.core.i18n import format_date, format_datetime
from parcours.core.paths import ROOT

FIRST = date(2026, 12, 1)


@pytest.mark.parametrize(
    ("fmt", "fr", "en"),
    [
        ("full", "mardi 1er décembre 2026", "Tuesday, December 1, 2026"),
        ("long", "1er décembre 2026", "December 1, 2026"),
        ("medium", "1er déc. 2026", "Dec 1, 2026"),
        ("short", "01/12/2026", "12/1/26"),  # figures: no ordinal
        ("d MMMM", "1er décembre", "1 December"),
        ("EEE d MMM", "mar. 1er déc.", "Tue 1 Dec"),
        ("EEEE d", "mardi 1", "Tuesday 1"),  # no month: no ordinal
        ("dd MMMM", "01 décembre", "01 December"),
        ("'le' d MMMM", "le 1er décembre", "le 1 December"),
    ],
)
def test_the_first_of_the_month_is_an_ordinal_in_french(app, fmt, fr, en):
    with app.test_request_context():
        with force_locale("fr"):
            assert format_date(FIRST, fmt) == fr
            # Only the first: « 2 décembre », « 21 décembre ».
            assert "2er" not in format_date(date(2026, 12, 2), fmt)
            assert "1er" not in format_date(date(2026, 12, 21), fmt)
        with force_locale("en"):
            assert format_date(FIRST, fmt) == en


def test_moments_too_in_the_zone_they_are_shown_in(app):
    # 30 November 23:30 UTC is 1 December 00:30 in Paris.
    moment = datetime(2026, 11, 30, 23, 30, tzinfo=UTC)
    with app.test_request_context(), force_locale("fr"):
        assert format_datetime(moment, "EEEE d MMMM y HH:mm") == "mardi 1er décembre 2026 00:30"
        assert format_datetime(moment, "long").startswith("1er décembre 2026")
        assert format_datetime(moment, "d MMMM", rebase=False) == "30 novembre"


def test_nothing_formats_dates_but_the_helpers_with_the_ordinal():
    """Babel's and Flask-Babel's own date functions would write « 1 décembre »."""
    offenders = []
    for path in (ROOT / "parcours").rglob("*.py"):
        if path.name == "i18n.py" and path.parent.name == "core":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module in ("flask_babel", "babel.dates"):
                names = {alias.name for alias in node.names}
                if names & {"format_date", "format_datetime", "format_skeleton"}:
                    offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []
