"""Surveys of the test world, made through the operations, for tests to start from.

Cohort A (curriculum « co-construction territoriale », start 2 March 2026) holds S1–S4;
``session_event(cohort_id, "S1")`` is S1's event, ``after(event)`` a moment just after it ends.
"""

from datetime import datetime, timedelta

from sqlalchemy import select

from parcours.accounts.models import User
from parcours.agenda.models import AgendaItem, AgendaItemKind, Event
from parcours.attendance.halfdays import half_days
from parcours.attendance.models import Attendance, AttendanceStatus
from parcours.cohorts.models import Cohort
from parcours.core.extensions import db
from parcours.curricula.schema import EventKind
from parcours.evaluation.models import Survey
from parcours.evaluation.surveys import operations as ops


def session_event(cohort_id: int, code: str) -> Event:
    return db.session.scalars(
        select(Event).where(
            Event.cohort_id == cohort_id, Event.kind == EventKind.SESSION, Event.code == code
        )
    ).one()


def after(event: Event, hours: int = 1) -> datetime:
    return event.ends_at + timedelta(hours=hours)


def mark_attended(event: Event, user_ids, status=AttendanceStatus.PRESENT) -> None:
    """Record ``user_ids`` with ``status`` on every half-day of ``event``; flushed."""
    for user_id in user_ids:
        for slot in half_days(event):
            db.session.add(
                Attendance(
                    event_id=event.id, user_id=user_id, day=slot.day, half=slot.half, status=status
                )
            )
    db.session.flush()


def prepared(cohort_id: int, template_code: str, event: Event | None = None) -> Survey:
    cohort = db.session.get(Cohort, cohort_id)
    return ops.prepare_survey(cohort, ops.template_of(cohort.curriculum, template_code), event)


def opened(survey: Survey, now: datetime, by_id: int | None = None) -> Survey:
    by = db.session.get(User, by_id) if by_id is not None else None
    ops.open_survey(survey, now=now, by=by)
    return survey


def with_programme(event: Event) -> Event:
    """Give ``event`` a programme: a plenary, a break, a workshop; flushed."""
    start = event.starts_at
    for offset, kind, title in (
        (0, AgendaItemKind.PLENARY, "Plénière d'ouverture"),
        (90, AgendaItemKind.BREAK, "Pause"),
        (105, AgendaItemKind.WORKSHOP, "Atelier diagnostic partagé"),
    ):
        db.session.add(
            AgendaItem(
                event_id=event.id,
                starts_at=start + timedelta(minutes=offset),
                ends_at=start
                + timedelta(minutes=offset + 15 if kind == AgendaItemKind.BREAK else offset + 90),
                kind=kind,
                title=title,
            )
        )
    db.session.flush()
    db.session.expire(event, ["items"])
    return event
