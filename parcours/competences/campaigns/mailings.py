"""A campaign's e-mailings: its opening and its reminders, each claimed once.

Each e-mailing is claimed by a :class:`CampaignMailing` row (unique per campaign, kind and
local day) before anything is queued, so a reminder goes out once even when two scheduler
processes, or a coordinator's button pressed twice, get there together; each e-mail carries
a dedup key too. Apart from ``operations.py`` so that opening a campaign
(``competences.operations.open_campaign``) can announce it without an import circle.
"""

import logging
from datetime import date

from sqlalchemy import select, update

from parcours.accounts.models import User
from parcours.competences.campaigns import notifications
from parcours.competences.campaigns.queries import (
    AnswerState,
    local_today,
    participant_statuses,
)
from parcours.competences.models import AssessmentCampaign, CampaignMailing, MailingKind
from parcours.core.concurrency import insert_if_absent
from parcours.core.extensions import db
from parcours.core.time import now_utc

logger = logging.getLogger(__name__)


def _claim(campaign: AssessmentCampaign, kind: MailingKind, day: date, by: User | None) -> bool:
    """Claim the campaign's mailing of ``kind`` for ``day``; False if it is already claimed."""
    return insert_if_absent(
        CampaignMailing,
        conflict=("campaign_id", "kind", "day"),
        campaign_id=campaign.id,
        kind=kind.value,
        day=day,
        sent_at=now_utc(),
        sent_by_id=by.id if by is not None else None,
        recipients=0,
    )


def _count(campaign: AssessmentCampaign, kind: MailingKind, day: date, recipients: int) -> None:
    db.session.execute(
        update(CampaignMailing)
        .where(
            CampaignMailing.campaign_id == campaign.id,
            CampaignMailing.kind == kind.value,
            CampaignMailing.day == day,
        )
        .values(recipients=recipients)
        .execution_options(synchronize_session=False)
    )


def announce_opening(campaign: AssessmentCampaign, *, by: User | None) -> int | None:
    """E-mail every catalyseur of the cohort that ``campaign`` is open, once per campaign.

    Returns how many e-mails were queued, or None when the opening was already announced.
    """
    already = db.session.scalar(
        select(CampaignMailing.id).where(
            CampaignMailing.campaign_id == campaign.id,
            CampaignMailing.kind == MailingKind.OPENING.value,
        )
    )
    day = local_today(campaign.cohort, now_utc())
    if already is not None or not _claim(campaign, MailingKind.OPENING, day, by):
        return None
    people = [status.user for status in participant_statuses(campaign)]
    queued = notifications.opened(campaign, people, day)
    _count(campaign, MailingKind.OPENING, day, queued)
    logger.info("Campaign %s opening announced: %d e-mails queued", campaign.id, queued)
    return queued


def remind(
    campaign: AssessmentCampaign, kind: MailingKind, day: date, *, by: User | None = None
) -> int | None:
    """Remind the catalyseurs who have not answered, once per kind and day.

    Returns how many e-mails were queued, or None when that reminder was already sent.
    """
    if not _claim(campaign, kind, day, by):
        return None
    late = [status for status in participant_statuses(campaign) if status.late]
    reopened = {status.user.id for status in late if status.state is AnswerState.REOPENED}
    queued = notifications.reminded(campaign, [s.user for s in late], kind.value, day, reopened)
    _count(campaign, kind, day, queued)
    logger.info(
        "Campaign %s reminder %s of %s: %d e-mails queued (by %s)",
        campaign.id,
        kind.value,
        day,
        queued,
        by.id if by is not None else "the scheduler",
    )
    return queued
