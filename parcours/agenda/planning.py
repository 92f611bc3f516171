"""Planning a kind of per-territory meeting in one table: check it, flag clashes, move them all.

A curriculum plans some meetings once per territory (the bilatérale, each « suivi », the
visit), all under one code. A coordinator places the dozen of them together: each row is one
territory's meeting with its new day and hours. Rows are refused one by one (dates frozen by
attendance, a programme that would fall outside), clashes are flagged for a second look, and
the whole table is saved at once, with one change notice per person.
"""

import logging
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from parcours.accounts.models import User
from parcours.agenda import notifications, operations, slots
from parcours.agenda.days import meeting_days
from parcours.agenda.formatting import format_datetime_short, span
from parcours.agenda.models import Event, EventKind, EventStatus
from parcours.agenda.queries import expected_people
from parcours.cohorts.models import Cohort, Territory
from parcours.core.extensions import db
from parcours.core.i18n import format_date
from parcours.core.text import sort_key
from parcours.core.time import now_utc
from parcours.curricula.schema import PlannedEvent

logger = logging.getLogger(__name__)

#: Cohort-wide meetings a per-territory meeting should not share a day with.
_BUSY_DAY_KINDS = (EventKind.SESSION, EventKind.COMMITTEE)


def planned_kinds(cohort: Cohort) -> list[PlannedEvent]:
    """Return the meetings ``cohort``'s curriculum plans once per territory, in its order."""
    return [planned for planned in cohort.curriculum.events if planned.per_territory]


def planned_kind(cohort: Cohort, code: str) -> PlannedEvent | None:
    """Return the per-territory meeting planned under ``code``, or None."""
    return next((p for p in planned_kinds(cohort) if p.code == code), None)


def meetings(cohort: Cohort, code: str) -> list[Event]:
    """Return the planned (not cancelled) meetings of ``code`` in ``cohort``, by territory."""
    events = db.session.scalars(
        select(Event)
        .where(
            Event.cohort_id == cohort.id,
            Event.code == code,
            Event.territory_id.isnot(None),
            Event.status == EventStatus.PLANNED,
        )
        .options(
            joinedload(Event.territory).joinedload(Territory.coach),
            selectinload(Event.items),
        )
    ).all()
    return sorted(events, key=lambda e: (sort_key(e.territory.name), e.starts_at, e.id))


@dataclass(frozen=True)
class Row:
    """What a row of the table says one meeting should become."""

    event: Event
    starts_at: datetime
    ends_at: datetime

    @property
    def moves(self) -> bool:
        return (self.starts_at, self.ends_at) != (self.event.starts_at, self.event.ends_at)


def row_for(event: Event, day: date, starts: time, ends: time) -> Row:
    """Return the row placing ``event`` on ``day`` from ``starts`` to ``ends`` (cohort's zone).

    A meeting over several days keeps its number of days.
    """
    zone = ZoneInfo(event.cohort.timezone)
    days = (event.ends_at.astimezone(zone).date() - event.starts_at.astimezone(zone).date()).days
    return Row(
        event=event,
        starts_at=_utc(day, starts, zone),
        ends_at=_utc(day + timedelta(days=days), ends, zone),
    )


def _utc(day: date, at: time, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, at, tzinfo=zone).astimezone(ZoneInfo("UTC"))


def refusals(rows: list[Row]) -> dict[int, str]:
    """Return, by event id, why a moving row cannot be saved."""
    refused = {}
    for row in rows:
        if not row.moves:
            continue
        event = row.event
        if row.ends_at <= row.starts_at:
            refused[event.id] = _("La fin doit être après le début.")
        elif event.dates_frozen:
            refused[event.id] = _(
                "Des présences sont déjà relevées pour ce rendez-vous : ses dates ne peuvent "
                "plus changer."
            )
        elif event.items and not _programme_fits(row):
            refused[event.id] = _(
                "Le déroulé de ce rendez-vous sortirait de ses nouveaux horaires : "
                "modifiez-le depuis la page du rendez-vous."
            )
    return refused


def _programme_fits(row: Row) -> bool:
    offset = row.starts_at - row.event.starts_at
    return all(
        row.starts_at <= item.starts_at + offset and item.ends_at + offset <= row.ends_at
        for item in row.event.items
    )


