"""Saving and sending a catalyseur's own self-assessment. Flush and log; never commit."""

import logging

from parcours.accounts.models import User
from parcours.cohorts.models import Territory
from parcours.competences import answers as ans
from parcours.competences import operations as ops
from parcours.competences.models import Assessment, AssessmentCampaign, AssessmentDraft, Viewpoint

logger = logging.getLogger(__name__)


def save(
    campaign: AssessmentCampaign, territory: Territory, answer: ans.AnswerInput, *, by: User
) -> AssessmentDraft:
    """Keep ``by``'s self-assessment of ``campaign`` as their draft."""
    draft = ops.save_draft(campaign, Viewpoint.SELF, territory, by.id, answer, by=by)
    logger.info("Self-assessment draft %s of campaign %s saved by %s", draft.id, campaign.id, by.id)
    return draft


def send(
    campaign: AssessmentCampaign, territory: Territory, answer: ans.AnswerInput, *, by: User
) -> Assessment:
    """Save then submit ``by``'s self-assessment of ``campaign``: it is frozen from then on."""
    return ops.submit(save(campaign, territory, answer, by=by), by=by)
