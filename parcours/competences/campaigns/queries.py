"""Read-side of campaigns: each moment's state, who has answered, who is late.

The status rules live here once, for the follow-up page, the reminders and whoever else
needs them: a catalyseur **has answered** a campaign when a self-assessment of theirs is
submitted and no reopened revision of it is pending; everyone else is **late**.
"""

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import and_, exists, func, select
from sqlalchemy.orm import aliased, joinedload

from parcours.accounts.models import User
from parcours.agenda.days import last_day
from parcours.agenda.models import Event
from parcours.cohorts.models import Cohort, Membership, Role, Territory
from parcours.competences.models import (
    Assessment,
    AssessmentCampaign,
    AssessmentDraft,
    CampaignMailing,
    Viewpoint,
)
from parcours.competences.queries import moments
from parcours.core.extensions import db


class MomentState(StrEnum):
    UPCOMING = "upcoming"  # no campaign yet
    OPEN = "open"
    CLOSED = "closed"


class AnswerState(StrEnum):
    NOT_STARTED = "not_started"
    DRAFT = "draft"
    #: A consensus draft one partner confirmed, waiting for the other.
    CONFIRMED = "confirmed"
    SUBMITTED = "submitted"
    #: A coordinator reopened the submitted answer; its new revision is a draft.
    REOPENED = "reopened"


def last_answering_day(campaign_or_event: AssessmentCampaign | Event) -> date:
    """Return the last local day one may answer: the day before the window's end, or the day
    of an early closure."""
    if isinstance(campaign_or_event, AssessmentCampaign):
        event, ends_at = campaign_or_event.event, campaign_or_event.closes_at
    else:
        event, ends_at = campaign_or_event, campaign_or_event.ends_at
    zone = event.cohort.timezone
    if ends_at != event.ends_at:  # closed early: the closing day was the last one
        return ends_at.astimezone(_zone(zone)).date()
    return last_day(ends_at, zone)


def _zone(name: str):
    from zoneinfo import ZoneInfo

    return ZoneInfo(name)


def local_today(cohort: Cohort, now: datetime) -> date:
    """Return the date it is at ``now`` in the cohort's time zone."""
    return now.astimezone(_zone(cohort.timezone)).date()


# -- Who has answered ------------------------------------------------------------------------


def _participants(cohort_id, began_at=None):
    """The catalyseurs of a cohort who self-assess (a territory, an active account).

    With ``began_at`` (a campaign's start), those who counted then too: an erased person's
    answer stays in the figures of the campaigns held before the erasure.
    """
    return and_(
        Membership.cohort_id == cohort_id,
        Membership.role == Role.CATALYSEUR,
        Membership.territory_id.is_not(None),
        User.id == Membership.user_id,
        User.active.is_(True) if began_at is None else User.counts_at(began_at),
    )


def has_answered(campaign_id, user_id):
    """A clause: ``user_id`` has a submitted self-assessment in the campaign, not reopened."""
    submitted = exists().where(
        Assessment.campaign_id == campaign_id,
        Assessment.viewpoint == Viewpoint.SELF,
        Assessment.participant_id == user_id,
    )
    pending = exists().where(
        AssessmentDraft.campaign_id == campaign_id,
        AssessmentDraft.viewpoint == Viewpoint.SELF,
        AssessmentDraft.participant_id == user_id,
    )
    return and_(submitted, ~pending)


def late_participants(campaign: AssessmentCampaign) -> list[User]:
    """Return the catalyseurs who have not answered ``campaign`` yet, by name. One query."""
    return list(
        db.session.scalars(
            select(User)
            .join(Membership, Membership.user_id == User.id)
            .where(
                _participants(campaign.cohort_id),
                ~has_answered(campaign.id, Membership.user_id),
            )
            .order_by(User.full_name, User.id)
        )
    )


@dataclass(frozen=True)
class MomentRow:
    """A moment of the campaign list: its event, its campaign once opened, and its counts."""

    event: Event
    campaign: AssessmentCampaign | None
    state: MomentState
    last_day: date
    answered: int
    expected: int


