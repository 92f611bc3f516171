"""Every current rating of a campaign or of a cohort, as rows of a spreadsheet.

The rows are gathered in two statements whatever the size of the cohort: the ratings with
their answer, campaign, moment, territory and participant, then the curriculum versions their
codes refer to (labels come from the version an answer was given against).
"""

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from parcours.accounts.models import User
from parcours.agenda.models import Event
from parcours.cohorts.models import Cohort, Territory
from parcours.competences.answers import UNKNOWN_LABEL, items_for
from parcours.competences.models import (
    Assessment,
    AssessmentCampaign,
    AssessmentRating,
    Viewpoint,
)
from parcours.competences.queries import is_current
from parcours.core.extensions import db
from parcours.core.text import slug, sort_key
from parcours.curricula.models import CurriculumVersion

#: The columns of every export, in their order.
COLUMNS = (
    _l("Code du moment"),
    _l("Moment"),
    _l("Territoire"),
    _l("Participant"),
    _l("E-mail"),
    _l("Point de vue"),
    _l("Code du domaine"),
    _l("Domaine"),
    _l("Code de la compétence"),
    _l("Compétence"),
    _l("Niveau"),
    _l("Libellé du niveau"),
    _l("Je ne sais pas"),
    _l("Révision"),
    _l("Soumis le"),
    _l("Commentaire"),
)

#: The sheet of each viewpoint in a workbook.
SHEETS = {
    Viewpoint.SELF: _l("Auto-évaluations"),
    Viewpoint.CONSENSUS: _l("Consensus"),
    Viewpoint.COACH: _l("Appréciations"),
}
_VIEWPOINT_ORDER = {viewpoint: index for index, viewpoint in enumerate(Viewpoint)}


@dataclass(frozen=True)
class RatingRow:
    """One rating of a current revision: a competence (or, for the coach, a domain)."""

    viewpoint: Viewpoint
    moment_code: str
    moment_name: str
    territory: str
    participant_name: str
    participant_email: str
    domain_code: str
    domain_name: str
    competence_code: str
    competence_label: str
    level: int | None
    level_label: str
    unknown: bool
    revision: int
    #: In the cohort's time zone, without its offset (what a spreadsheet shows).
    submitted_at: datetime
    comment: str

    def cells(self) -> tuple:
        """Return the row's values in the order of :data:`COLUMNS`."""
        return (
            self.moment_code,
            self.moment_name,
            self.territory,
            self.participant_name,
            self.participant_email,
            self.viewpoint.label,
            self.domain_code,
            self.domain_name,
            self.competence_code,
            self.competence_label,
            self.level,
            self.level_label,
            self.unknown,
            self.revision,
            self.submitted_at,
            self.comment,
        )


@dataclass(frozen=True)
class RatingsExport:
    """The rows of one export and the name its files take."""

    cohort: Cohort
    campaign: AssessmentCampaign | None
    rows: tuple[RatingRow, ...]

    def filename(self, extension: str) -> str:
        """Name the file after the cohort and, for one campaign, its moment (ASCII only)."""
        parts = ["auto-evaluations", slug(self.cohort.name, "cohorte")]
        if self.campaign is not None:
            parts.append(slug(self.campaign.moment_code, "moment"))
        return "-".join(parts) + "." + extension

    def of(self, viewpoint: Viewpoint) -> list[RatingRow]:
        return [row for row in self.rows if row.viewpoint is viewpoint]


def campaign_ratings(campaign: AssessmentCampaign) -> RatingsExport:
    """Return every current rating of ``campaign``."""
    rows = _rows(AssessmentCampaign.id == campaign.id, campaign.cohort)
    return RatingsExport(campaign.cohort, campaign, rows)


def cohort_ratings(cohort: Cohort) -> RatingsExport:
    """Return every current rating of every campaign of ``cohort``."""
    return RatingsExport(cohort, None, _rows(AssessmentCampaign.cohort_id == cohort.id, cohort))


def _rows(where, cohort: Cohort) -> tuple[RatingRow, ...]:
    found = db.session.execute(
        select(
            AssessmentRating.code,
            AssessmentRating.level,
            AssessmentRating.comment,
            Assessment.viewpoint,
            Assessment.revision,
            Assessment.submitted_at,
            Assessment.curriculum_version_id,
            AssessmentCampaign.moment_code,
            Event.title,
            Event.starts_at,
            Territory.name,
            User.full_name,
            User.email,
        )
        .join(Assessment, AssessmentRating.assessment_id == Assessment.id)
        .join(AssessmentCampaign, Assessment.campaign_id == AssessmentCampaign.id)
        .join(Event, AssessmentCampaign.event_id == Event.id)
        .join(Territory, Assessment.territory_id == Territory.id)
        .outerjoin(User, Assessment.participant_id == User.id)
        .where(where, is_current())
    ).all()
    labels = _labels({row.curriculum_version_id for row in found})
    zone = ZoneInfo(cohort.timezone)
    rows = []
    for row in found:
        viewpoint = Viewpoint(row.viewpoint)
        items, levels = labels[row.curriculum_version_id]
        per_domain = viewpoint.per_domain
        by_code = items[per_domain]
        index, item = by_code.get(row.code, (len(by_code), None))  # an unknown code last
        rows.append(
            (
                (
                    _VIEWPOINT_ORDER[viewpoint],
                    row.starts_at,
                    row.moment_code,
                    sort_key(row.name),
                    sort_key(row.full_name or ""),
                    index,
                    row.code,
                ),
                RatingRow(
                    viewpoint=viewpoint,
                    moment_code=row.moment_code,
                    moment_name=row.title,
                    territory=row.name,
                    participant_name=row.full_name or "",
                    participant_email=row.email or "",
                    domain_code=item.domain_code if item else (row.code if per_domain else ""),
                    domain_name=item.domain_name if item else "",
                    competence_code="" if per_domain else row.code,
                    competence_label="" if per_domain or item is None else item.label,
                    level=row.level,
                    level_label=str(UNKNOWN_LABEL)
                    if row.level is None
                    else levels.get(row.level, ""),
                    unknown=row.level is None,
                    revision=row.revision,
                    submitted_at=row.submitted_at.astimezone(zone).replace(tzinfo=None),
                    comment=row.comment,
                ),
            )
        )
    rows.sort(key=lambda pair: pair[0])
    return tuple(row for _key, row in rows)


def _labels(version_ids: set[int]) -> dict[int, tuple[dict, dict[int, str]]]:
    """Return, per curriculum version, its items by code (competences, domains) and level labels."""
    if not version_ids:
        return {}
    versions = db.session.scalars(
        select(CurriculumVersion).where(CurriculumVersion.id.in_(version_ids))
    )
    labels = {}
    for version in versions:
        document = version.document
        items = {
            per_domain: {
                item.code: (index, item)
                for index, item in enumerate(
                    items_for(Viewpoint.COACH if per_domain else Viewpoint.SELF, document)
                )
            }
            for per_domain in (False, True)
        }
        levels = {level.value: level.label for level in document.referential.levels}
        labels[version.id] = (items, levels)
    return labels
