"""What happens to campaigns and answers. Operations flush and log; they never commit.

The campaign lifecycle beyond opening (extending, closing, e-mails, reminders) lives in
``campaigns/``; this module holds what every viewpoint shares: drafting, submitting (which
freezes the answer), confirming a consensus and reopening.
"""

import logging

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from parcours.accounts.models import User
from parcours.agenda.models import Event, EventStatus
from parcours.cohorts.models import Territory
from parcours.competences import answers as ans
from parcours.competences.models import (
    Assessment,
    AssessmentCampaign,
    AssessmentDraft,
    AssessmentEvidence,
    AssessmentRating,
    Viewpoint,
    subject_of,
)
from parcours.competences.queries import forget_moments, forget_states
from parcours.core.concurrency import insert_if_absent
from parcours.core.extensions import db
from parcours.core.time import now_utc
from parcours.curricula.schema import EventKind

logger = logging.getLogger(__name__)


class CampaignRefused(ValueError):
    """A campaign cannot be opened, extended or closed; the message says why, translated."""


def open_campaign(event: Event, *, by: User | None) -> tuple[AssessmentCampaign, bool]:
    """Open the campaign of an assessment moment; tell whether this call opened it.

    A coordinator may open it before its date (``by``); the scheduler opens it on its date
    (``by`` None). Both may try at once: the unique event makes one of them the opener, which
    e-mails every catalyseur of the cohort (``campaigns.mailings.announce_opening``).
    """
    if event.kind != EventKind.ASSESSMENT:
        raise CampaignRefused(_l("Ce moment du calendrier n'est pas une auto-évaluation."))
    if event.status == EventStatus.CANCELLED:
        raise CampaignRefused(_l("Cette auto-évaluation a été annulée."))
    now = now_utc()
    if now >= event.ends_at:
        raise CampaignRefused(
            _l("La fenêtre de cette auto-évaluation est passée : prolongez-la d'abord.")
        )
    opened = insert_if_absent(
        AssessmentCampaign,
        conflict=("event_id",),
        cohort_id=event.cohort_id,
        event_id=event.id,
        moment_code=event.code,
        opened_at=now,
        opened_by_id=by.id if by is not None else None,
        version=1,
    )
    campaign = db.session.scalar(
        select(AssessmentCampaign).where(AssessmentCampaign.event_id == event.id)
    )
    if opened:
        forget_moments()
        logger.info(
            "Campaign %s (%s) of cohort %s opened by %s",
            campaign.id,
            campaign.moment_code,
            campaign.cohort_id,
            by.id if by is not None else "the scheduler",
        )
        # The opening e-mails, claimed once, whoever opened it (a coordinator, the scheduler).
        from parcours.competences.campaigns.mailings import announce_opening

        announce_opening(campaign, by=by)
    return campaign, opened


# -- Drafts -------------------------------------------------------------------------------


def _document(campaign: AssessmentCampaign):
    return campaign.cohort.curriculum


def scale_max(campaign: AssessmentCampaign) -> int:
    return len(_document(campaign).referential.levels) - 1


def items(campaign: AssessmentCampaign, viewpoint: Viewpoint) -> list[ans.Item]:
    return ans.items_for(viewpoint, _document(campaign))


def draft_for(
    campaign: AssessmentCampaign, viewpoint: Viewpoint, territory: Territory, participant_id
) -> AssessmentDraft | None:
    """Return the draft of this subject in ``campaign``, if one is being written."""
    subject = subject_of(viewpoint, territory_id=territory.id, participant_id=participant_id)
    return db.session.scalar(
        select(AssessmentDraft).where(
            AssessmentDraft.campaign_id == campaign.id, AssessmentDraft.subject == subject
        )
    )


def latest_revision(campaign_id: int, subject: str) -> Assessment | None:
    """Return the last submitted revision of this subject in the campaign, if any."""
    return db.session.scalar(
        select(Assessment)
        .where(Assessment.campaign_id == campaign_id, Assessment.subject == subject)
        .order_by(Assessment.revision.desc())
        .limit(1)
    )


def may_write(campaign: AssessmentCampaign, draft: AssessmentDraft | None) -> bool:
    """While the campaign is open; a revision a coordinator reopened, even after it closed."""
    return campaign.is_open(now_utc()) or (draft is not None and draft.revises_id is not None)


def save_draft(
    campaign: AssessmentCampaign,
    viewpoint: Viewpoint,
    territory: Territory,
    participant_id: int | None,
    answer: ans.AnswerInput,
    *,
    by: User,
) -> AssessmentDraft:
    """Keep ``answer`` as the subject's draft (created on first save).

    Refused once the subject has submitted (unless a coordinator reopened it) and outside the
    campaign's window. A consensus's pending confirmation is cleared by any change: what a
    partner confirmed must be exactly what the other confirms.
    """
    subject = subject_of(viewpoint, territory_id=territory.id, participant_id=participant_id)
    draft = draft_for(campaign, viewpoint, territory, participant_id)
    if not may_write(campaign, draft):
        raise ans.AnswerRefused(_l("Cette campagne est close : les réponses ne changent plus."))
    if draft is None and latest_revision(campaign.id, subject) is not None:
        raise ans.AnswerRefused(
            _l("Cette réponse est déjà envoyée ; seule la coordination peut la rouvrir.")
        )
    ans.check(answer, items(campaign, viewpoint), scale_max(campaign))
    data = ans.to_data(answer)
    now = now_utc()
    if draft is None:
        draft = AssessmentDraft(
            campaign=campaign,
            viewpoint=viewpoint.value,
            subject=subject,
            territory_id=territory.id,
            participant_id=participant_id,
            data=data,
            created_at=now,
            updated_at=now,
            updated_by_id=by.id,
        )
        db.session.add(draft)
    elif draft.data != data:
        draft.data = data
        draft.updated_at = now
        draft.updated_by_id = by.id
        draft.confirmed_by_id = None
    db.session.flush()
    forget_states()
    return draft


