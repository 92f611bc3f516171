"""Prepare, open, change, answer and close surveys. Operations flush; they never commit."""

import logging
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from parcours.accounts.models import User
from parcours.agenda.models import AgendaItemKind, Event
from parcours.attendance.models import ATTENDED, Attendance
from parcours.cohorts.models import Cohort, Membership, Role
from parcours.core.concurrency import insert_if_absent
from parcours.core.extensions import db
from parcours.curricula.schema import (
    CurriculumDocument,
    EventKind,
    QuestionKind,
    SurveyKind,
    SurveyTemplate,
)
from parcours.evaluation.models import (
    Consent,
    Survey,
    SurveyAnswer,
    SurveyInvitation,
    SurveyQuestion,
    SurveyResponse,
)
from parcours.evaluation.surveys import mailings

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
        # « Une note par temps du programme » says nothing true of a question asked once.
        once = question.per_agenda_item and items == [None]
        for item in items:
            position += 1
            db.session.add(
                SurveyQuestion(
                    survey_id=survey.id,
                    position=position,
                    code=question.code if item is None else f"{question.code}.{item.id}",
                    kind=question.kind.value,
                    text=question.text if item is None else f"{question.text} — {item.title}",
                    help="" if once else question.help or "",
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


def invitees_of(
    *, sessions: Collection[int] = (), cohorts: Collection[int] = ()
) -> tuple[dict[int, set[int]], dict[int, set[int]]]:
    """Who is asked, in at most two queries: by session, and by cohort for final surveys.

    The one rule: a session's « à chaud » survey asks its cohort's catalyseurs who attended
    it; a final survey asks every catalyseur of the cohort.
    """
    by_session: dict[int, set[int]] = {event_id: set() for event_id in sessions}
    by_cohort: dict[int, set[int]] = {cohort_id: set() for cohort_id in cohorts}
    if sessions:
        rows = db.session.execute(
            select(Attendance.event_id, Attendance.user_id)
            .join(Event, Event.id == Attendance.event_id)
            .join(
                Membership,
                (Membership.user_id == Attendance.user_id)
                & (Membership.cohort_id == Event.cohort_id)
                & (Membership.role == Role.CATALYSEUR),
            )
            .join(User, User.id == Attendance.user_id)
            .where(
                Attendance.event_id.in_(sessions),
                Attendance.status.in_(ATTENDED),
                # An erased account answers nothing: it names no one who could.
                User.erased_at.is_(None),
            )
            .distinct()
        )
        for event_id, user_id in rows:
            by_session[event_id].add(user_id)
    if cohorts:
        rows = db.session.execute(
            select(Membership.cohort_id, Membership.user_id)
            .join(User, User.id == Membership.user_id)
            .where(
                Membership.cohort_id.in_(cohorts),
                Membership.role == Role.CATALYSEUR,
                User.erased_at.is_(None),
            )
        )
        for cohort_id, user_id in rows:
            by_cohort[cohort_id].add(user_id)
    return by_session, by_cohort


def invitees(survey: Survey) -> list[int]:
    """Who is asked: a session's catalyseurs who attended it, or every catalyseur."""
    if survey.event_id is not None:
        return sorted(invitees_of(sessions=[survey.event_id])[0][survey.event_id])
    return sorted(invitees_of(cohorts=[survey.cohort_id])[1][survey.cohort_id])


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
    mailings.send_opening(survey, invitations)
    logger.info(
        "Survey %s opened by %s for %d people",
        survey.id,
        by.id if by else "the scheduler",
        len(people),
    )
    return len(invitations)


# -- A coordinator's changes -------------------------------------------------------------------


def add_question(
    survey: Survey,
    *,
    kind: QuestionKind,
    text: str,
    help: str = "",
    labels: list[str] | None = None,
    options: list[str] | None = None,
    allow_decline: bool = True,
    required: bool = False,
    by: User,
) -> SurveyQuestion:
    """Add a question of the cohort's own at the end of a prepared survey.

    Refused once the survey is open (people may have answered already) and, for a
    testimony, in an anonymous survey (it may be published under its author's name).
    """
    if not survey.is_prepared():
        raise SurveyRefused(_l("Ce questionnaire est ouvert : ses questions ne changent plus."))
    if kind == QuestionKind.TESTIMONY and survey.anonymous:
        raise SurveyRefused(_l("Un questionnaire anonyme ne peut pas recueillir de témoignage."))
    questions = list(survey.questions)
    codes = {q.code for q in questions}
    number = 1
    while f"C{number}" in codes:
        number += 1
    question = SurveyQuestion(
        survey_id=survey.id,
        position=max((q.position for q in questions), default=0) + 1,
        code=f"C{number}",
        kind=kind.value,
        text=text.strip(),
        help=help.strip(),
        labels=list(labels or []) if kind == QuestionKind.SCALE else [],
        choices=[
            {"code": f"o{index}", "label": label}
            for index, label in enumerate(options or [], start=1)
        ]
        if kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE)
        else [],
        allow_decline=allow_decline,
        required=required,
        added_by_id=by.id,
    )
    db.session.add(question)
    db.session.flush()
    db.session.expire(survey, ["questions"])
    logger.info("Question %s added to survey %s by %s", question.code, survey.id, by.id)
    return question


def close_survey(survey: Survey, *, now: datetime, by: User) -> None:
    """Close an open survey now, before the end of its window."""
    if survey.opened_at is None:
        raise SurveyRefused(_l("Ce questionnaire n'est pas encore ouvert."))
    if not survey.is_open(now):
        raise SurveyRefused(_l("Ce questionnaire est déjà clos."))
    survey.closed_at = now
    db.session.flush()
    logger.info("Survey %s closed by %s", survey.id, by.id)


# -- Answering -------------------------------------------------------------------------------


@dataclass(frozen=True)
class AnswerInput:
    """One answer as the form read it (already checked against its question)."""

    question_id: int
    declined: bool = False
    number: int | None = None
    choices: list[str] = field(default_factory=list)
    text: str = ""
    consent: Consent | None = None


def invitation_of(survey: Survey, user: User) -> SurveyInvitation | None:
    """Return ``user``'s invitation to ``survey``, or None."""
    return db.session.scalars(
        select(SurveyInvitation).where(
            SurveyInvitation.survey_id == survey.id, SurveyInvitation.user_id == user.id
        )
    ).one_or_none()


def draft_of(survey: Survey, user: User) -> SurveyResponse | None:
    """Return ``user``'s response to an identified survey (a draft or sent), or None."""
    if survey.anonymous:
        return None  # nothing links an anonymous response to anyone
    return db.session.scalars(
        select(SurveyResponse)
        .where(SurveyResponse.survey_id == survey.id, SurveyResponse.respondent_id == user.id)
        # The form reads each answer's question: all at once, not one query per answer.
        .options(selectinload(SurveyResponse.answers).joinedload(SurveyAnswer.question))
    ).one_or_none()


def answer_survey(
    survey: Survey,
    user: User,
    answers: list[AnswerInput],
    *,
    now: datetime,
    territory_id: int | None,
    draft: bool = False,
) -> SurveyResponse:
    """Save ``user``'s answers to ``survey``: sent, or (identified surveys only) a draft.

    Anonymous: one response with no respondent, territory or time, and the invitation marked
    answered, in the same transaction; no draft, which would have to be linked to its author.
    Identified: the response names its respondent and territory; sending stamps it. The
    invitation's version makes a concurrent second sending fail at flush (StaleDataError),
    and the unique (survey, respondent) key a concurrent second draft (IntegrityError).
    """
    invitation = invitation_of(survey, user)
    if invitation is None:
        raise SurveyRefused(_l("Vous n'êtes pas invité·e à répondre à ce questionnaire."))
    if invitation.answered:
        raise SurveyRefused(_l("Vous avez déjà répondu à ce questionnaire."))
    if not survey.is_open(now):
        raise SurveyRefused(_l("Ce questionnaire est clos : il ne reçoit plus de réponses."))
    if draft and not survey.keeps_drafts:
        raise SurveyRefused(
            _l("Un questionnaire anonyme s'envoie en une fois : il ne garde pas de brouillon.")
        )
    if not draft:
        invitation.answered = True
        db.session.flush()  # the version check: a second sending stops here
    if survey.anonymous:
        response = SurveyResponse(survey_id=survey.id)
        db.session.add(response)
    else:
        response = draft_of(survey, user)
        if response is None:
            response = SurveyResponse(
                survey_id=survey.id, respondent_id=user.id, territory_id=territory_id
            )
            db.session.add(response)
        else:
            for old in list(response.answers):
                db.session.delete(old)
        response.territory_id = territory_id
        response.submitted_at = None if draft else now
    db.session.flush()
    for answer in answers:
        db.session.add(
            SurveyAnswer(
                response_id=response.id,
                question_id=answer.question_id,
                declined=answer.declined,
                number=answer.number,
                choices=list(answer.choices),
                text=answer.text,
                consent=answer.consent.value if answer.consent is not None else None,
            )
        )
    db.session.flush()
    db.session.expire(response, ["answers"])
    # Never who answered an anonymous survey: the invitation says it, not the log.
    logger.info("Survey %s: a %s saved", survey.id, "draft" if draft else "response")
    return response


def withdraw_consent(answer: SurveyAnswer, *, now: datetime) -> bool:
    """Withdraw the consent given with a testimony: it is published nowhere from now on.

    Results pages and future committee packs stop showing it; packs already generated are
    kept as written. Return False when there was no consent left to withdraw.
    """
    if answer.consent_withdrawn_at is not None or answer.consent not in PUBLISHABLE:
        return False
    answer.consent_withdrawn_at = now
    db.session.flush()
    logger.info("Survey answer %s: consent withdrawn", answer.id)
    return True


#: The consents a testimony may be published with (and so withdrawn from).
PUBLISHABLE = frozenset(c.value for c in Consent if c.publishable)
