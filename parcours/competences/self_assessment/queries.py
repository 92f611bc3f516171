"""What the self-assessment pages read, each in a fixed number of queries."""

from dataclasses import dataclass, field
from enum import StrEnum

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from parcours.accounts.models import User
from parcours.cohorts.models import Cohort, Territory
from parcours.cohorts.permissions import membership
from parcours.competences import operations as ops
from parcours.competences import queries
from parcours.competences.answers import Item
from parcours.competences.models import (
    Assessment,
    AssessmentCampaign,
    AssessmentDraft,
    AssessmentRating,
    Viewpoint,
    subject_of,
)
from parcours.competences.permissions import has_binome, participant_territory_id
from parcours.core.extensions import db
from parcours.core.i18n import format_date
from parcours.core.time import now_utc
from parcours.curricula.schema import Level
from parcours.suivi.journal.queries import Evidence, evidence_by_competence


class State(StrEnum):
    """Where a participant's answer to a campaign stands."""

    NOT_STARTED = "not_started"
    DRAFT = "draft"
    SUBMITTED = "submitted"


@dataclass(frozen=True)
class SelfSubject:
    """A participant of a campaign's cohort, with their territory and latest revision."""

    campaign: AssessmentCampaign
    participant: User
    territory: Territory
    latest: Assessment | None

    @property
    def shared(self) -> bool:
        return self.latest is not None and self.latest.shared_with_partner


def subject(campaign: AssessmentCampaign, user_id: int) -> SelfSubject | None:
    """Return the participant ``user_id`` of ``campaign``'s cohort, or None (not one)."""
    user = db.session.get(User, user_id)
    if user is None:
        return None
    territory_id = participant_territory_id(user, campaign.cohort)
    if territory_id is None:
        return None
    key = subject_of(Viewpoint.SELF, territory_id=territory_id, participant_id=user.id)
    latest = db.session.scalar(
        select(Assessment)
        .where(Assessment.campaign_id == campaign.id, Assessment.subject == key)
        .order_by(Assessment.revision.desc())
        .limit(1)
    )
    return SelfSubject(campaign, user, membership(user, campaign.cohort_id).territory, latest)


def history(campaign_id: int, participant_id: int) -> list[Assessment]:
    """Return every revision of a self-assessment, the latest first, with what they say and
    who submitted and reopened each. Four queries, whatever the number of revisions."""
    key = subject_of(Viewpoint.SELF, territory_id=0, participant_id=participant_id)
    return list(
        db.session.scalars(
            select(Assessment)
            .where(Assessment.campaign_id == campaign_id, Assessment.subject == key)
            .options(
                joinedload(Assessment.submitted_by),
                joinedload(Assessment.reopened_by),
                selectinload(Assessment.ratings).selectinload(AssessmentRating.evidence),
            )
            .order_by(Assessment.revision.desc())
        ).unique()
    )


@dataclass(frozen=True)
class Previous:
    """The participant's answer at the cohort's previous moment: its title and levels."""

    title: str
    #: Competence code → level (None: « je ne sais pas »).
    levels: dict[str, int | None]


def previous(campaign: AssessmentCampaign, participant_id: int) -> Previous | None:
    """Return the latest submitted revision of the moment before ``campaign``'s, if any.

    Moments are in the cohort's order (:func:`queries.moments`); the one just before has to
    have a campaign and an answer of this participant. Two queries.
    """
    rows = queries.moments(campaign.cohort)
    index = next((i for i, row in enumerate(rows) if row.event.id == campaign.event_id), None)
    if not index or rows[index - 1].campaign is None:
        return None
    earlier = rows[index - 1].campaign
    found = db.session.scalar(
        select(Assessment)
        .where(
            Assessment.campaign_id == earlier.id,
            Assessment.subject
            == subject_of(Viewpoint.SELF, territory_id=0, participant_id=participant_id),
            queries.is_current(),
        )
        .options(selectinload(Assessment.ratings))
    )
    if found is None:
        return None
    return Previous(earlier.title, {rating.code: rating.level for rating in found.ratings})


@dataclass
class FormPage:
    """What the self-assessment page of one participant and campaign shows."""

    campaign: AssessmentCampaign
    territory: Territory
    participant_id: int
    items: list[Item]
    levels: tuple[Level, ...]
    draft: AssessmentDraft | None
    revisions: list[Assessment]
    previous: Previous | None
    evidence: dict[str, list[Evidence]] = field(default_factory=dict)
    binome: bool = False

    @property
    def latest(self) -> Assessment | None:
        return self.revisions[0] if self.revisions else None

    @property
    def writable(self) -> bool:
        """A form to fill in: not submitted (or reopened), and the campaign takes answers."""
        if self.draft is None and self.latest is not None:
            return False
        return ops.may_write(self.campaign, self.draft)

    @property
    def reopened(self) -> bool:
        """A coordinator reopened the submitted answer: it is written whatever the dates."""
        return self.draft is not None and self.draft.revises_id is not None

    @property
    def state(self) -> State:
        if self.draft is not None:
            return State.DRAFT
        return State.SUBMITTED if self.latest is not None else State.NOT_STARTED

    def domains(self) -> list[tuple[str, str, list[Item]]]:
        """Return the items grouped by domain: (code, name, items), in the referential's order."""
        grouped: list[tuple[str, str, list[Item]]] = []
        for item in self.items:
            if not grouped or grouped[-1][0] != item.domain_code:
                grouped.append((item.domain_code, item.domain_name, []))
            grouped[-1][2].append(item)
        return grouped

    def level_label(self, level: int | None) -> str:
        for scale_level in self.levels:
            if scale_level.value == level:
                return scale_level.label
        return ""


