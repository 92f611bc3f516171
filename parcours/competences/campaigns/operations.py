"""A campaign's life after it opens: its e-mails, extending, closing, reminding, reopening.

Operations flush and log; they never commit. Each e-mailing is claimed by a
:class:`CampaignMailing` row (unique per campaign, kind and local day) before anything is
queued, so a reminder goes out once even when two scheduler processes, or a coordinator's
button pressed twice, get there together; each e-mail carries a dedup key too.
"""

import logging
from datetime import date, datetime, time, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm.attributes import flag_modified

from parcours.accounts.models import User
from parcours.agenda import operations as agenda
from parcours.agenda.models import Event, EventStatus
from parcours.cohorts.models import Membership, Role
from parcours.competences import operations as ops
from parcours.competences.campaigns import notifications
from parcours.competences.campaigns.mailings import remind
from parcours.competences.campaigns.queries import (
    last_answering_day,
    local_today,
)
from parcours.competences.models import (
    Assessment,
    AssessmentCampaign,
    AssessmentDraft,
    CampaignMailing,
    MailingKind,
    Viewpoint,
)
from parcours.core.extensions import db
from parcours.core.time import local_to_utc, now_utc
from parcours.curricula.schema import EventKind

logger = logging.getLogger(__name__)

CampaignRefused = ops.CampaignRefused

#: Reminders go out from this local time on (the scheduler runs through the night).
REMIND_FROM = time(8, 0)
#: The first reminder: this many days before the last answering day.
REMIND_BEFORE = timedelta(days=3)


def remind_now(campaign: AssessmentCampaign, *, by: User) -> int:
    """Re-send the reminder to the late catalyseurs now: a coordinator's, once per local day."""
    now = now_utc()
    if not campaign.is_open(now):
        raise CampaignRefused(_l("Cette campagne est close : il n'y a plus personne à relancer."))
    queued = remind(campaign, MailingKind.MANUAL, local_today(campaign.cohort, now), by=by)
    if queued is None:
        raise CampaignRefused(
            _l(
                "Les retardataires ont déjà été relancés aujourd'hui : "
                "une relance par jour au plus."
            )
        )
    return queued


def _draft_of(event: Event, ends_at: datetime) -> agenda.EventDraft:
    """The event as it stands, ending at ``ends_at``."""
    return agenda.EventDraft(
        kind=event.kind,
        title=event.title,
        starts_at=event.starts_at,
        ends_at=ends_at,
        territory=event.territory,
        description=event.description,
        venue_name=event.venue_name,
        venue_address=event.venue_address,
        access_notes=event.access_notes,
        online_url=event.online_url,
        speakers=event.speakers,
        thematics=list(event.thematics),
        items=[
            agenda.ItemDraft(i.starts_at, i.ends_at, i.kind, i.title, i.speaker)
            for i in event.items
        ],
        documents=[agenda.DocumentDraft(d.title, d.url) for d in event.documents],
    )


def extend(campaign: AssessmentCampaign, last_day: date, *, by: User) -> None:
    """Move the campaign's last answering day to ``last_day``; a closed campaign reopens.

    The agenda event's end moves with it (its calendar SEQUENCE grows, as for any edit).
    """
    cohort = campaign.cohort
    today = local_today(cohort, now_utc())
    current = last_answering_day(campaign)
    if last_day < today:
        raise CampaignRefused(
            _l("Le nouveau dernier jour est passé : choisissez une date à venir.")
        )
    if last_day <= current:
        raise CampaignRefused(
            _l(
                "Le nouveau dernier jour doit venir après l'actuel : pour finir plus tôt, "
                "clôturez la campagne."
            )
        )
    event = campaign.event
    ends_at = local_to_utc(last_day + timedelta(days=1), time(0), cohort.timezone)
    try:
        agenda.update_event(event, _draft_of(event, ends_at), by)
    except agenda.EventError as error:
        raise CampaignRefused(str(error)) from error
    campaign.closed_at = None
    campaign.closed_by_id = None
    flag_modified(campaign, "opened_at")  # an extension is a change of the campaign: a new version
    db.session.flush()
    logger.info("Campaign %s extended to %s by %s", campaign.id, last_day, by.id)


