"""Read-side of the competences: each page's data in a fixed number of queries."""

import functools
from dataclasses import dataclass

from flask import g, has_request_context
from sqlalchemy import bindparam, case, exists, literal, select, union_all
from sqlalchemy.orm import aliased, contains_eager, selectinload

from parcours.agenda.models import Event
from parcours.cohorts.models import Cohort
from parcours.competences.models import (
    Assessment,
    AssessmentCampaign,
    AssessmentDraft,
    AssessmentRating,
)
from parcours.core.extensions import db
from parcours.curricula import moodle
from parcours.curricula.schema import Domain, EventKind, Level


@dataclass(frozen=True)
class ReferentialPage:
    """A cohort's referential as its page shows it: the version the cohort started with."""

    name: str
    programme: str
    version: int
    levels: tuple[Level, ...]
    domains: tuple[Domain, ...]

    @property
    def competence_count(self) -> int:
        return sum(len(domain.competences) for domain in self.domains)


def cohort_referential(cohort: Cohort) -> ReferentialPage:
    """Return the referential of the curriculum version ``cohort`` is pinned to.

    The cohort's row brings its version's (and the document is parsed once per process):
    no query of its own.
    """
    document = cohort.curriculum
    return ReferentialPage(
        name=document.referential.name,
        programme=document.programme.name,
        version=cohort.curriculum_version.number,
        levels=tuple(document.referential.levels),
        domains=tuple(document.referential.domains),
    )


def moodle_file(cohort: Cohort) -> tuple[bytes, str]:
    """Return the cohort's referential as a Moodle framework file, and the file's name.

    Raises MoodleExportError when Moodle's format cannot hold it.
    """
    return moodle.framework_file(cohort.curriculum, cohort.curriculum_version.number)


# -- Campaigns and answers --------------------------------------------------------------------


@dataclass(frozen=True)
class MomentRow:
    """An assessment moment of a cohort: its agenda event, and its campaign once opened."""

    event: Event
    campaign: AssessmentCampaign | None


def moments(cohort: Cohort) -> list[MomentRow]:
    """Return the cohort's assessment moments in date order, each with its campaign.

    One query per request: the blocks of one page (campaigns, consensus, appréciations) all
    ask, and a page has a query budget. Opening a campaign forgets it (:func:`forget_moments`);
    the other changes (dates, closure) change the very objects returned.
    """
    cache = g.setdefault("competences_moments", {}) if has_request_context() else {}
    if cohort.id not in cache:
        cache[cohort.id] = _moments(cohort)
    return cache[cohort.id]


def forget_moments() -> None:
    """Make the next :func:`moments` read the database again (a campaign was opened)."""
    if has_request_context():
        g.pop("competences_moments", None)


def _moments(cohort: Cohort) -> list[MomentRow]:
    rows = db.session.execute(_moments_statement(), {"cohort_id": cohort.id}).all()
    return [MomentRow(event, campaign) for event, campaign in rows]


@functools.cache
def _moments_statement():
    # Built once per process: every page of a cohort with competences runs it.
    return (
        select(Event, AssessmentCampaign)
        .outerjoin(AssessmentCampaign, AssessmentCampaign.event_id == Event.id)
        .where(Event.cohort_id == bindparam("cohort_id"), Event.kind == EventKind.ASSESSMENT)
        .order_by(Event.starts_at, Event.code)
        # The campaign's event is the row's own: its eager INNER JOIN would drop the moments
        # that have no campaign yet.
        .options(contains_eager(AssessmentCampaign.event))
    )


def is_current():
    """A clause keeping, of each subject's revisions in a campaign, the last one only.

    Submitted rows are never updated, so « current » cannot be a flag: it is « no later
    revision exists », which the unique (campaign, subject, revision) index answers.
    """
    later = aliased(Assessment)
    return ~exists().where(
        later.campaign_id == Assessment.campaign_id,
        later.subject == Assessment.subject,
        later.revision > Assessment.revision,
    )


def revisions(campaign_id: int, subject: str) -> list[Assessment]:
    """Return every submitted revision of a subject in a campaign, the latest first."""
    return list(
        db.session.scalars(
            select(Assessment)
            .where(Assessment.campaign_id == campaign_id, Assessment.subject == subject)
            .options(selectinload(Assessment.ratings).selectinload(AssessmentRating.evidence))
            .order_by(Assessment.revision.desc())
        )
    )


@dataclass(frozen=True)
class AnswerState:
    """Where one subject's answer stands in a campaign: sent, and/or being (re)written."""

    submitted: bool = False
    draft: bool = False
    #: A consensus draft one partner has confirmed.
    confirmed: bool = False
    #: The draft is a revision a coordinator reopened: writable even once the campaign closed.
    reopened: bool = False


def answer_states(campaign_ids, territory_ids) -> dict[tuple[int, str], AnswerState]:
    """Return the state of every answer about these territories in these campaigns, by
    (campaign id, subject); a subject absent from it has not started.

    One query (drafts and submissions together), asked once per request for the same ids:
    the self-assessment's, the consensus's and the appréciation's blocks of one page share it.
    """
    campaign_ids, territory_ids = tuple(sorted(campaign_ids)), tuple(sorted(territory_ids))
    if not campaign_ids or not territory_ids:
        return {}
    cache = g.setdefault("competences_states", {}) if has_request_context() else {}
    key = (campaign_ids, territory_ids)
    if key in cache:
        return cache[key]
    rows = db.session.execute(
        _answer_states_statement(),
        {"campaign_ids": list(campaign_ids), "territory_ids": list(territory_ids)},
    )
    found: dict[tuple[int, str], AnswerState] = {}
    for campaign_id, subject, submitted, draft, confirmed, reopened in rows:
        was = found.get((campaign_id, subject), AnswerState())
        found[(campaign_id, subject)] = AnswerState(
            submitted=was.submitted or bool(submitted),
            draft=was.draft or bool(draft),
            confirmed=was.confirmed or bool(confirmed),
            reopened=was.reopened or bool(reopened),
        )
    cache[key] = found
    return found


@functools.cache
def _answer_states_statement():
    # Built once per process: « Mon parcours », « Mes territoires » and the campaign pages
    # run it on every request.
    campaigns = bindparam("campaign_ids", expanding=True)
    territories = bindparam("territory_ids", expanding=True)
    return union_all(
        select(
            Assessment.campaign_id,
            Assessment.subject,
            literal(1),
            literal(0),
            literal(0),
            literal(0),
        ).where(Assessment.campaign_id.in_(campaigns), Assessment.territory_id.in_(territories)),
        select(
            AssessmentDraft.campaign_id,
            AssessmentDraft.subject,
            literal(0),
            literal(1),
            case((AssessmentDraft.confirmed_by_id.is_(None), 0), else_=1),
            case((AssessmentDraft.revises_id.is_(None), 0), else_=1),
        ).where(
            AssessmentDraft.campaign_id.in_(campaigns),
            AssessmentDraft.territory_id.in_(territories),
        ),
    )


def forget_states() -> None:
    """Make the next :func:`answer_states` read the database again (an answer changed)."""
    if has_request_context():
        g.pop("competences_states", None)
