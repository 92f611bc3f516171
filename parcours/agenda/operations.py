"""Agenda operations: generate a cohort's timeline from its curriculum. Callers commit."""

import logging
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import delete, select

from parcours.agenda.models import Event, EventKind
from parcours.cohorts.models import Cohort, Territory, TerritoryStatus
from parcours.core.extensions import db
from parcours.core.time import local_to_utc
from parcours.curricula.schema import CollectiveSession, PlannedEvent

logger = logging.getLogger(__name__)


def _span(cohort: Cohort, item: CollectiveSession | PlannedEvent) -> tuple[datetime, datetime]:
    first_day = cohort.start_date + timedelta(days=item.offset_days)
    last_day = first_day + timedelta(days=item.duration_days - 1)
    return (
        local_to_utc(first_day, item.start_time, cohort.timezone),
        local_to_utc(last_day, item.end_time, cohort.timezone),
    )


def generate_timeline(cohort: Cohort) -> list[Event]:
    """Create the cohort-wide events its curriculum plans (sessions, comités, assessments)."""
    curriculum = cohort.curriculum
    events = []
    for session in curriculum.sessions:
        starts_at, ends_at = _span(cohort, session)
        events.append(
            Event(
                cohort=cohort,
                kind=EventKind.SESSION,
                code=session.code,
                title=session.title,
                description=session.description or "",
                starts_at=starts_at,
                ends_at=ends_at,
            )
        )
    for planned in curriculum.events:
        if planned.per_territory:
            continue
        starts_at, ends_at = _span(cohort, planned)
        events.append(
            Event(
                cohort=cohort,
                kind=planned.kind,
                code=planned.code,
                title=planned.title,
                description=planned.description or "",
                starts_at=starts_at,
                ends_at=ends_at,
            )
        )
    for moment in curriculum.assessment_moments:
        first_day = cohort.start_date + timedelta(days=moment.offset_days)
        events.append(
            Event(
                cohort=cohort,
                kind=EventKind.ASSESSMENT,
                code=moment.code,
                title=moment.name,
                starts_at=_midnight(first_day, cohort.timezone),
                ends_at=_midnight(first_day + timedelta(days=moment.window_days), cohort.timezone),
            )
        )
    db.session.add_all(events)
    db.session.flush()
    logger.info("Timeline of cohort %s generated: %d events", cohort.id, len(events))
    return events


def _midnight(day: date, tz: str) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=ZoneInfo(tz)).astimezone(ZoneInfo("UTC"))


def sync_territory_events(territory: Territory) -> None:
    """Give an accepted territory its own planned events; remove them if it leaves the cohort."""
    existing = set(db.session.scalars(select(Event.code).where(Event.territory_id == territory.id)))
    if territory.status != TerritoryStatus.ACCEPTED:
        if existing:
            db.session.execute(delete(Event).where(Event.territory_id == territory.id))
        return
    cohort = territory.cohort
    for planned in cohort.curriculum.events:
        if not planned.per_territory or planned.code in existing:
            continue
        starts_at, ends_at = _span(cohort, planned)
        db.session.add(
            Event(
                cohort=cohort,
                territory=territory,
                kind=planned.kind,
                code=planned.code,
                title=planned.title,
                description=planned.description or "",
                starts_at=starts_at,
                ends_at=ends_at,
            )
        )
    db.session.flush()


def shift_cohort_events(cohort: Cohort, days: int) -> None:
    """Move every event of ``cohort`` by ``days``, keeping wall-clock times in its zone."""
    if not days:
        return
    zone = ZoneInfo(cohort.timezone)
    for event in db.session.scalars(select(Event).where(Event.cohort_id == cohort.id)):
        for attribute in ("starts_at", "ends_at"):
            local = getattr(event, attribute).astimezone(zone)
            moved = local.replace(tzinfo=None) + timedelta(days=days)
            setattr(event, attribute, moved.replace(tzinfo=zone).astimezone(ZoneInfo("UTC")))
    db.session.flush()