def form_page(campaign: AssessmentCampaign, user: User, territory: Territory) -> FormPage:
    """Gather ``user``'s self-assessment page of ``campaign``. A fixed number of queries."""
    document = campaign.cohort.curriculum
    draft = ops.draft_for(campaign, Viewpoint.SELF, territory, user.id)
    page = FormPage(
        campaign=campaign,
        territory=territory,
        participant_id=user.id,
        items=ops.items(campaign, Viewpoint.SELF),
        levels=tuple(document.referential.levels),
        draft=draft,
        revisions=history(campaign.id, user.id),
        previous=previous(campaign, user.id),
        binome=has_binome(territory),
    )
    if page.writable:
        page.evidence = evidence_by_competence(
            user, territory, campaign.cohort.curriculum_version_id
        )
    return page


def answer_page(subject: SelfSubject) -> FormPage:
    """Gather a participant's submitted self-assessment, as others read it."""
    campaign = subject.campaign
    return FormPage(
        campaign=campaign,
        territory=subject.territory,
        participant_id=subject.participant.id,
        items=ops.items(campaign, Viewpoint.SELF),
        levels=tuple(campaign.cohort.curriculum.referential.levels),
        draft=None,
        revisions=history(campaign.id, subject.participant.id),
        previous=None,
    )


# -- Entry points -------------------------------------------------------------------------------


@dataclass(frozen=True)
class CampaignState:
    """A campaign and where ``participant``'s self-assessment of it stands."""

    campaign: AssessmentCampaign
    state: State
    #: A coordinator reopened the answer: writable whatever the campaign's dates.
    reopened: bool = False


def states(
    campaigns: list[AssessmentCampaign], participant_id: int, territory_id: int
) -> list[CampaignState]:
    """Return where the participant stands in each campaign. One query per request, shared
    with the other blocks of the page (:func:`queries.answer_states`)."""
    found = queries.answer_states([c.id for c in campaigns], [territory_id])
    return _states_in(found, campaigns, participant_id)


def _states_in(
    found: dict[tuple[int, str], queries.AnswerState],
    campaigns: list[AssessmentCampaign],
    participant_id: int,
) -> list[CampaignState]:
    """Where the participant stands in each campaign, read from answer states ``found``."""
    key = subject_of(Viewpoint.SELF, territory_id=0, participant_id=participant_id)
    result = []
    for campaign in campaigns:
        state = found.get((campaign.id, key))
        seen = set()
        if state is not None:
            if state.draft:
                seen.add(State.DRAFT)
            if state.submitted:
                seen.add(State.SUBMITTED)
        reopened = state is not None and state.reopened
        result.append(CampaignState(campaign, _state(seen), reopened))
    return result


def _state(found: set[State]) -> State:
    """A draft (a first one, or a reopened revision) is what stands; then a submission."""
    for state in (State.DRAFT, State.SUBMITTED):
        if state in found:
            return state
    return State.NOT_STARTED


def open_campaigns(cohort: Cohort, participant_id: int, territory_id: int) -> list[CampaignState]:
    """Return the campaigns the participant may answer now, with their state in each: those
    open, and those closed where a coordinator reopened the participant's answer."""
    now = now_utc()
    opened = [row.campaign for row in queries.moments(cohort) if row.campaign is not None]
    if not opened:
        return []
    found = queries.answer_states([c.id for c in opened], [territory_id])
    subject = subject_of(Viewpoint.SELF, territory_id=territory_id, participant_id=participant_id)
    writable = [
        campaign
        for campaign in opened
        if campaign.is_open(now) or getattr(found.get((campaign.id, subject)), "reopened", False)
    ]
    # The states of all opened campaigns answer for those kept: no second query for them.
    return _states_in(found, writable, participant_id)


# -- Evidence offered -----------------------------------------------------------------------


@dataclass(frozen=True)
class EvidenceChoice:
    """A piece of evidence as a check box offers it: ``value`` is ``journal:12``."""

    value: str
    title: str


_EVIDENCE_KINDS = {"journal_entry": "journal", "visit_report": "visit"}


def evidence_choices(page: FormPage) -> dict[str, list[EvidenceChoice]]:
    """Return, per competence code, the evidence the form offers, titled for the reader."""

    def titled(evidence: Evidence) -> str:
        day = format_date(evidence.day, "long")
        if evidence.kind == "visit_report":
            return _("Visite de terrain du %(day)s : %(places)s", day=day, places=evidence.title)
        if evidence.title:
            return _("%(title)s (carnet, %(day)s)", title=evidence.title, day=day)
        return _("Entrée du carnet du %(day)s", day=day)

    return {
        code: [EvidenceChoice(f"{_EVIDENCE_KINDS[e.kind]}:{e.id}", titled(e)) for e in offered]
        for code, offered in page.evidence.items()
    }
