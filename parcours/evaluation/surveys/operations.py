"""Prepare a survey from its template, and open it. Operations flush; they never commit."""

import logging
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from parcours.accounts.models import User
from parcours.agenda.models import AgendaItemKind, Event
from parcours.attendance.models import ATTENDED, Attendance
from parcours.cohorts.models import Cohort, Membership, Role
from parcours.core.concurrency import insert_if_absent
from parcours.core.extensions import db
from parcours.curricula.schema import CurriculumDocument, EventKind, SurveyKind, SurveyTemplate
from parcours.evaluation.models import Survey, SurveyInvitation, SurveyQuestion

logger = logging.getLogger(__name__)


class SurveyRefused(ValueError):
    """An action on a survey that cannot be done; the message says why, translated."""


def template_of(document: CurriculumDocument, code: str) -> SurveyTemplate:
    """Return the survey template ``code`` of a curriculum (KeyError when it has none)."""
    for template in document.surveys:
        if template.code == code:
            return template
    raise KeyError(code)


def survey_key(template: SurveyTemplate, event: Event | None) -> str:
    """Name one survey of a cohort: a template once, or once per session for « à chaud »."""
    return f"{template.code}@{event.id}" if event is not None else template.code


def prepare_survey(cohort: Cohort, template: SurveyTemplate, event: Event | None = None) -> Survey:
    """Return the cohort's survey of ``template`` (for ``event``), creating it if need be.

    Creating copies the template's questions (one per agenda item for a per-item question),
    so that what was asked stays what the curriculum said on that day. Concurrent callers
    (two schedulers, a coordinator) end up with one survey.
    """
    if (template.kind == SurveyKind.SESSION) != (event is not None):
        raise ValueError("a session survey is about one collective session, a final one is not")
    if event is not None and (event.cohort_id != cohort.id or event.kind != EventKind.SESSION):
        raise ValueError("a session survey is about a collective session of its cohort")
    key = survey_key(template, event)
    created = insert_if_absent(
        Survey,
        conflict=("cohort_id", "key"),
        cohort_id=cohort.id,
        key=key,
        template_code=template.code,
        curriculum_version_id=cohort.curriculum_version_id,
        kind=template.kind.value,
        event_id=event.id if event is not None else None,
        title=template.name if event is None else f"{template.name} — {event.title}",
        introduction=template.introduction or "",
        anonymous=template.anonymous,
    )
    survey = db.session.scalars(
        select(Survey).where(Survey.cohort_id == cohort.id, Survey.key == key)
    ).one()
    if created:
        _copy_questions(survey, template, event)
        logger.info("Survey %s prepared for cohort %s", key, cohort.id)
    return survey


def _copy_questions(survey: Survey, template: SurveyTemplate, event: Event | None) -> None:
    position = 0
    for question in template.questions:
        items = [None]
        if question.per_agenda_item and event is not None:
            # Nobody rates the usefulness of a coffee break; a session without a programme
            # yet gets the question once, about the whole session.
            items = [i for i in event.items if i.kind != AgendaItemKind.BREAK] or [None]
        for item in items:
            position += 1
            db.session.add(
                SurveyQuestion(
                    survey_id=survey.id,
                    position=position,
                    code=question.code if item is None else f"{question.code}.{item.id}",
                    kind=question.kind.value,
                    text=question.text if item is None else f"{question.text} — {item.title}",
                    help=question.help or "",
                    theme=question.theme or "",
                    labels=list(question.labels),
                    choices=[c.model_dump(mode="json") for c in question.choices],
                    allow_decline=question.allow_decline,
                    required=question.required,
                    agenda_item_id=item.id if item is not None else None,
                )
            )
    db.session.flush()
    db.session.expire(survey, ["questions"])


def invitees(survey: Survey) -> list[int]:
    """Who is asked: a session's catalyseurs who attended it, or every catalyseur."""
    catalyseurs = select(Membership.user_id).where(
        Membership.cohort_id == survey.cohort_id, Membership.role == Role.CATALYSEUR
    )
    if survey.event_id is not None:
        attended = select(Attendance.user_id).where(
            Attendance.event_id == survey.event_id, Attendance.status.in_(ATTENDED)
        )
        catalyseurs = catalyseurs.where(Membership.user_id.in_(attended))
    return sorted(set(db.session.scalars(catalyseurs)))


def open_survey(survey: Survey, *, now: datetime, by: User | None = None) -> int:
    """Open ``survey`` at ``now``: invite who is asked; return how many.

    ``by`` is the coordinator opening it early; None for the scheduler. Opening twice is
    refused, so a coordinator's click and the scheduler never open it twice.
    """
    if survey.opened_at is not None:
        raise SurveyRefused(_l("Ce questionnaire est déjà ouvert."))
    # The version its questions were copied from, whichever the cohort moves to later.
    template = template_of(survey.curriculum_version.document, survey.template_code)
    people = invitees(survey)
    if not people:
        raise SurveyRefused(
            _l("Personne n'est à interroger : aucun catalyseur présent n'est enregistré.")
            if survey.event_id is not None
            else _l("Personne n'est à interroger : la cohorte n'a aucun catalyseur.")
        )
    survey.opened_at = now
    survey.opened_by_id = by.id if by is not None else None
    survey.closes_at = now + timedelta(days=template.window_days)
    survey.remind_at = (
        now + timedelta(days=template.remind_after_days) if template.remind_after_days else None
    )
    # Every invitation at once, in id order: their rows say nothing of who answers when.
    invitations = [SurveyInvitation(survey_id=survey.id, user_id=user_id) for user_id in people]
    db.session.add_all(invitations)
    db.session.flush()
    logger.info(
        "Survey %s opened by %s for %d people",
        survey.id,
        by.id if by else "the scheduler",
        len(people),
    )
    return len(invitations)
