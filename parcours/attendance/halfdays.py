"""The half-days of an event (matin / après-midi), in its cohort's time zone.

Attendance is taken per half-day. Each local day an event meets (``parcours.agenda.days``:
the same hours each day, or cut at midnight when it runs through the night) gives a morning
(from the start of the day's meeting to 13:00) and an afternoon (from 13:00 to the end),
keeping only the halves the event actually covers.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from parcours.agenda.days import meeting_days
from parcours.agenda.models import Event
from parcours.attendance.models import HALF_DAY_LABELS, HalfDay

#: Where the morning ends and the afternoon begins, in local time.
MIDDAY = time(13, 0)

#: How early before a half-day starts its check-in code is accepted.
EARLY_CHECK_IN = timedelta(minutes=30)


@dataclass(frozen=True)
class HalfDaySlot:
    """One half-day of an event: its local day, which half, and its window in UTC."""

    day: date
    half: HalfDay
    starts_at: datetime
    ends_at: datetime
    zone: str

    @property
    def key(self) -> str:
        """Return a stable identifier, e.g. ``2026-04-01-am`` (form fields, URLs)."""
        return f"{self.day.isoformat()}-{self.half.value}"

    @property
    def label(self):
        return HALF_DAY_LABELS[self.half]

    @property
    def local_start(self) -> datetime:
        return self.starts_at.astimezone(ZoneInfo(self.zone))

    @property
    def local_end(self) -> datetime:
        return self.ends_at.astimezone(ZoneInfo(self.zone))

    @property
    def hours(self) -> float:
        """Return the length of the half-day in hours."""
        return (self.ends_at - self.starts_at).total_seconds() / 3600

    @property
    def check_in_opens_at(self) -> datetime:
        return self.starts_at - EARLY_CHECK_IN

    def accepts_check_in(self, moment: datetime) -> bool:
        """Tell whether a check-in at ``moment`` falls in this half-day's window."""
        return self.check_in_opens_at <= moment < self.ends_at

    def contains(self, moment: datetime) -> bool:
        return self.starts_at <= moment < self.ends_at


def half_days(event: Event) -> list[HalfDaySlot]:
    """Return the half-days ``event`` covers, in time order."""
    return event_half_days(event.starts_at, event.ends_at, event.cohort.timezone)


def event_half_days(starts_at: datetime, ends_at: datetime, zone: str) -> list[HalfDaySlot]:
    """Return the half-days between two UTC instants, cut at 13:00 local time in ``zone``."""
    tz = ZoneInfo(zone)
    slots = []
    for meeting in meeting_days(starts_at, ends_at, zone):
        opens, closes = meeting.starts_at, meeting.ends_at
        midday = datetime.combine(meeting.day, MIDDAY, tzinfo=tz).astimezone(UTC)
        for half, start, end in (
            (HalfDay.MORNING, opens, min(closes, midday)),
            (HalfDay.AFTERNOON, max(opens, midday), closes),
        ):
            if end > start:
                slots.append(
                    HalfDaySlot(day=meeting.day, half=half, starts_at=start, ends_at=end, zone=zone)
                )
    return slots


def find_slot(slots: list[HalfDaySlot], day: date, half: str) -> HalfDaySlot | None:
    """Return the slot of ``day`` and ``half`` among ``slots``, if the event covers it."""
    return next((s for s in slots if s.day == day and s.half == half), None)


def open_for_check_in(slots: list[HalfDaySlot], moment: datetime) -> list[HalfDaySlot]:
    """Return the half-days whose check-in window holds ``moment`` (two around 13:00)."""
    return [slot for slot in slots if slot.accepts_check_in(moment)]


def current_slot(slots: list[HalfDaySlot], moment: datetime) -> HalfDaySlot | None:
    """Return the half-day under way at ``moment``, else the one about to start, else None."""
    running = next((slot for slot in slots if slot.contains(moment)), None)
    if running is not None:
        return running
    return next((slot for slot in slots if slot.accepts_check_in(moment)), None)


def next_slot(slots: list[HalfDaySlot], moment: datetime) -> HalfDaySlot | None:
    """Return the first half-day that starts after ``moment``."""
    return next((slot for slot in slots if slot.starts_at > moment), None)