def moment_rows(cohort: Cohort, now: datetime) -> list[MomentRow]:
    """Return the cohort's moments with their state and counts. Three queries, whatever the
    number of moments, participants and answers."""
    found = moments(cohort)
    expected = dict(
        db.session.execute(
            select(Event.id, func.count(Membership.id))
            .select_from(Event)
            .join(Membership, Membership.cohort_id == Event.cohort_id)
            .join(User, User.id == Membership.user_id)
            .where(
                Event.id.in_([moment.event.id for moment in found]),
                _participants(cohort.id, Event.starts_at),
            )
            .group_by(Event.id)
        ).all()
    )
    answered = dict(
        db.session.execute(
            select(AssessmentCampaign.id, func.count(Membership.id))
            .select_from(AssessmentCampaign)
            .join(Event, Event.id == AssessmentCampaign.event_id)
            .join(Membership, Membership.cohort_id == AssessmentCampaign.cohort_id)
            .join(User, User.id == Membership.user_id)
            .where(
                AssessmentCampaign.cohort_id == cohort.id,
                _participants(cohort.id, Event.starts_at),
                has_answered(AssessmentCampaign.id, Membership.user_id),
            )
            .group_by(AssessmentCampaign.id)
        ).all()
    )
    rows = []
    for moment in found:
        campaign = moment.campaign
        if campaign is None:
            state = MomentState.UPCOMING
        else:
            state = MomentState.OPEN if campaign.is_open(now) else MomentState.CLOSED
        rows.append(
            MomentRow(
                event=moment.event,
                campaign=campaign,
                state=state,
                last_day=last_answering_day(campaign or moment.event),
                answered=answered.get(campaign.id, 0) if campaign else 0,
                expected=expected.get(moment.event.id, 0),
            )
        )
    return rows


# -- The follow-up ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ParticipantStatus:
    """Where one catalyseur stands in a campaign."""

    user: User
    name: str
    territory_id: int
    state: AnswerState
    #: The latest submitted revision, if any (its id lets a coordinator reopen it).
    assessment_id: int | None
    revision: int | None
    submitted_at: datetime | None
    #: When the pending draft was last saved.
    saved_at: datetime | None

    @property
    def late(self) -> bool:
        return self.state is not AnswerState.SUBMITTED


@dataclass(frozen=True)
class TerritoryAnswer:
    """Where a territory's consensus or coach appréciation stands."""

    state: AnswerState
    assessment_id: int | None = None
    revision: int | None = None
    submitted_at: datetime | None = None
    saved_at: datetime | None = None
    confirmed_by_id: int | None = None


@dataclass(frozen=True)
class TerritoryStatus:
    """A territory of the follow-up: its catalyseurs, its consensus and its coach's view."""

    territory: Territory
    participants: list[ParticipantStatus]
    #: None for a single catalyseur: there is no consensus to agree.
    consensus: TerritoryAnswer | None
    #: None when no coach follows the territory.
    coach: TerritoryAnswer | None
    coach_name: str | None

    def name_of(self, user_id: int | None) -> str:
        return next((p.name for p in self.participants if p.user.id == user_id), "—")

    def waiting_for(self) -> list[str]:
        """The partners who have not confirmed a confirmed consensus draft yet."""
        if self.consensus is None or self.consensus.confirmed_by_id is None:
            return []
        return [p.name for p in self.participants if p.user.id != self.consensus.confirmed_by_id]


@dataclass(frozen=True)
class FollowUp:
    territories: list[TerritoryStatus]

    @property
    def participants(self) -> list[ParticipantStatus]:
        return [p for t in self.territories for p in t.participants]

    def count(self, state: AnswerState) -> int:
        return sum(1 for p in self.participants if p.state is state)

    @property
    def late(self) -> int:
        return sum(1 for p in self.participants if p.late)


def _state(revision, draft_revises, has_draft, confirmed_by_id=None) -> AnswerState:
    if has_draft:
        if draft_revises is not None:
            return AnswerState.REOPENED
        return AnswerState.CONFIRMED if confirmed_by_id is not None else AnswerState.DRAFT
    return AnswerState.SUBMITTED if revision is not None else AnswerState.NOT_STARTED


def _latest(alias, campaign_id: int, viewpoint: Viewpoint, on):
    """Join condition: ``alias`` is the latest revision of the viewpoint's answer."""
    later = aliased(Assessment)
    return and_(
        alias.campaign_id == campaign_id,
        alias.viewpoint == viewpoint,
        on,
        ~exists().where(
            later.campaign_id == alias.campaign_id,
            later.subject == alias.subject,
            later.revision > alias.revision,
        ),
    )