def _refuse_incomplete(missing: list[ans.Item]) -> None:
    """Refuse to send (or confirm) an answer some items of which have no answer yet."""
    if missing:
        raise ans.AnswerRefused(
            _l(
                "Il manque %(count)d réponse(s), dont « %(label)s » : choisissez un niveau "
                "ou « je ne sais pas ».",
                count=len(missing),
                label=missing[0].label,
            )
        )


def submit(draft: AssessmentDraft, *, by: User) -> Assessment:
    """Freeze ``draft`` as the subject's next revision, with its ratings; delete the draft.

    Every item needs a level or « je ne sais pas ». What is submitted is never changed
    afterwards (see ``models.py``).
    """
    campaign = draft.campaign
    if not may_write(campaign, draft):
        raise ans.AnswerRefused(_l("Cette campagne est close : les réponses ne changent plus."))
    viewpoint = draft.viewpoint_enum
    answer = ans.from_data(draft.data)
    wanted = items(campaign, viewpoint)
    ans.check(answer, wanted, scale_max(campaign))
    missing = answer.missing(wanted)
    _refuse_incomplete(missing)
    revision = (
        db.session.scalar(
            select(func.max(Assessment.revision)).where(
                Assessment.campaign_id == campaign.id, Assessment.subject == draft.subject
            )
        )
        or 0
    ) + 1
    assessment = Assessment(
        campaign=campaign,
        curriculum_version_id=campaign.cohort.curriculum_version_id,
        viewpoint=draft.viewpoint,
        subject=draft.subject,
        territory_id=draft.territory_id,
        participant_id=draft.participant_id,
        revision=revision,
        comment=answer.comment,
        shared_with_partner=answer.share and viewpoint is Viewpoint.SELF,
        submitted_at=now_utc(),
        submitted_by_id=by.id,
        confirmed_by_id=draft.confirmed_by_id,
        reopened_by_id=draft.reopened_by_id,
    )
    db.session.add(assessment)
    for item in wanted:
        rating = answer.rating(item.code)
        row = AssessmentRating(
            assessment=assessment,
            code=item.code,
            level=None if rating.unknown else rating.level,
            comment=rating.comment,
        )
        db.session.add(row)
        for evidence in rating.evidence:
            db.session.add(
                AssessmentEvidence(
                    rating=row,
                    journal_entry_id=evidence.id if evidence.kind == "journal" else None,
                    visit_report_id=evidence.id if evidence.kind == "visit" else None,
                    url=evidence.url if evidence.kind == "link" else "",
                    title=evidence.title[:300],
                )
            )
    db.session.delete(draft)
    db.session.flush()
    forget_states()
    logger.info(
        "Answer %s (%s, revision %d) submitted in campaign %s by %s",
        assessment.id,
        viewpoint.value,
        revision,
        campaign.id,
        by.id,
    )
    return assessment


def confirm_consensus(draft: AssessmentDraft, *, by: User) -> Assessment | None:
    """Record ``by``'s agreement with a consensus draft; submit it once both partners agree.

    Returns the submitted consensus on the second partner's confirmation, None on the first.
    """
    if draft.viewpoint_enum is not Viewpoint.CONSENSUS:
        raise ans.AnswerRefused(_l("Seul un consensus de binôme se confirme."))
    if draft.confirmed_by_id == by.id:
        raise ans.AnswerRefused(
            _l("Vous avez déjà confirmé : votre binôme doit confirmer à son tour.")
        )
    if draft.confirmed_by_id is None:
        missing = ans.from_data(draft.data).missing(items(draft.campaign, Viewpoint.CONSENSUS))
        _refuse_incomplete(missing)
        if not may_write(draft.campaign, draft):
            raise ans.AnswerRefused(_l("Cette campagne est close : les réponses ne changent plus."))
        draft.confirmed_by_id = by.id
        db.session.flush()
        forget_states()
        logger.info("Consensus draft %s confirmed by %s", draft.id, by.id)
        return None
    return submit(draft, by=by)


def reopen(assessment: Assessment, *, by: User) -> AssessmentDraft:
    """Start a new revision of a submitted answer, as a draft holding what it said.

    The submitted revision stays as it was; the participant's next submission becomes
    revision n + 1.
    """
    latest = latest_revision(assessment.campaign_id, assessment.subject)
    if latest is None or latest.id != assessment.id:
        raise ans.AnswerRefused(_l("Seule la dernière version envoyée peut être rouverte."))
    exists = db.session.scalar(
        select(AssessmentDraft.id).where(
            AssessmentDraft.campaign_id == assessment.campaign_id,
            AssessmentDraft.subject == assessment.subject,
        )
    )
    if exists is not None:
        raise ans.AnswerRefused(_l("Cette réponse est déjà rouverte."))
    now = now_utc()
    draft = AssessmentDraft(
        campaign_id=assessment.campaign_id,
        viewpoint=assessment.viewpoint,
        subject=assessment.subject,
        territory_id=assessment.territory_id,
        participant_id=assessment.participant_id,
        data=ans.to_data(ans.from_assessment(assessment)),
        revises_id=assessment.id,
        reopened_by_id=by.id,
        created_at=now,
        updated_at=now,
        updated_by_id=by.id,
    )
    db.session.add(draft)
    db.session.flush()
    forget_states()
    logger.info("Answer %s reopened by %s as draft %s", assessment.id, by.id, draft.id)
    return draft
