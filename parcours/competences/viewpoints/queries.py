"""What the consensus and appréciation pages, and their entry points, read: a fixed number of
queries whatever the cohort's size."""

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from flask_babel import format_decimal
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from parcours.accounts.models import User
from parcours.cohorts.models import Cohort, Territory
from parcours.cohorts.queries import followed_territories
from parcours.competences import answers as ans
from parcours.competences import operations as ops
from parcours.competences import permissions as can
from parcours.competences import queries as base
from parcours.competences.models import (
    Assessment,
    AssessmentCampaign,
    AssessmentDraft,
    AssessmentRating,
    Viewpoint,
    subject_of,
)
from parcours.core.extensions import db
from parcours.core.time import now_utc


class State(StrEnum):
    """Where an answer stands in a campaign (a status only: never its content)."""

    NONE = "none"
    DRAFT = "draft"
    #: A consensus draft one partner confirmed.
    CONFIRMED = "confirmed"
    SUBMITTED = "submitted"

    @property
    def label(self) -> str:
        return str(_STATE_LABELS[self])


_STATE_LABELS = {
    State.NONE: _l("Pas commencé"),
    State.DRAFT: _l("Brouillon en cours"),
    State.CONFIRMED: _l("Confirmé par l'un des deux"),
    State.SUBMITTED: _l("Envoyé"),
}


def states(
    campaign_ids: Iterable[int], territory_ids: Iterable[int]
) -> dict[tuple[int, str], State]:
    """Return the state of every answer about these territories in these campaigns, by
    (campaign id, subject). One query per request (:func:`queries.answer_states`); subjects
    absent from the result have not started."""
    found: dict[tuple[int, str], State] = {}
    for key, state in base.answer_states(campaign_ids, territory_ids).items():
        # A draft reopened after a submission is being written again: it says so.
        if state.draft:
            found[key] = State.CONFIRMED if state.confirmed else State.DRAFT
        else:
            found[key] = State.SUBMITTED
    return found


def territory_subject(territory_id: int) -> str:
    return subject_of(Viewpoint.CONSENSUS, territory_id=territory_id, participant_id=None)


def coach_subject(territory_id: int) -> str:
    return subject_of(Viewpoint.COACH, territory_id=territory_id, participant_id=None)


def person_subject(user_id: int) -> str:
    return subject_of(Viewpoint.SELF, territory_id=0, participant_id=user_id)


# -- An individual answer, shown beside the consensus -------------------------------------------


@dataclass(frozen=True)
class Individual:
    """A catalyseur's own answer as the consensus page may show it."""

    name: str
    #: None where the viewer may not read it (the partner did not share it) or there is none.
    answer: ans.AnswerInput | None
    submitted: bool


def _individuals(campaign: AssessmentCampaign, territory: Territory, viewer: User):
    """Return (the viewer's own answer, the partner's) for the consensus page. Three queries."""
    members = [m for m in territory.catalyseurs if m.user_id is not None]
    subjects = {person_subject(m.user_id): m for m in members}
    drafts = {
        d.participant_id: d
        for d in db.session.scalars(
            select(AssessmentDraft).where(
                AssessmentDraft.campaign_id == campaign.id,
                AssessmentDraft.subject.in_(subjects),
            )
        )
    }
    submitted = {
        a.participant_id: a
        for a in db.session.scalars(
            select(Assessment)
            .where(
                Assessment.campaign_id == campaign.id,
                Assessment.subject.in_(subjects),
                base.is_current(),
            )
            .options(selectinload(Assessment.ratings).selectinload(AssessmentRating.evidence))
        )
    }
    mine = partner = None
    for member in members:
        draft, assessment = drafts.get(member.user_id), submitted.get(member.user_id)
        if draft is not None:
            answer, shared = ans.from_data(draft.data), bool(draft.data.get("share"))
        elif assessment is not None:
            answer, shared = ans.from_assessment(assessment), assessment.shared_with_partner
        else:
            answer, shared = None, False
        readable = can.can_read_self(viewer, territory, member.user_id, shared)
        shown = Individual(
            name=member.shown_name,
            answer=answer if readable else None,
            submitted=draft is None and assessment is not None,
        )
        if member.user_id == viewer.id:
            mine = shown
        else:
            partner = shown
    return mine, partner


