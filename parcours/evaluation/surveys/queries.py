"""What the survey pages show: a cohort's surveys, the answer page's state, my invitations."""

import functools
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import bindparam, func, select

from parcours.accounts.models import User
from parcours.agenda.models import Event, EventStatus
from parcours.cohorts.models import Cohort
from parcours.core.extensions import db
from parcours.curricula.schema import EventKind, SurveyKind, SurveyTemplate
from parcours.evaluation.models import Survey, SurveyInvitation, SurveyResponse
from parcours.evaluation.surveys.operations import invitation_of, survey_key
from parcours.evaluation.surveys.results import submitted_clause


class State(StrEnum):
    UPCOMING = "upcoming"  # not prepared yet
    PREPARED = "prepared"  # questions copied, not open: a coordinator may add some
    OPEN = "open"
    CLOSED = "closed"


def state_of(survey: Survey | None, now: datetime) -> State:
    if survey is None:
        return State.UPCOMING
    if survey.is_prepared():
        return State.PREPARED
    return State.OPEN if survey.is_open(now) else State.CLOSED


def closed_at(survey: Survey) -> datetime | None:
    """Return when an opened survey stopped (or stops) taking answers."""
    if survey.opened_at is None:
        return None
    return survey.closed_at or survey.closes_at


@dataclass(frozen=True)
class SurveyRow:
    """One line of a cohort's surveys: a session's « à chaud » one, or the final one."""

    template: SurveyTemplate
    event: Event | None
    survey: Survey | None
    state: State
    invited: int
    responses: int

    @property
    def title(self) -> str:
        if self.survey is not None:
            return self.survey.title
        if self.event is None:
            return self.template.name
        return f"{self.template.name} — {self.event.title}"

    @property
    def anonymous(self) -> bool:
        """The mode the survey was prepared in; the template's for one not prepared yet."""
        return self.survey.anonymous if self.survey is not None else self.template.anonymous

    @property
    def ends_at(self) -> datetime | None:
        return closed_at(self.survey) if self.survey is not None else None


def cohort_surveys(cohort: Cohort, now: datetime) -> list[SurveyRow]:
    """Return the cohort's surveys, prepared or not: one per collective session and « à chaud »
    template (sessions in order, cancelled ones left out), then the final ones. Two queries."""
    templates = cohort.curriculum.surveys
    if not templates:
        return []
    events = db.session.scalars(
        select(Event)
        .where(
            Event.cohort_id == cohort.id,
            Event.kind == EventKind.SESSION,
            Event.status != EventStatus.CANCELLED,
        )
        .order_by(Event.starts_at, Event.id)
    ).all()
    counted = _surveys_with_counts(Survey.cohort_id == cohort.id)
    by_key = {survey.key: (survey, invited, responses) for survey, invited, responses in counted}
    rows = []
    wanted = [
        (template, event)
        for template in templates
        if template.kind == SurveyKind.SESSION
        for event in events
    ]
    wanted.sort(key=lambda pair: (pair[1].starts_at, pair[1].id))
    wanted += [(t, None) for t in templates if t.kind == SurveyKind.FINAL]
    for template, event in wanted:
        survey, invited, responses = by_key.get(survey_key(template, event), (None, 0, 0))
        rows.append(SurveyRow(template, event, survey, state_of(survey, now), invited, responses))
    return rows


def _surveys_with_counts(condition) -> list[tuple[Survey, int, int]]:
    invited = (
        select(func.count(SurveyInvitation.id))
        .where(SurveyInvitation.survey_id == Survey.id)
        .correlate(Survey)
        .scalar_subquery()
    )
    responses = (
        select(func.count(SurveyResponse.id))
        .where(SurveyResponse.survey_id == Survey.id, submitted_clause())
        .correlate(Survey)
        .scalar_subquery()
    )
    statement = select(Survey, invited, responses).where(condition)
    return [tuple(row) for row in db.session.execute(statement)]


def survey_counts(survey: Survey) -> tuple[int, int]:
    """Return (invited, counted responses) of one survey, in one query."""
    [(_survey, invited, responses)] = _surveys_with_counts(Survey.id == survey.id)
    return invited, responses


class Refusal(StrEnum):
    """Why a catalyseur cannot answer a survey now."""

    NOT_INVITED = "not_invited"
    ANSWERED = "answered"
    CLOSED = "closed"


#: The HTTP status each refusal answers with.
REFUSAL_STATUS = {Refusal.NOT_INVITED: 403, Refusal.ANSWERED: 409, Refusal.CLOSED: 409}


def refusal(survey: Survey, user: User, now: datetime) -> Refusal | None:
    """Tell why ``user`` cannot answer ``survey`` at ``now``, or None when they can."""
    invitation = invitation_of(survey, user)
    if invitation is None:
        return Refusal.NOT_INVITED
    if invitation.answered:
        return Refusal.ANSWERED
    if not survey.is_open(now):
        return Refusal.CLOSED
    return None


@dataclass(frozen=True)
class MyInvitation:
    survey: Survey
    answered: bool
    is_open: bool


@functools.cache
def _my_invitations_statement():
    # Built once per process: « Mon parcours » runs it on every request.
    return (
        select(Survey, SurveyInvitation.answered)
        .join(SurveyInvitation, SurveyInvitation.survey_id == Survey.id)
        .where(
            Survey.cohort_id == bindparam("cohort_id"),
            SurveyInvitation.user_id == bindparam("user_id"),
            Survey.opened_at.is_not(None),
        )
        .order_by(Survey.opened_at, Survey.id)
    )


def my_invitations(cohort: Cohort, user: User, now: datetime) -> list[MyInvitation]:
    """Return ``user``'s invitations in ``cohort`` still open, or answered: one query."""
    rows = db.session.execute(
        _my_invitations_statement(), {"cohort_id": cohort.id, "user_id": user.id}
    ).all()
    found = [MyInvitation(survey, answered, survey.is_open(now)) for survey, answered in rows]
    return [i for i in found if i.is_open or i.answered]
