"""The demo's start date: worked out from the day and the curriculum, never written down."""

import tomllib
from datetime import date, timedelta

import pytest

from parcours.curricula.schema import CurriculumDocument
from parcours.demo.anchor import AnchorError, demo_start_date
from tests.conftest import CURRICULUM


def _shipped() -> dict:
    return tomllib.loads(CURRICULUM.read_text(encoding="utf-8"))


def _document(data: dict) -> CurriculumDocument:
    return CurriculumDocument.model_validate(data)


def _item(data: dict, code: str) -> dict:
    return next(i for i in [*data["sessions"], *data["events"]] if i["code"] == code)


def _planned_dates(data: dict, start: date) -> list[date]:
    """Every day the curriculum plans something on, for a cohort starting on ``start``."""
    days = [
        start + timedelta(days=item["offset_days"] + extra)
        for item in [*data["sessions"], *data["events"]]
        for extra in range(item.get("duration_days", 1))
    ]
    days += [start + timedelta(days=m["offset_days"]) for m in data["assessment_moments"]]
    return days


def _offset(data: dict, code: str, start: date) -> date:
    return start + timedelta(days=_item(data, code)["offset_days"])


def _every_day(first: date, last: date):
    while first <= last:
        yield first
        first += timedelta(days=1)


def test_on_every_day_of_three_years_the_demo_lands_mid_programme():
    data = _shipped()
    document = _document(data)
    start_weekdays = set()
    for today in _every_day(date(2026, 1, 1), date(2028, 12, 31)):
        start = demo_start_date(document, today)
        s2 = _item(data, "S2")
        s2_last = _offset(data, "S2", start) + timedelta(days=s2.get("duration_days", 1) - 1)
        assert s2_last < today, today
        assert _offset(data, "S1", start) < today, today
        comite = _offset(data, "COMITE2", start)
        assert timedelta(days=1) <= today - comite <= timedelta(days=7), today  # just past
        ahead = _offset(data, "S3", start) - today
        assert timedelta(weeks=2) <= ahead <= timedelta(weeks=6), today
        assert all(day.weekday() < 5 for day in _planned_dates(data, start)), today
        start_weekdays.add(start.weekday())
    # The shipped offsets are written for a Monday start; nothing said so to the anchor.
    assert start_weekdays == {0}


def test_a_curriculum_written_for_another_weekday_gets_that_weekday():
    data = _shipped()
    for item in [*data["sessions"], *data["events"], *data["assessment_moments"]]:
        item["offset_days"] += 1  # every date one day later: a Sunday start fits
    document = _document(data)
    for today in _every_day(date(2026, 11, 20), date(2026, 12, 20)):
        start = demo_start_date(document, today)
        assert start.weekday() == 6
        assert all(day.weekday() < 5 for day in _planned_dates(data, start)), today
        assert _offset(data, "COMITE2", start) < today < _offset(data, "S3", start)


def test_a_next_session_far_after_the_comite_is_still_a_few_weeks_ahead():
    data = _shipped()
    _item(data, "S3")["offset_days"] = 198  # 63 days after the mid-way comité
    document = _document(data)
    for today in _every_day(date(2026, 11, 20), date(2026, 12, 20)):
        start = demo_start_date(document, today)
        assert _offset(data, "COMITE2", start) < today
        ahead = _offset(data, "S3", start) - today
        assert timedelta(weeks=2) <= ahead <= timedelta(weeks=6), today
        assert all(day.weekday() < 5 for day in _planned_dates(data, start)), today


def test_the_middle_session_and_the_last_comite_before_it_are_read_from_the_curriculum():
    data = _shipped()
    # Six sessions: the next one is the fourth, and the comité to have passed is the one
    # before it (COMITE2 moves after S3 for that).
    data["sessions"] += [
        {**_item(data, "S4"), "code": "S5", "offset_days": 250},
        {**_item(data, "S4"), "code": "S6", "offset_days": 265},
    ]
    _item(data, "COMITE2")["offset_days"] = 205
    document = _document(data)
    today = date(2026, 12, 1)
    start = demo_start_date(document, today)
    assert _offset(data, "S3", start) < _offset(data, "COMITE2", start) < today
    assert today < _offset(data, "S4", start)


def test_a_curriculum_with_no_day_between_comite_and_next_session_is_refused():
    data = _shipped()
    comite = _item(data, "COMITE2")["offset_days"]
    _item(data, "S3")["offset_days"] = comite + 1
    with pytest.raises(AnchorError, match=f"no day between day {comite} and day {comite + 1}"):
        demo_start_date(_document(data), date(2026, 12, 1))
