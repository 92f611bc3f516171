"""Who may read or write what of the competences. Pages, links, exports and e-mails ask here.

Who sees what (issue « compétences », § 4):

- a **participant** (catalyseur): their own answers, their territory's consensus and coach
  appréciation, the cohort's aggregates;
- their **binôme partner**: the consensus and, only where the participant shared them, their
  individual answers;
- the **coach**: everything about the territories they follow;
- **coordinators** (and administrators): everything in their cohort;
- the **Comité d'orientation**: the cohort's aggregates only, above the threshold
  (``PARCOURS_COHORT_MIN_ANSWERS``), never a person's or a territory's answer.
"""

from sqlalchemy import exists, select

from parcours.accounts.models import User
from parcours.cohorts.models import Cohort, Membership, Role, Territory
from parcours.cohorts.permissions import can_manage_cohort, membership, role_in
from parcours.competences.models import Assessment, AssessmentCampaign, Viewpoint
from parcours.core.extensions import db
from parcours.suivi.permissions import is_binome, is_team


def can_read_referential(user: User, cohort: Cohort) -> bool:
    """Everyone in the cohort reads its referential, and administrators.

    Coordinators, coaches, catalyseurs and the Comité d'orientation alike: it is the common
    language of the parcours, holds nothing personal, and its Moodle file says no more than
    the page.
    """
    return user.is_authenticated and (user.is_admin or role_in(user, cohort) is not None)


# -- Campaigns ---------------------------------------------------------------------------------


def can_run_campaigns(user: User, cohort: Cohort) -> bool:
    """Open, extend, close, follow, remind, reopen, export: the cohort's coordinators."""
    return can_manage_cohort(user, cohort)


def can_run_campaign(user: User, campaign: AssessmentCampaign) -> bool:
    return can_run_campaigns(user, campaign.cohort)


def is_participant(user: User, cohort: Cohort) -> bool:
    """Tell whether ``user`` self-assesses in ``cohort``: a catalyseur of one of its territories."""
    if not user.is_authenticated:
        return False
    member = membership(user, cohort.id)
    return member is not None and member.role == Role.CATALYSEUR and member.territory_id is not None


def participant_territory_id(user: User, cohort: Cohort) -> int | None:
    """Return the territory ``user`` self-assesses for in ``cohort``, or None."""
    if not is_participant(user, cohort):
        return None
    return membership(user, cohort.id).territory_id


def is_coach_of(user: User, territory: Territory) -> bool:
    """Tell whether ``user`` is the coach following ``territory`` (not merely the team)."""
    if not user.is_authenticated or territory.coach_id != user.id:
        return False
    member = membership(user, territory.cohort_id)
    return member is not None and member.role == Role.COACH


def has_binome(territory: Territory) -> bool:
    """A consensus needs two catalyseurs: a single catalyseur has self and coach views only."""
    return len(territory.catalyseurs) >= 2


def can_answer(
    user: User, viewpoint: Viewpoint, territory: Territory, participant_id: int | None
) -> bool:
    """Tell whether ``user`` may write (draft, submit, confirm) this answer.

    Their own self-assessment; their territory's consensus, when it is a binôme; the coach's
    appréciation of a territory they follow. Nobody writes an answer for someone else.
    """
    if viewpoint is Viewpoint.SELF:
        return participant_id == user.id and is_binome(user, territory)
    if viewpoint is Viewpoint.CONSENSUS:
        return is_binome(user, territory) and has_binome(territory)
    return is_coach_of(user, territory)


# -- Reading answers --------------------------------------------------------------------------


def can_read_self(user: User, territory: Territory, participant_id: int, shared: bool) -> bool:
    """One person's self-assessment: themselves, the team (coordinators, the territory's
    coach), and their binôme partner only where they shared it (``shared``)."""
    if not user.is_authenticated:
        return False
    if user.id == participant_id:
        return True
    if is_team(user, territory):
        return True
    return shared and is_binome(user, territory)


def can_read_territory(user: User, territory: Territory) -> bool:
    """A territory's consensus and coach appréciation: its binôme and the team."""
    return is_team(user, territory) or is_binome(user, territory)


def can_read_answers_of(user: User, territory: Territory) -> bool:
    """Whether ``user`` may open a territory's answers page at all (what it shows is then
    filtered by :func:`can_read_self`)."""
    return can_read_territory(user, territory)