def close(campaign: AssessmentCampaign, *, by: User) -> None:
    """Close the campaign now, before the end of its window."""
    if not campaign.is_open(now_utc()):
        raise CampaignRefused(_l("Cette campagne est déjà close."))
    campaign.closed_at = now_utc()
    campaign.closed_by_id = by.id
    db.session.flush()
    logger.info("Campaign %s closed by %s", campaign.id, by.id)


def _answer_people(assessment: Assessment) -> list[User]:
    """Who wrote an answer: the participant, the territory's binôme, or its coach."""
    viewpoint = assessment.viewpoint_enum
    if viewpoint is Viewpoint.SELF:
        people = [assessment.participant]
    elif viewpoint is Viewpoint.CONSENSUS:
        people = list(
            db.session.scalars(
                select(User)
                .join(Membership, Membership.user_id == User.id)
                .where(
                    Membership.territory_id == assessment.territory_id,
                    Membership.role == Role.CATALYSEUR,
                )
                .order_by(User.id)
            )
        )
    else:
        people = [assessment.territory.coach] if assessment.territory.coach else []
    return [person for person in people if person is not None and person.active]


def reopen_answer(assessment: Assessment, *, by: User) -> AssessmentDraft:
    """Reopen a submitted answer (a new revision to come) and tell the people who wrote it."""
    draft = ops.reopen(assessment, by=by)
    notifications.answer_reopened(
        assessment.campaign, _answer_people(assessment), assessment.viewpoint_enum
    )
    return draft


def send_due(now: datetime | None = None) -> int:
    """Open the campaigns whose date has come, and send the reminders due today.

    Each step is claimed once (the campaign's unique event, its mailings' unique days): run
    again, or by two schedulers at once, it queues nothing twice. Returns the e-mails queued.
    """
    now = now or now_utc()
    queued = 0
    due = db.session.scalars(
        select(Event)
        .outerjoin(AssessmentCampaign, AssessmentCampaign.event_id == Event.id)
        .where(
            Event.kind == EventKind.ASSESSMENT,
            Event.status == EventStatus.PLANNED,
            Event.starts_at <= now,
            Event.ends_at > now,
            AssessmentCampaign.id.is_(None),
        )
        .order_by(Event.starts_at, Event.id)
    ).all()
    for event in due:
        campaign, opened = ops.open_campaign(event, by=None)
        if opened:
            queued += (
                db.session.scalar(
                    select(CampaignMailing.recipients).where(
                        CampaignMailing.campaign_id == campaign.id,
                        CampaignMailing.kind == MailingKind.OPENING.value,
                    )
                )
                or 0
            )
    running = db.session.scalars(
        select(AssessmentCampaign)
        .join(AssessmentCampaign.event)
        .where(AssessmentCampaign.closed_at.is_(None), Event.ends_at > now)
        .order_by(AssessmentCampaign.id)
    ).all()
    for campaign in running:
        queued += _due_reminder(campaign, now) or 0
    return queued


def _due_reminder(campaign: AssessmentCampaign, now: datetime) -> int | None:
    from zoneinfo import ZoneInfo

    local = now.astimezone(ZoneInfo(campaign.cohort.timezone))
    if local.time() < REMIND_FROM:
        return None
    today, final = local.date(), last_answering_day(campaign)
    if today == final:
        return remind(campaign, MailingKind.LAST_DAY, today)
    opened_on = campaign.opened_at.astimezone(ZoneInfo(campaign.cohort.timezone)).date()
    if today == final - REMIND_BEFORE and opened_on < today:
        return remind(campaign, MailingKind.BEFORE_CLOSE, today)
    return None
