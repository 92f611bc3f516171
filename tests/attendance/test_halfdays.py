"""The half-days of an event, cut at 13:00 and 18:00 in the cohort's time zone."""

from datetime import UTC, datetime, timedelta

import pytest

from parcours.attendance.halfdays import (
    current_slot,
    event_half_days,
    next_slot,
    open_for_check_in,
)
from parcours.attendance.models import HalfDay
from parcours.core.time import local_to_utc

PARIS = "Europe/Paris"


def _utc(day: str, at: str, zone: str = PARIS) -> datetime:
    return local_to_utc(
        datetime.fromisoformat(day).date(), datetime.strptime(at, "%H:%M").time(), zone
    )


def _describe(slots) -> list[tuple[str, str, str, str]]:
    return [
        (
            s.day.isoformat(),
            s.half.value,
            s.local_start.strftime("%H:%M"),
            s.local_end.strftime("%H:%M"),
        )
        for s in slots
    ]


def test_a_full_day_has_a_morning_until_13_and_an_afternoon_from_13():
    slots = event_half_days(_utc("2026-04-01", "09:30"), _utc("2026-04-01", "17:00"), PARIS)
    assert _describe(slots) == [
        ("2026-04-01", "am", "09:30", "13:00"),
        ("2026-04-01", "pm", "13:00", "17:00"),
    ]
    morning, afternoon = slots
    assert morning.half is HalfDay.MORNING
    assert morning.key == "2026-04-01-am"
    assert (morning.hours, afternoon.hours) == (3.5, 4.0)
    # The windows are in UTC: Paris is at UTC+2 in April.
    assert morning.starts_at == datetime(2026, 4, 1, 7, 30, tzinfo=UTC)
    assert afternoon.ends_at == datetime(2026, 4, 1, 15, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        ("10:00", "11:30", [("am", "10:00", "11:30")]),
        ("14:00", "17:00", [("pm", "14:00", "17:00")]),
        ("09:00", "13:00", [("am", "09:00", "13:00")]),
        ("13:00", "18:00", [("pm", "13:00", "18:00")]),
        ("12:00", "14:00", [("am", "12:00", "13:00"), ("pm", "13:00", "14:00")]),
        ("18:30", "21:00", [("ev", "18:30", "21:00")]),
        ("14:00", "21:00", [("pm", "14:00", "18:00"), ("ev", "18:00", "21:00")]),
        (
            "09:30",
            "20:00",
            [("am", "09:30", "13:00"), ("pm", "13:00", "18:00"), ("ev", "18:00", "20:00")],
        ),
        # Less than an hour on one side of 18:00 is no half-day of its own.
        ("14:00", "18:30", [("pm", "14:00", "18:30")]),
        ("17:30", "21:00", [("ev", "17:30", "21:00")]),
        ("17:30", "18:15", [("pm", "17:30", "18:15")]),
    ],
)
def test_only_the_halves_the_event_covers(start, end, expected):
    slots = event_half_days(_utc("2026-06-10", start), _utc("2026-06-10", end), PARIS)
    assert [(half, s, e) for _day, half, s, e in _describe(slots)] == expected


def test_a_two_day_session_meets_at_the_same_hours_each_day():
    slots = event_half_days(_utc("2026-08-19", "09:30"), _utc("2026-08-20", "17:00"), PARIS)
    assert _describe(slots) == [
        ("2026-08-19", "am", "09:30", "13:00"),
        ("2026-08-19", "pm", "13:00", "17:00"),
        ("2026-08-20", "am", "09:30", "13:00"),
        ("2026-08-20", "pm", "13:00", "17:00"),
    ]
    assert sum(s.hours for s in slots) == 15


def test_an_event_running_through_the_night_is_cut_at_midnight():
    slots = event_half_days(_utc("2026-06-10", "18:00"), _utc("2026-06-11", "10:00"), PARIS)
    assert _describe(slots) == [
        ("2026-06-10", "ev", "18:00", "00:00"),
        ("2026-06-11", "am", "00:00", "10:00"),
    ]


def test_days_and_midday_follow_the_cohort_time_zone_not_utc():
    # 09:00-17:00 in Réunion (UTC+4) is 05:00-13:00 UTC: the cut is at 13:00 Réunion time.
    zone = "Indian/Reunion"
    slots = event_half_days(
        _utc("2026-04-01", "09:00", zone), _utc("2026-04-01", "17:00", zone), zone
    )
    assert _describe(slots) == [
        ("2026-04-01", "am", "09:00", "13:00"),
        ("2026-04-01", "pm", "13:00", "17:00"),
    ]
    assert slots[0].ends_at == datetime(2026, 4, 1, 9, 0, tzinfo=UTC)


def test_winter_time_changes_the_utc_windows():
    slots = event_half_days(_utc("2026-12-01", "09:30"), _utc("2026-12-01", "17:00"), PARIS)
    assert slots[0].starts_at == datetime(2026, 12, 1, 8, 30, tzinfo=UTC)


def test_check_in_window_opens_30_minutes_early_and_closes_at_the_end():
    morning, afternoon = event_half_days(
        _utc("2026-04-01", "09:30"), _utc("2026-04-01", "17:00"), PARIS
    )
    assert open_for_check_in([morning, afternoon], _utc("2026-04-01", "08:59")) == []
    assert open_for_check_in([morning, afternoon], _utc("2026-04-01", "09:00")) == [morning]
    # Around midday both half-days accept their own code.
    assert open_for_check_in([morning, afternoon], _utc("2026-04-01", "12:45")) == [
        morning,
        afternoon,
    ]
    assert open_for_check_in([morning, afternoon], _utc("2026-04-01", "13:00")) == [afternoon]
    assert open_for_check_in([morning, afternoon], _utc("2026-04-01", "17:00")) == []


def test_current_slot_prefers_the_half_day_under_way():
    slots = event_half_days(_utc("2026-04-01", "09:30"), _utc("2026-04-01", "17:00"), PARIS)
    morning, afternoon = slots
    assert current_slot(slots, _utc("2026-04-01", "09:05")) == morning
    assert current_slot(slots, _utc("2026-04-01", "12:45")) == morning
    assert current_slot(slots, _utc("2026-04-01", "13:00")) == afternoon
    assert current_slot(slots, _utc("2026-04-01", "08:00")) is None
    assert current_slot(slots, _utc("2026-04-01", "17:00") + timedelta(seconds=1)) is None
    assert next_slot(slots, _utc("2026-04-01", "08:00")) == morning
    assert next_slot(slots, _utc("2026-04-01", "10:00")) == afternoon
    assert next_slot(slots, _utc("2026-04-01", "18:00")) is None


def test_an_evening_is_labelled_soir(app):
    (evening,) = event_half_days(_utc("2026-06-10", "18:30"), _utc("2026-06-10", "21:00"), PARIS)
    with app.test_request_context():
        assert (evening.half, str(evening.label), evening.hours) == (HalfDay.EVENING, "Soir", 2.5)