def participant_statuses(campaign: AssessmentCampaign) -> list[ParticipantStatus]:
    """Return every catalyseur's status in ``campaign``, by territory then name. One query."""
    answer, draft = aliased(Assessment), aliased(AssessmentDraft)
    rows = db.session.execute(
        select(
            Membership,
            User,
            answer.id,
            answer.revision,
            answer.submitted_at,
            draft.id,
            draft.revises_id,
            draft.updated_at,
        )
        .select_from(Membership)
        .join(User, User.id == Membership.user_id)
        .outerjoin(
            answer,
            _latest(
                answer, campaign.id, Viewpoint.SELF, answer.participant_id == Membership.user_id
            ),
        )
        .outerjoin(
            draft,
            and_(
                draft.campaign_id == campaign.id,
                draft.viewpoint == Viewpoint.SELF,
                draft.participant_id == Membership.user_id,
            ),
        )
        .where(_participants(campaign.cohort_id, campaign.event.starts_at))
        .order_by(Membership.territory_id, User.full_name, User.id)
    ).all()
    return [
        ParticipantStatus(
            user=user,
            name=member.shown_name,
            territory_id=member.territory_id,
            state=_state(revision, revises, draft_id is not None),
            assessment_id=answer_id,
            revision=revision,
            submitted_at=submitted_at,
            saved_at=saved_at,
        )
        for member, user, answer_id, revision, submitted_at, draft_id, revises, saved_at in rows
    ]


def _territory_answers(
    campaign: AssessmentCampaign, viewpoint: Viewpoint
) -> dict[int, TerritoryAnswer]:
    answer, draft = aliased(Assessment), aliased(AssessmentDraft)
    rows = db.session.execute(
        select(
            Territory.id,
            answer.id,
            answer.revision,
            answer.submitted_at,
            draft.id,
            draft.revises_id,
            draft.updated_at,
            draft.confirmed_by_id,
        )
        .select_from(Territory)
        .outerjoin(
            answer, _latest(answer, campaign.id, viewpoint, answer.territory_id == Territory.id)
        )
        .outerjoin(
            draft,
            and_(
                draft.campaign_id == campaign.id,
                draft.viewpoint == viewpoint,
                draft.territory_id == Territory.id,
            ),
        )
        .where(Territory.cohort_id == campaign.cohort_id)
    ).all()
    found = {}
    for (
        territory_id,
        answer_id,
        revision,
        submitted_at,
        draft_id,
        revises,
        saved,
        confirmed,
    ) in rows:
        found[territory_id] = TerritoryAnswer(
            state=_state(revision, revises, draft_id is not None, confirmed),
            assessment_id=answer_id,
            revision=revision,
            submitted_at=submitted_at,
            saved_at=saved,
            confirmed_by_id=confirmed,
        )
    return found


def follow_up(campaign: AssessmentCampaign) -> FollowUp:
    """Return the campaign's follow-up, per territory. Five queries, whatever the cohort's size."""
    statuses = participant_statuses(campaign)
    consensus = _territory_answers(campaign, Viewpoint.CONSENSUS)
    coach = _territory_answers(campaign, Viewpoint.COACH)
    by_territory: dict[int, list[ParticipantStatus]] = {}
    for status in statuses:
        by_territory.setdefault(status.territory_id, []).append(status)
    coach_user = aliased(User)
    territories = db.session.execute(
        select(Territory, coach_user.full_name)
        .outerjoin(coach_user, coach_user.id == Territory.coach_id)
        .where(Territory.id.in_(list(by_territory) or [-1]))
        .order_by(Territory.name, Territory.id)
    ).all()
    return FollowUp(
        [
            TerritoryStatus(
                territory=territory,
                participants=by_territory[territory.id],
                consensus=consensus.get(territory.id)
                if len(by_territory[territory.id]) >= 2
                else None,
                coach=coach.get(territory.id) if territory.coach_id else None,
                coach_name=coach_name,
            )
            for territory, coach_name in territories
        ]
    )


def mailings(campaign: AssessmentCampaign) -> list[CampaignMailing]:
    """Return the campaign's e-mailings, the latest first."""
    return list(
        db.session.scalars(
            select(CampaignMailing)
            .where(CampaignMailing.campaign_id == campaign.id)
            .options(joinedload(CampaignMailing.sent_by))
            .order_by(CampaignMailing.sent_at.desc(), CampaignMailing.id.desc())
        )
    )


def open_campaign_of(cohort: Cohort, now: datetime) -> MomentRow | None:
    """Return the cohort's campaign open at ``now``, if any, without counts. One query."""
    for moment in moments(cohort):
        if moment.campaign is not None and moment.campaign.is_open(now):
            return MomentRow(
                moment.event,
                moment.campaign,
                MomentState.OPEN,
                last_answering_day(moment.campaign),
                0,
                0,
            )
    return None