# -- The pages ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class AnswerPage:
    """A territory's consensus or appréciation in a campaign, as its page shows it."""

    campaign: AssessmentCampaign
    territory: Territory
    viewpoint: Viewpoint
    items: tuple[ans.Item, ...]
    levels: tuple
    draft: AssessmentDraft | None
    #: Every submitted revision, the latest first.
    revisions: tuple[Assessment, ...]
    #: The viewer may write (the binôme, the coach) and the answer is open to writing.
    writable: bool
    #: The viewer is one who writes this answer, whether or not it is open now.
    writer: bool
    open: bool

    @property
    def latest(self) -> Assessment | None:
        return self.revisions[0] if self.revisions else None

    @property
    def level_labels(self) -> dict[int, str]:
        return {level.value: level.label for level in self.levels}

    def level_text(self, level: int | None, unknown: bool = False) -> str:
        """A level as the page writes it (« 2 · De plus en plus pratiqué »), or « je ne sais
        pas » (``unknown``), or nothing."""
        if level is not None:
            return f"{level} · {self.level_labels.get(level, '')}"
        return str(ans.UNKNOWN_LABEL) if unknown else ""


def _answer_page(
    campaign: AssessmentCampaign, territory: Territory, viewpoint: Viewpoint, writer: bool
) -> AnswerPage:
    subject = subject_of(viewpoint, territory_id=territory.id, participant_id=None)
    draft = ops.draft_for(campaign, viewpoint, territory, None)
    revisions = tuple(base.revisions(campaign.id, subject))
    writable = writer and ops.may_write(campaign, draft) and (draft is not None or not revisions)
    return AnswerPage(
        campaign=campaign,
        territory=territory,
        viewpoint=viewpoint,
        items=tuple(ops.items(campaign, viewpoint)),
        levels=tuple(campaign.cohort.curriculum.referential.levels),
        draft=draft,
        revisions=revisions,
        writable=writable,
        writer=writer,
        open=campaign.is_open(now_utc()),
    )


@dataclass(frozen=True)
class ConsensusPage(AnswerPage):
    mine: Individual | None = None
    partner: Individual | None = None
    names: tuple[str, ...] = ()


def consensus_page(
    campaign: AssessmentCampaign, territory: Territory, viewer: User
) -> ConsensusPage:
    """Return the binôme's consensus as ``viewer`` may see it, with their individual answers
    beside it while they draft (the partner's only where shared)."""
    page = _answer_page(
        campaign, territory, Viewpoint.CONSENSUS, can.can_write_consensus(viewer, territory)
    )
    mine = partner = None
    if page.writable:
        mine, partner = _individuals(campaign, territory, viewer)
    return ConsensusPage(
        **page.__dict__,
        mine=mine,
        partner=partner,
        names=tuple(m.shown_name for m in territory.catalyseurs),
    )


@dataclass(frozen=True)
class Reference:
    """The territory's own view per domain, beside the coach's: the mean of its competences."""

    title: str
    means: dict[str, float | None]

    def shown(self, code: str) -> str:
        """The mean of a domain, in the reader's notation (« 2,3 »), or a dash."""
        mean = self.means.get(code)
        return "—" if mean is None else format_decimal(mean, format="0.0")


@dataclass(frozen=True)
class AppraisalPage(AnswerPage):
    reference: Reference | None = None


def _domain_means(assessment: Assessment, document) -> dict[str, float | None]:
    levels = {rating.code: rating.level for rating in assessment.ratings}
    means = {}
    for domain in document.referential.domains:
        known = [levels[c.code] for c in domain.competences if levels.get(c.code) is not None]
        means[domain.code] = round(sum(known) / len(known), 1) if known else None
    return means


