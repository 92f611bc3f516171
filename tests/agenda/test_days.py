"""The days an event meets, in its cohort's time zone."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from parcours.agenda.days import MeetingDay, meeting_days, meets_at_same_hours
from parcours.core.time import local_to_utc

PARIS = "Europe/Paris"


def _utc(day: str, at: str, zone: str = PARIS) -> datetime:
    return local_to_utc(
        datetime.fromisoformat(day).date(), datetime.strptime(at, "%H:%M").time(), zone
    )


def _local(days: list[MeetingDay], zone: str = PARIS) -> list[tuple[str, str, str]]:
    tz = ZoneInfo(zone)
    return [
        (
            d.day.isoformat(),
            f"{d.starts_at.astimezone(tz):%H:%M}",
            f"{d.ends_at.astimezone(tz):%H:%M}",
        )
        for d in days
    ]


def test_a_one_day_event_meets_once():
    days = meeting_days(_utc("2026-04-01", "09:30"), _utc("2026-04-01", "17:00"), PARIS)
    assert days == [
        MeetingDay(
            datetime(2026, 4, 1).date(),
            datetime(2026, 4, 1, 7, 30, tzinfo=UTC),
            datetime(2026, 4, 1, 15, 0, tzinfo=UTC),
        )
    ]


def test_an_event_over_days_meets_at_the_same_hours_each_day():
    starts, ends = _utc("2026-08-19", "09:30"), _utc("2026-08-21", "17:00")
    assert meets_at_same_hours(starts, ends, PARIS)
    assert _local(meeting_days(starts, ends, PARIS)) == [
        ("2026-08-19", "09:30", "17:00"),
        ("2026-08-20", "09:30", "17:00"),
        ("2026-08-21", "09:30", "17:00"),
    ]


def test_an_event_through_the_night_is_cut_at_midnight():
    starts, ends = _utc("2026-06-10", "18:00"), _utc("2026-06-11", "10:00")
    assert not meets_at_same_hours(starts, ends, PARIS)
    assert _local(meeting_days(starts, ends, PARIS)) == [
        ("2026-06-10", "18:00", "00:00"),
        ("2026-06-11", "00:00", "10:00"),
    ]


def test_an_end_at_midnight_adds_no_empty_day():
    starts, ends = _utc("2026-06-10", "18:00"), _utc("2026-06-11", "00:00")
    assert _local(meeting_days(starts, ends, PARIS)) == [("2026-06-10", "18:00", "00:00")]


def test_days_follow_the_cohort_zone_and_its_clock_changes():
    zone = "Indian/Reunion"
    days = meeting_days(_utc("2026-04-01", "09:00", zone), _utc("2026-04-02", "17:00", zone), zone)
    assert [d.starts_at for d in days] == [
        datetime(2026, 4, 1, 5, 0, tzinfo=UTC),
        datetime(2026, 4, 2, 5, 0, tzinfo=UTC),
    ]
    # Paris leaves summer time in the night of 24 to 25 October: 09:30 is an hour later in UTC.
    days = meeting_days(_utc("2026-10-24", "09:30"), _utc("2026-10-25", "17:00"), PARIS)
    assert [d.starts_at.hour for d in days] == [7, 8]
