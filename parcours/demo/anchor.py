"""Where the demo cohort starts: early enough that a newcomer lands in the middle of it.

The demo must look the same whatever day it is built: the first half of the collective
sessions held, the mid-way comité just past, the next session a few weeks ahead. So its start
date is worked out from the day it is built and from the curriculum's own offsets, never
written down.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from parcours.curricula.schema import CurriculumDocument, natural_key

#: How far ahead the next session should be: soon enough to prepare, late enough to matter.
NEXT_SESSION_WINDOW = (timedelta(weeks=2), timedelta(weeks=6))


class AnchorError(ValueError):
    """The curriculum leaves no day between its held half and its next session."""


@dataclass(frozen=True)
class Milestones:
    """The offsets, in days from the start, that place a cohort in the middle of its path."""

    held_until: int  # last day of the held sessions and of the mid-way comité
    next_session: int  # first day of the next session
    planned_days: tuple[int, ...]  # every day something is planned (weekend check)


def milestones(document: CurriculumDocument) -> Milestones:
    """Read from ``document`` what must be past and what must be ahead mid-programme."""
    sessions = sorted(document.sessions, key=lambda s: (s.offset_days, natural_key(s.code)))
    held, upcoming = sessions[: len(sessions) // 2], sessions[len(sessions) // 2]
    comites = [
        e
        for e in document.events
        if e.kind == "committee" and e.offset_days + e.duration_days <= upcoming.offset_days
    ]
    # The mid-way comité is the last one before the next session; the earlier ones are past too.
    last_days = [item.offset_days + item.duration_days - 1 for item in [*held, *comites]]
    days = {
        item.offset_days + extra
        for item in [*document.sessions, *document.events]
        for extra in range(item.duration_days)
    }
    # An assessment is a window open for weeks; only the day it opens is announced.
    days.update(moment.offset_days for moment in document.assessment_moments)
    return Milestones(
        held_until=max(last_days, default=-1),
        next_session=upcoming.offset_days,
        planned_days=tuple(sorted(days)),
    )


def demo_start_date(document: CurriculumDocument, today: date) -> date:
    """Return the start date that puts ``today`` just after the mid-way comité.

    Candidates go back one day at a time from the latest start that leaves the comité
    behind; the first one that plans nothing on a weekend and has the next session within
    :data:`NEXT_SESSION_WINDOW` wins. A curriculum that allows none of them still gets a
    cohort in progress: weekends first, then the window, give way.
    """
    marks = milestones(document)
    latest = today - timedelta(days=marks.held_until + 1)
    earliest = today - timedelta(days=marks.next_session - 1)
    if earliest > latest:
        raise AnchorError(
            f"no day between day {marks.held_until} and day {marks.next_session} of the "
            f"curriculum {document.programme.slug!r}"
        )
    low, high = NEXT_SESSION_WINDOW

    def cost(start: date) -> tuple[bool, timedelta, int]:
        ahead = start + timedelta(days=marks.next_session) - today
        on_weekend = any((start + timedelta(days=day)).weekday() >= 5 for day in marks.planned_days)
        outside = max(low - ahead, ahead - high, timedelta(0))
        return on_weekend, outside, (latest - start).days

    candidates = [latest - timedelta(days=back) for back in range((latest - earliest).days + 1)]
    return min(candidates, key=cost)