def _reference(campaign: AssessmentCampaign, territory: Territory, viewer: User):
    """The consensus (a binôme) or the single catalyseur's self-assessment, if submitted and
    readable by ``viewer``."""
    if can.has_binome(territory):
        if not can.can_read_territory(viewer, territory):
            return None
        subject, title = territory_subject(territory.id), _l("Consensus du binôme")
    else:
        members = [m for m in territory.catalyseurs if m.user_id is not None]
        if not members:
            return None
        subject = person_subject(members[0].user_id)
        title = _l("Auto-évaluation de %(name)s", name=members[0].shown_name)
    assessment = db.session.scalar(
        select(Assessment)
        .where(
            Assessment.campaign_id == campaign.id, Assessment.subject == subject, base.is_current()
        )
        .options(selectinload(Assessment.ratings))
    )
    if assessment is None:
        return None
    if assessment.viewpoint_enum is Viewpoint.SELF and not can.can_read_self(
        viewer, territory, assessment.participant_id, assessment.shared_with_partner
    ):
        return None
    return Reference(str(title), _domain_means(assessment, campaign.cohort.curriculum))


def appraisal_page(
    campaign: AssessmentCampaign, territory: Territory, viewer: User
) -> AppraisalPage:
    """Return the coach's appréciation as ``viewer`` may see it; the coach writing it gets the
    territory's own levels per domain for reference."""
    page = _answer_page(
        campaign, territory, Viewpoint.COACH, can.can_write_appraisal(viewer, territory)
    )
    reference = _reference(campaign, territory, viewer) if page.writable else None
    return AppraisalPage(**page.__dict__, reference=reference)


# -- Entry points ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class CoachRow:
    """A territory a coach follows, with the states of its answers in one campaign."""

    territory: Territory
    appraisal: State
    consensus: State | None  # None: a single catalyseur
    selves: tuple[tuple[str, State], ...]


def coach_rows(campaign: AssessmentCampaign, coach: User) -> list[CoachRow]:
    """Return the territories of the campaign's cohort ``coach`` follows. Four queries."""
    territories = list(
        db.session.scalars(
            select(Territory)
            .where(Territory.cohort_id == campaign.cohort_id, Territory.coach_id == coach.id)
            .options(selectinload(Territory.catalyseurs))
            .order_by(Territory.name_key)
        )
    )
    found = states([campaign.id], [t.id for t in territories])
    rows = []
    for territory in territories:
        members = [m for m in territory.catalyseurs if m.user_id is not None]
        rows.append(
            CoachRow(
                territory=territory,
                appraisal=found.get((campaign.id, coach_subject(territory.id)), State.NONE),
                consensus=found.get((campaign.id, territory_subject(territory.id)), State.NONE)
                if can.has_binome(territory)
                else None,
                selves=tuple(
                    (m.shown_name, found.get((campaign.id, person_subject(m.user_id)), State.NONE))
                    for m in members
                ),
            )
        )
    return rows


@dataclass(frozen=True)
class ToDo:
    """An answer still to give in an open campaign: its campaign, territory and state."""

    campaign: AssessmentCampaign
    territory: Territory
    state: State


def _open_campaigns(cohort: Cohort) -> list[AssessmentCampaign]:
    now = now_utc()
    return [
        row.campaign for row in base.moments(cohort) if row.campaign and row.campaign.is_open(now)
    ]


def consensus_to_agree(cohort: Cohort, territory: Territory) -> list[ToDo]:
    """Return the open campaigns where the binôme's consensus is not sent yet. Three queries."""
    if not can.has_binome(territory):
        return []
    campaigns = _open_campaigns(cohort)
    found = states([c.id for c in campaigns], [territory.id])
    subject = territory_subject(territory.id)
    return [
        ToDo(campaign, territory, state)
        for campaign in campaigns
        if (state := found.get((campaign.id, subject), State.NONE)) is not State.SUBMITTED
    ]


def appraisals_to_record(cohort: Cohort, coach: User) -> list[ToDo]:
    """Return, for each open campaign, the followed territories whose appréciation is not sent
    yet. Five queries."""
    campaigns = _open_campaigns(cohort)
    if not campaigns:
        return []
    territories = [t for t in followed_territories(cohort, coach) if can.is_coach_of(coach, t)]
    found = states([c.id for c in campaigns], [t.id for t in territories])
    return [
        ToDo(campaign, territory, state)
        for campaign in campaigns
        for territory in territories
        if (state := found.get((campaign.id, coach_subject(territory.id)), State.NONE))
        is not State.SUBMITTED
    ]
