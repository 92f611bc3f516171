"""E-mails of a campaign: its opening, its reminders and a reopened answer.

Each goes through the outbox in its recipient's language, with a dedup key naming the
mailing and the person, so that whoever runs a mailing again queues nobody twice. None
carries any answer: only the campaign's title, its dates and a link to its page, which
checks who may read what.
"""

import logging
from datetime import date

from flask import render_template
from flask_babel import force_locale
from flask_babel import gettext as _

from parcours.accounts.models import User
from parcours.competences.campaigns.queries import last_answering_day
from parcours.competences.models import AssessmentCampaign, Viewpoint
from parcours.core.i18n import format_date
from parcours.core.urls import absolute_url
from parcours.outbox import mail

logger = logging.getLogger(__name__)


def mailing_key(campaign: AssessmentCampaign, kind: str, day: date, user: User) -> str:
    """Return the key that makes one person's e-mail of one mailing unique."""
    return f"campaign:{campaign.id}:{kind}:{day.isoformat()}:{user.id}"


def _page(campaign: AssessmentCampaign) -> str:
    return absolute_url("competences.campaign", campaign_id=campaign.id)


def opened(campaign: AssessmentCampaign, people: list[User], day: date) -> int:
    """Tell each of ``people`` the campaign is open; return how many e-mails were queued."""
    queued = 0
    for person in people:
        with force_locale(person.locale):
            last_day = format_date(last_answering_day(campaign), "long")
            subject = _("Auto-évaluation ouverte : %(title)s", title=campaign.title)
            body = render_template(
                "mail/campaign_opened.txt",
                name=person.full_name,
                title=campaign.title,
                cohort=campaign.cohort.name,
                last_day=last_day,
                page=_page(campaign),
            )
        queued += mail.queue(
            mail.Message(to=person.email, subject=subject, body=body),
            cohort_id=campaign.cohort_id,
            dedup_key=mailing_key(campaign, "opening", day, person),
        )
    return queued


def reminded(
    campaign: AssessmentCampaign,
    people: list[User],
    kind: str,
    day: date,
    reopened_ids: set[int],
) -> int:
    """Remind each of ``people`` to send their answer; return how many e-mails were queued."""
    final = last_answering_day(campaign)
    queued = 0
    for person in people:
        with force_locale(person.locale):
            if day >= final:
                subject = _("Dernier jour : auto-évaluation « %(title)s »", title=campaign.title)
            else:
                subject = _(
                    "Rappel : auto-évaluation « %(title)s » jusqu'au %(date)s",
                    title=campaign.title,
                    date=format_date(final, "long"),
                )
            body = render_template(
                "mail/campaign_reminder.txt",
                name=person.full_name,
                title=campaign.title,
                cohort=campaign.cohort.name,
                last_day=format_date(final, "long"),
                last_day_today=day >= final,
                reopened=person.id in reopened_ids,
                page=_page(campaign),
            )
        queued += mail.queue(
            mail.Message(to=person.email, subject=subject, body=body),
            cohort_id=campaign.cohort_id,
            dedup_key=mailing_key(campaign, kind, day, person),
        )
    return queued


def answer_reopened(campaign: AssessmentCampaign, people: list[User], viewpoint: Viewpoint) -> int:
    """Tell ``people`` (the participant, the binôme or the coach) their answer was reopened."""
    queued = 0
    for person in people:
        with force_locale(person.locale):
            label = viewpoint.label
            subject = _("Réponse rouverte : %(title)s", title=campaign.title)
            body = render_template(
                "mail/answer_reopened.txt",
                name=person.full_name,
                what=label,
                title=campaign.title,
                cohort=campaign.cohort.name,
                page=_page(campaign),
            )
        queued += mail.queue(
            mail.Message(to=person.email, subject=subject, body=body),
            cohort_id=campaign.cohort_id,
        )
    return queued
