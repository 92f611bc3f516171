"""The days an event meets, in its cohort's time zone: one rule for calendars and attendance.

An event over several days (S3 runs 09:30 to 17:00 on two days) meets at the same hours each
day; an event whose end time comes at or before its start time in the day is taken as running
through the night, and its days are cut at midnight.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class MeetingDay:
    """One local day of an event, with that day's window in UTC."""

    day: date
    starts_at: datetime
    ends_at: datetime


def last_day(ends_at: datetime, zone: str) -> date:
    """Return the last day a span ending at ``ends_at`` covers, in ``zone``: the one rule for
    the end dates shown.

    Ends are exclusive: a self-assessment window open until midnight ends on the day before
    that midnight, a session ending at 17:00 on that same day.
    """
    return (ends_at - timedelta(microseconds=1)).astimezone(ZoneInfo(zone)).date()


def meets_at_same_hours(starts_at: datetime, ends_at: datetime, zone: str) -> bool:
    """Tell whether an event meets each of its days from its start time to its end time."""
    tz = ZoneInfo(zone)
    return ends_at.astimezone(tz).time() > starts_at.astimezone(tz).time()


def meeting_days(starts_at: datetime, ends_at: datetime, zone: str) -> list[MeetingDay]:
    """Return the days between two UTC instants, each with its own window, in time order."""
    tz = ZoneInfo(zone)
    local_start, local_end = starts_at.astimezone(tz), ends_at.astimezone(tz)
    same_hours = meets_at_same_hours(starts_at, ends_at, zone)
    days = []
    day = local_start.date()
    while day <= local_end.date():
        if same_hours:
            opens, closes = _at(day, local_start.time(), tz), _at(day, local_end.time(), tz)
        else:
            opens = max(local_start, _at(day, time(0), tz))
            closes = min(local_end, _at(day + timedelta(days=1), time(0), tz))
        if closes > opens:
            days.append(MeetingDay(day, opens.astimezone(UTC), closes.astimezone(UTC)))
        day += timedelta(days=1)
    return days


def _at(day: date, at: time, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, at, tzinfo=tz)
