"""Read-side of the competences: each page's data in a fixed number of queries."""

from dataclasses import dataclass

from flask import g, has_request_context
from sqlalchemy import exists, select
from sqlalchemy.orm import aliased, contains_eager, selectinload

from parcours.agenda.models import Event
from parcours.cohorts.models import Cohort
from parcours.competences.models import Assessment, AssessmentCampaign, AssessmentRating
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
    rows = db.session.execute(
        select(Event, AssessmentCampaign)
        .outerjoin(AssessmentCampaign, AssessmentCampaign.event_id == Event.id)
        .where(Event.cohort_id == cohort.id, Event.kind == EventKind.ASSESSMENT)
        .order_by(Event.starts_at, Event.code)
        # The campaign's event is the row's own: its eager INNER JOIN would drop the moments
        # that have no campaign yet.
        .options(contains_eager(AssessmentCampaign.event))
    ).all()
    return [MomentRow(event, campaign) for event, campaign in rows]


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
