"""A survey's e-mailings: its opening and its one reminder, each sent once.

Each e-mailing is claimed by a :class:`SurveyMailing` row (unique per survey and kind)
before anything is queued, so that two scheduler processes, or a coordinator's « ouvrir
maintenant » meeting the scheduler, never send it twice; each e-mail carries a dedup key
naming the survey, the mailing and the person too. The e-mails go through the outbox, after
the commit, in their recipient's language. They carry no answer: the survey's title, until
when it is open, whether it is anonymous, and the link to its page (which checks who may
answer). Apart from ``operations.py``, which calls :func:`send_opening` when a survey opens.
"""

import logging
from datetime import datetime
from zoneinfo import ZoneInfo

from flask import render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select, update

from parcours.accounts.models import User
from parcours.agenda.formatting import format_datetime_short, span
from parcours.core.concurrency import insert_if_absent
from parcours.core.extensions import db
from parcours.core.time import PARIS, now_utc
from parcours.core.urls import absolute_url
from parcours.evaluation.models import (
    Survey,
    SurveyInvitation,
    SurveyMailing,
    SurveyMailingKind,
)
from parcours.outbox import mail

logger = logging.getLogger(__name__)


def mailing_key(survey: Survey, kind: SurveyMailingKind, user_id: int) -> str:
    """Return the key that makes one person's e-mail of one mailing unique."""
    return f"survey:{survey.id}:{kind.value}:{user_id}"


def send_opening(survey: Survey, invitations: list[SurveyInvitation]) -> int | None:
    """Tell the invited that ``survey`` is open, once per survey.

    Returns how many e-mails were queued, or None when the opening was already announced.
    """
    if not _claim(survey, SurveyMailingKind.OPENING, now_utc()):
        return None
    people = _people([invitation.user_id for invitation in invitations])
    queued = _send(survey, people, SurveyMailingKind.OPENING)
    _count(survey, SurveyMailingKind.OPENING, queued)
    logger.info("Survey %s opening announced: %d e-mails queued", survey.id, queued)
    return queued


def send_reminder(survey: Survey, *, now: datetime) -> int | None:
    """Remind those who have not answered ``survey``, once, when its reminder is due.

    Due from ``remind_at`` on while the survey is open. Returns how many e-mails were
    queued, or None when the reminder is not due or was already sent.
    """
    if survey.remind_at is None or now < survey.remind_at or not survey.is_open(now):
        return None
    if not _claim(survey, SurveyMailingKind.REMINDER, now):
        return None
    people = list(
        db.session.scalars(
            select(User)
            .join(SurveyInvitation, SurveyInvitation.user_id == User.id)
            .where(SurveyInvitation.survey_id == survey.id, SurveyInvitation.answered.is_(False))
            .order_by(User.id)
        )
    )
    queued = _send(survey, people, SurveyMailingKind.REMINDER)
    _count(survey, SurveyMailingKind.REMINDER, queued)
    logger.info("Survey %s reminder: %d e-mails queued", survey.id, queued)
    return queued


def _claim(survey: Survey, kind: SurveyMailingKind, moment: datetime) -> bool:
    """Claim the survey's mailing of ``kind``; False if it is already claimed."""
    return insert_if_absent(
        SurveyMailing,
        conflict=("survey_id", "kind"),
        survey_id=survey.id,
        kind=kind.value,
        sent_at=moment,
        recipients=0,
    )


def _count(survey: Survey, kind: SurveyMailingKind, recipients: int) -> None:
    db.session.execute(
        update(SurveyMailing)
        .where(SurveyMailing.survey_id == survey.id, SurveyMailing.kind == kind.value)
        .values(recipients=recipients)
        .execution_options(synchronize_session=False)
    )


def _people(user_ids: list[int]) -> list[User]:
    if not user_ids:
        return []
    # An invitation made before its person was erased stays (the results count it); the
    # reserved address of the erased account is never written to.
    return list(
        db.session.scalars(
            select(User).where(User.id.in_(user_ids), User.erased_at.is_(None)).order_by(User.id)
        )
    )


def _send(survey: Survey, people: list[User], kind: SurveyMailingKind) -> int:
    cohort = survey.cohort
    event = survey.event
    page = absolute_url("evaluation.answer_survey", survey_id=survey.id)
    zone = ZoneInfo(cohort.timezone)
    template = (
        "mail/survey_opened.txt"
        if kind is SurveyMailingKind.OPENING
        else "mail/survey_reminder.txt"
    )
    queued = 0
    for person in people:
        with force_locale(person.locale):
            until = format_datetime_short(survey.closes_at.astimezone(zone))
            zone_name = _("heure de Paris") if cohort.timezone == PARIS.key else cohort.timezone
            if kind is SurveyMailingKind.OPENING:
                subject = _("À vous de répondre : %(title)s", title=survey.title)
            else:
                subject = _(
                    "Rappel : questionnaire « %(title)s » ouvert jusqu'au %(date)s",
                    title=survey.title,
                    date=until,
                )
            body = render_template(
                template,
                name=person.full_name,
                title=survey.title,
                cohort=cohort.name,
                session=event.title if event is not None else None,
                when=span(event) if event is not None else None,
                until=until,
                zone=zone_name,
                anonymous=survey.anonymous,
                page=page,
            )
        queued += mail.queue(
            mail.Message(to=person.email, subject=subject, body=body),
            cohort_id=survey.cohort_id,
            dedup_key=mailing_key(survey, kind, person.id),
        )
    return queued
