"""Read-side of the agenda: a cohort's timeline, grouped by phase."""

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import select

from parcours.agenda.models import KIND_LABELS, Event, EventKind
from parcours.cohorts.models import Cohort, add_months
from parcours.core.extensions import db
from parcours.curricula.schema import natural_key


@dataclass
class TimelineEntry:
    """One line of the timeline: a cohort event, or the events a curriculum plans per territory."""

    code: str
    kind: str
    title: str
    starts_at: datetime
    ends_at: datetime
    status: str = "planned"
    territory_count: int = 0
    event_id: int | None = None

    @property
    def kind_label(self):
        return KIND_LABELS[EventKind(self.kind)]


@dataclass
class TimelinePhase:
    code: str
    name: str
    starts_on: date
    ends_on: date
    steps: list[str]
    entries: list[TimelineEntry] = field(default_factory=list)


def cohort_timeline(cohort: Cohort, territory_id: int | None = None) -> list[TimelinePhase]:
    """Return the phases of ``cohort`` with their events, in one query.

    Per-territory events are folded into one entry per curriculum code, except those of
    ``territory_id`` (a catalyseur sees their own bilatérale with its real date).
    """
    curriculum = cohort.curriculum
    phases = [
        TimelinePhase(
            code=phase.code,
            name=phase.name,
            starts_on=add_months(cohort.start_date, phase.start_month),
            ends_on=add_months(cohort.start_date, phase.end_month),
            steps=list(phase.steps),
        )
        for phase in curriculum.phases
    ]
    entries: dict[str, TimelineEntry] = {}
    events = db.session.scalars(
        select(Event).where(Event.cohort_id == cohort.id).order_by(Event.starts_at, Event.id)
    )
    for event in events:
        if event.territory_id is None or event.territory_id == territory_id:
            key = f"event-{event.id}"
            entries[key] = TimelineEntry(
                code=event.code,
                kind=event.kind,
                title=event.title,
                starts_at=event.starts_at,
                ends_at=event.ends_at,
                status=event.status,
                event_id=event.id,
            )
            continue
        key = f"code-{event.code}"
        entry = entries.get(key)
        if entry is None:
            entry = entries[key] = TimelineEntry(
                code=event.code,
                kind=event.kind,
                title=event.title,
                starts_at=event.starts_at,
                ends_at=event.ends_at,
            )
        entry.starts_at = min(entry.starts_at, event.starts_at)
        entry.ends_at = max(entry.ends_at, event.ends_at)
        entry.territory_count += 1
    ordered = sorted(entries.values(), key=lambda e: (e.starts_at, natural_key(e.code)))
    for entry in ordered:
        phase = _phase_of(phases, entry.starts_at, cohort)
        phase.entries.append(entry)
    return phases


def _phase_of(phases: list[TimelinePhase], moment: datetime, cohort: Cohort) -> TimelinePhase:
    from zoneinfo import ZoneInfo

    day = moment.astimezone(ZoneInfo(cohort.timezone)).date()
    for phase in phases:
        if day < phase.ends_on:
            return phase
    return phases[-1]