def can_read_cohort_figures(user: User, cohort: Cohort) -> bool:
    """The cohort's aggregates (median, quartiles, counts above the threshold): everyone in
    the cohort, the Comité d'orientation included, and administrators."""
    return user.is_authenticated and (user.is_admin or role_in(user, cohort) is not None)


def can_read_everything(user: User, cohort: Cohort) -> bool:
    """Every answer of the cohort, exports included: coordinators and administrators."""
    return can_manage_cohort(user, cohort)


# -- The territory's viewpoints: the binôme's consensus and the coach's appréciation ---------


def can_read_consensus(user: User, territory: Territory) -> bool:
    """A binôme's consensus page: the binôme and the team, for a territory with two catalyseurs.

    A single catalyseur has no consensus (self and coach only); the Comité d'orientation and
    other territories' catalyseurs never read it.
    """
    return has_binome(territory) and can_read_territory(user, territory)


def can_write_consensus(user: User, territory: Territory) -> bool:
    """Draft and confirm a consensus: the territory's two catalyseurs, nobody else."""
    return can_answer(user, Viewpoint.CONSENSUS, territory, None)


def can_read_appraisal(user: User, territory: Territory) -> bool:
    """A coach's appréciation page: the territory's binôme (or single catalyseur) and the team."""
    return can_read_territory(user, territory)


def can_write_appraisal(user: User, territory: Territory) -> bool:
    """Draft and send the appréciation: the coach who follows the territory, nobody else."""
    return can_answer(user, Viewpoint.COACH, territory, None)


# -- Progression -------------------------------------------------------------------------------


def can_read_own_progression(user: User, cohort: Cohort) -> bool:
    """« Ma progression » and « Mon bilan »: the cohort's catalyseurs, about themselves."""
    return is_participant(user, cohort)


def can_read_participant_progression(user: User, participant: Membership) -> bool:
    """One catalyseur's progression (``participant``: their membership of the cohort): as
    :func:`can_read_self` — themselves, the team, and their binôme partner when at least one
    of their answers is shared (the page then shows the shared ones only)."""
    territory = participant.territory
    if not user.is_authenticated or territory is None:
        return False
    if user.id == participant.user_id or is_team(user, territory):
        return True
    if not is_binome(user, territory):
        return False
    shared = db.session.scalar(
        select(
            exists().where(
                Assessment.participant_id == participant.user_id,
                Assessment.viewpoint == Viewpoint.SELF.value,
                Assessment.shared_with_partner.is_(True),
                Assessment.campaign_id == AssessmentCampaign.id,
                AssessmentCampaign.cohort_id == participant.cohort_id,
            )
        )
    )
    return can_read_self(user, territory, participant.user_id, bool(shared))


def can_read_territory_progression(user: User, territory: Territory) -> bool:
    """A territory's progression (consensus, coach, the self-assessments one may read): as
    :func:`can_read_territory`."""
    return can_read_territory(user, territory)


def can_see_campaigns(user: User, cohort: Cohort) -> bool:
    """A cohort's campaigns (their list and each campaign's page): its coordinators, coaches
    and catalyseurs, and administrators.

    Not the Comité d'orientation: a campaign's page is about who has answered, person by
    person; the committee reads the cohort's aggregates elsewhere.
    """
    if not user.is_authenticated:
        return False
    if user.is_admin:
        return True
    return role_in(user, cohort) in (Role.COORDINATOR, Role.COACH, Role.CATALYSEUR)


def can_see_campaign(user: User, campaign: AssessmentCampaign) -> bool:
    return can_see_campaigns(user, campaign.cohort)


# -- The self-assessment form -----------------------------------------------------------------


def can_self_assess(user: User, campaign: AssessmentCampaign) -> bool:
    """Open one's own self-assessment form of a campaign: the catalyseurs of its cohort."""
    return is_participant(user, campaign.cohort)


def can_read_self_assessment(user: User, subject) -> bool:
    """Read a participant's self-assessment of a campaign: :func:`can_read_self`.

    ``subject`` (``self_assessment.queries.SelfSubject``) names the participant, their
    territory and whether their latest submitted revision is shared with their partner:
    a revision not shared, or nothing submitted yet, is not the partner's to read.
    """
    return can_read_self(user, subject.territory, subject.participant.id, subject.shared)


def can_export_campaign(user: User, campaign: AssessmentCampaign) -> bool:
    """A campaign's ratings as a file: whoever reads every answer of its cohort."""
    return can_read_everything(user, campaign.cohort)
