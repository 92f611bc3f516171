"""The half-days of an event (matin / après-midi / soir), in its cohort's time zone.

Attendance is taken per half-day. Each local day an event meets (``parcours.agenda.days``:
the same hours each day, or cut at midnight when it runs through the night) gives a morning
(from the start of the day's meeting to 13:00), an afternoon (13:00 to 18:00) and an evening
(from 18:00), keeping only the halves the event actually covers: an 18:30-21:00 workshop is
an evening, not an afternoon.

The cut at 18:00 bends where a strict one would make no sense to those taking attendance: a
part of less than an hour on one side of it joins the other (a session running 14:00-18:30
is one afternoon; 17:30-21:00 is one evening). The cut at 13:00 stays strict, as it always
was: records already taken keep their half-day.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from parcours.agenda.days import meeting_days
from parcours.agenda.models import AgendaItemKind, Event
from parcours.attendance.models import HALF_DAY_LABELS, HalfDay

#: Where the morning ends and the afternoon begins, in local time.
MIDDAY = time(13, 0)

#: Where the afternoon ends and the evening begins, in local time.
EVENING = time(18, 0)

#: A part shorter than this on one side of EVENING is not a half-day of its own.
SHORTEST_EVENING_CUT = timedelta(hours=1)

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
    """Return the half-days between two UTC instants, cut at 13:00 and 18:00 local time."""
    tz = ZoneInfo(zone)
    slots = []
    for meeting in meeting_days(starts_at, ends_at, zone):
        opens, closes = meeting.starts_at, meeting.ends_at
        midday = datetime.combine(meeting.day, MIDDAY, tzinfo=tz).astimezone(UTC)
        evening = datetime.combine(meeting.day, EVENING, tzinfo=tz).astimezone(UTC)
        parts = [
            (HalfDay.MORNING, opens, min(closes, midday)),
            (HalfDay.AFTERNOON, max(opens, midday), min(closes, evening)),
            (HalfDay.EVENING, max(opens, evening), closes),
        ]
        parts = [(half, start, end) for half, start, end in parts if end > start]
        parts = _bend_evening_cut(parts)
        slots += [
            HalfDaySlot(day=meeting.day, half=half, starts_at=start, ends_at=end, zone=zone)
            for half, start, end in parts
        ]
    return slots


def _bend_evening_cut(parts: list) -> list:
    """Join an afternoon and an evening when one of them is shorter than an hour."""
    halves = [half for half, _start, _end in parts]
    if HalfDay.AFTERNOON not in halves or HalfDay.EVENING not in halves:
        return parts
    *before, (_pm, pm_start, pm_end), (_ev, ev_start, ev_end) = parts
    if min(pm_end - pm_start, ev_end - ev_start) >= SHORTEST_EVENING_CUT:
        return parts
    # The longer side names the joined half-day.
    half = HalfDay.AFTERNOON if pm_end - pm_start >= ev_end - ev_start else HalfDay.EVENING
    return [*before, (half, pm_start, ev_end)]


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


class HoursBasis(StrEnum):
    """Where the hours of an attended half-day come from (stated on the attestation)."""

    PROGRAMME = "programme"  # the programme lines (déroulé) held in that half-day
    HALF_DAY = "half_day"  # the half-day's own hours: the event has no programme there


@dataclass(frozen=True)
class CountedHalfDay:
    """An attended half-day with the hours it counts for."""

    slot: HalfDaySlot
    hours: float
    basis: HoursBasis


def counted_hours(
    slot: HalfDaySlot, programme: Iterable[tuple[datetime, datetime]]
) -> CountedHalfDay:
    """Count the hours of ``slot``: its programme lines if it has any, else its own window.

    ``programme`` holds the UTC windows of the event's lines that are not breaks. Lines are
    clipped to the half-day and overlapping ones (parallel workshops) count once, so the
    lunch break between two lines, or a « Pause » line, is never counted.
    """
    windows = sorted(
        (max(start, slot.starts_at), min(end, slot.ends_at))
        for start, end in programme
        if min(end, slot.ends_at) > max(start, slot.starts_at)
    )
    if not windows:
        return CountedHalfDay(slot=slot, hours=slot.hours, basis=HoursBasis.HALF_DAY)
    total, (current_start, current_end) = timedelta(), windows[0]
    for start, end in windows[1:]:
        if start > current_end:
            total += current_end - current_start
            current_start = start
        current_end = max(current_end, end)
    total += current_end - current_start
    return CountedHalfDay(slot=slot, hours=total.total_seconds() / 3600, basis=HoursBasis.PROGRAMME)


def programme_windows(event: Event) -> list[tuple[datetime, datetime]]:
    """Return the UTC windows of the programme lines of ``event`` that count (not breaks)."""
    return [
        (item.starts_at, item.ends_at) for item in event.items if item.kind != AgendaItemKind.BREAK
    ]
