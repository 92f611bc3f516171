"""Where generated meetings go: working days, and a free slot for each territory's meeting.

Pure functions of dates and intervals, so that the rules are tested without a database and
the same input always gives the same calendar.

Per-territory meetings of a cohort never overlap one another. The coach who will follow a
territory is usually assigned after its meetings are generated, and may change; one coach
may follow every territory, and the coordinators attend every bilatérale. Keeping the
cohort's per-territory meetings apart is what guarantees nobody is expected in two places,
whoever ends up coaching whom.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo

from parcours.curricula.schema import Calendar, PlannedEvent

#: How far past the end of its window a meeting is looked for when the window is full.
OVERFLOW_DAYS = 120


@cache
def _public_holidays(country: str, subdivision: str | None, year: int) -> frozenset[date]:
    import holidays  # a third of a second to import: not at every worker's start

    return frozenset(holidays.country_holidays(country, subdiv=subdivision, years=year))


def is_working_day(day: date, calendar: Calendar) -> bool:
    """Tell whether ``day`` is neither a weekend nor a public holiday of ``calendar``."""
    if day.weekday() >= 5:
        return False
    return day not in _public_holidays(calendar.country, calendar.subdivision, day.year)


def first_working_days(day: date, calendar: Calendar, length: int = 1) -> date:
    """Return the first day from ``day`` on that starts ``length`` working days in a row."""
    while not all(is_working_day(day + timedelta(days=n), calendar) for n in range(length)):
        day += timedelta(days=1)
    return day


def day_slots(planned: PlannedEvent, calendar: Calendar) -> list[tuple[time, time]]:
    """Return the local times a meeting of ``planned`` may take in a day, in order.

    Meetings follow each other from the start of the hours; one shorter than the day's hours
    never starts or ends inside the lunch break (it waits for the break's end instead).
    """
    length = planned.slot
    day = date(2000, 1, 3)  # any day: only the times matter
    start = datetime.combine(day, planned.start_time)
    end = datetime.combine(day, planned.end_time)
    whole_day = start + length == end
    pause = calendar.lunch_break
    slots = []
    while start + length <= end:
        stop = start + length
        if pause is not None and not whole_day:
            pause_start = datetime.combine(day, pause[0])
            pause_end = datetime.combine(day, pause[1])
            if start < pause_end and stop > pause_start:
                start = pause_end
                continue
        slots.append((start.time(), stop.time()))
        start = stop
    return slots


@dataclass(frozen=True)
class Busy:
    """What is already planned in a cohort: days taken whole, and taken intervals (UTC)."""

    days: frozenset[date]
    intervals: tuple[tuple[datetime, datetime], ...]

    def is_free(self, starts_at: datetime, ends_at: datetime) -> bool:
        return not any(start < ends_at and end > starts_at for start, end in self.intervals)

    def with_interval(self, starts_at: datetime, ends_at: datetime) -> "Busy":
        return Busy(self.days, (*self.intervals, (starts_at, ends_at)))


def _candidate_days(
    first: date, window: int, calendar: Calendar, busy: Busy, position: int, target: int
) -> Iterator[date]:
    """Yield the days to try: the window's from this territory's share of it, then beyond."""
    window_days = [
        first + timedelta(days=n)
        for n in range(window)
        if is_working_day(first + timedelta(days=n), calendar)
        and first + timedelta(days=n) not in busy.days
    ]
    if window_days:
        # The territories share the window evenly: the k-th of n starts looking k/n into it.
        start = (position % target) * len(window_days) // target
        yield from window_days[start:]
        yield from window_days[:start]
    for n in range(window, window + OVERFLOW_DAYS):
        day = first + timedelta(days=n)
        if is_working_day(day, calendar) and day not in busy.days:
            yield day


def find_slot(
    planned: PlannedEvent,
    *,
    first_day: date,
    zone: str,
    calendar: Calendar,
    busy: Busy,
    position: int,
    target: int,
) -> tuple[datetime, datetime]:
    """Return the UTC start and end of a free slot for one territory's meeting of ``planned``.

    ``first_day`` opens the window; ``position`` is how many territories already have this
    meeting and ``target`` how many the cohort expects, so that meetings spread over the
    window instead of piling up at its start. A full window overflows onto the next working
    days; should even those be full, the meeting takes the window's first slot.
    """
    tz = ZoneInfo(zone)
    times = day_slots(planned, calendar)
    for day in _candidate_days(first_day, planned.window, calendar, busy, position, max(target, 1)):
        for opens, closes in times:
            starts_at = _utc(day, opens, tz)
            ends_at = _utc(day, closes, tz)
            if busy.is_free(starts_at, ends_at):
                return starts_at, ends_at
    opens, closes = times[0]
    day = first_working_days(first_day, calendar)
    return _utc(day, opens, tz), _utc(day, closes, tz)


def _utc(day: date, at: time, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, at, tzinfo=tz).astimezone(UTC)