def clashes(cohort: Cohort, rows: list[Row]) -> dict[int, list[str]]:
    """Return, by event id, what deserves a second look among the moving rows.

    A meeting overlapping another one of someone it expects (the coach, the coordinators of a
    bilatérale, a catalyseur), whether the other is in the table or not; a meeting on the
    day of a collective session or a comité; on a weekend or a public holiday; outside the
    cohort's dates.
    """
    moving = [row for row in rows if row.moves]
    if not moving:
        return {}
    zone = ZoneInfo(cohort.timezone)
    in_table = {row.event.id for row in rows}
    others = _other_meetings(cohort, moving, in_table)
    people = {
        event.id: {p.user.id: p.name for p in expected_people(event)}
        for event in [row.event for row in rows] + others
    }
    busy_days = {
        day.day: other
        for other in others
        if other.kind in _BUSY_DAY_KINDS
        for day in meeting_days(other.starts_at, other.ends_at, cohort.timezone)
    }
    found: dict[int, list[str]] = {}
    for row in moving:
        messages = found.setdefault(row.event.id, [])
        day = row.starts_at.astimezone(zone).date()
        last = row.ends_at.astimezone(zone).date()
        if day < cohort.start_date or last > cohort.end_date:
            messages.append(
                _(
                    "En dehors des dates de la cohorte (du %(start)s au %(end)s).",
                    start=format_date(cohort.start_date),
                    end=format_date(cohort.end_date),
                )
            )
        if day.weekday() >= 5:
            messages.append(_("Tombe un week-end (%(day)s).", day=format_date(day, "full")))
        elif not slots.is_working_day(day, cohort.curriculum.calendar):
            messages.append(_("Tombe un jour férié (%(day)s).", day=format_date(day, "full")))
        if day in busy_days:
            messages.append(
                _(
                    "Le même jour que « %(title)s ».",
                    title=busy_days[day].title,
                )
            )
        mine = people[row.event.id]
        overlaps = [
            (other.event, other.starts_at, other.ends_at)
            for other in rows
            if other is not row and other.starts_at < row.ends_at and other.ends_at > row.starts_at
        ] + [
            (other, other.starts_at, other.ends_at)
            for other in others
            if other.starts_at < row.ends_at and other.ends_at > row.starts_at
        ]
        for other, starts_at, _ends_at in sorted(overlaps, key=lambda o: (o[1], o[0].id)):
            shared = sorted(name for uid, name in people[other.id].items() if uid in mine)
            if shared:
                messages.append(
                    _(
                        "Chevauche « %(title)s » (%(when)s) pour %(people)s.",
                        title=_titled(other),
                        when=span(other) if other.id not in in_table else _at(starts_at, zone),
                        people=", ".join(shared[:5]) + ("…" if len(shared) > 5 else ""),
                    )
                )
    return {event_id: messages for event_id, messages in found.items() if messages}


def _titled(event: Event) -> str:
    if event.territory is not None and event.territory.name not in event.title:
        return f"{event.title} — {event.territory.name}"
    return event.title


def _at(moment: datetime, zone: ZoneInfo) -> str:
    return format_datetime_short(moment.astimezone(zone))


def _other_meetings(cohort: Cohort, moving: list[Row], in_table: set[int]) -> list[Event]:
    """Return the cohort's other planned meetings on the days the moving rows reach."""
    zone = ZoneInfo(cohort.timezone)
    first = min(row.starts_at for row in moving).astimezone(zone).date()
    last = max(row.ends_at for row in moving).astimezone(zone).date()
    return list(
        db.session.scalars(
            select(Event)
            .where(
                Event.cohort_id == cohort.id,
                Event.status == EventStatus.PLANNED,
                Event.is_meeting,
                Event.id.notin_(in_table),
                # Whole days: a session on the day matters even when the hours do not meet.
                Event.starts_at < _utc(last + timedelta(days=1), time(0), zone),
                Event.ends_at > _utc(first, time(0), zone),
            )
            .options(joinedload(Event.territory), joinedload(Event.cohort))
            .order_by(Event.starts_at, Event.id)
        )
    )


def apply(rows: list[Row], changed_by: User) -> list[Event]:
    """Move every row's meeting (its programme with it) and tell each person once; callers
    check refusals and versions first. Return the events that moved."""
    before: notifications.Before = {}
    moved = []
    now = now_utc()
    for row in rows:
        if not row.moves:
            continue
        event = row.event
        before[event.id] = (event.starts_at, event.ends_at)
        offset = row.starts_at - event.starts_at
        event.starts_at, event.ends_at = row.starts_at, row.ends_at
        for item in event.items:
            item.starts_at, item.ends_at = item.starts_at + offset, item.ends_at + offset
        event.sequence += 1
        event.updated_at = now
        moved.append(event)
    db.session.flush()
    notifications.events_moved(moved, before)
    logger.info("%d meetings moved in one batch by user %s", len(moved), changed_by.id)
    return moved


# A cohort's start date changed ----------------------------------------------------------


@dataclass(frozen=True)
class Move:
    """One event as a change of the cohort's dates would move it."""

    event: Event
    starts_at: datetime
    ends_at: datetime


def cohort_moves(cohort: Cohort, shift_days: int, to_zone: str) -> list[Move]:
    """Return where each planned event of ``cohort`` would go, in time order; nothing moves."""
    return [
        Move(
            event,
            operations.shifted(event.starts_at, shift_days, cohort.timezone, to_zone),
            operations.shifted(event.ends_at, shift_days, cohort.timezone, to_zone),
        )
        for event in _cohort_events(cohort)
        if not event.is_cancelled
    ]


def move_cohort(cohort: Cohort, shift_days: int, from_zone: str) -> None:
    """Move a rescheduled cohort's events, and tell each person once what moved for them."""
    events = _cohort_events(cohort)
    before = {event.id: (event.starts_at, event.ends_at) for event in events}
    operations.shift_cohort_events(cohort, shift_days, from_zone=from_zone)
    notifications.events_moved(events, before)


def _cohort_events(cohort: Cohort) -> list[Event]:
    return list(
        db.session.scalars(
            select(Event)
            .where(Event.cohort_id == cohort.id)
            .options(joinedload(Event.territory), selectinload(Event.items))
            .order_by(Event.starts_at, Event.id)
        )
    )
