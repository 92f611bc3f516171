"""The exports of every rating: a campaign's, and a whole cohort's, as CSV or XLSX."""

from flask_babel import lazy_gettext as _l
from flask_login import current_user

from parcours.audit import labels as audit_labels
from parcours.audit import operations as audit
from parcours.audit.models import AuditAction
from parcours.cohorts.models import Cohort
from parcours.competences import permissions as can
from parcours.competences.blueprint import bp
from parcours.competences.exports import queries, render
from parcours.competences.exports import sections as _sections  # noqa: F401  (receivers)
from parcours.competences.models import AssessmentCampaign
from parcours.core.downloads import file_response
from parcours.core.pipeline import handles

audit_labels.name_values("document", {"ratings": _l("niveaux des auto-évaluations")})

#: The formats an export comes in; any other extension is no page (404).
_FORMAT = "<any(csv, xlsx):fmt>"


@bp.get(f"/auto-evaluations/<int:campaign_id>/export.{_FORMAT}")
@handles(load={"campaign": AssessmentCampaign}, allow=can.can_export_campaign)
def campaign_export(campaign: AssessmentCampaign, fmt: str):
    """Download every current rating of a campaign."""
    return _download(queries.campaign_ratings(campaign), fmt, campaign.cohort_id, campaign)


@bp.get(f"/cohorts/<int:cohort_id>/auto-evaluations/export.{_FORMAT}")
@handles(load={"cohort": Cohort}, allow=can.can_read_everything)
def cohort_export(cohort: Cohort, fmt: str):
    """Download every current rating of every campaign of a cohort."""
    return _download(queries.cohort_ratings(cohort), fmt, cohort.id, cohort)


def _download(export: queries.RatingsExport, fmt: str, cohort_id: int, target):
    content, mimetype = render.FORMATS[fmt](export)
    audit.record(
        AuditAction.EXPORTED,
        actor=current_user,
        cohort=cohort_id,
        target=target,
        details={"document": "ratings", "format": fmt},
    )
    return file_response(content, export.filename(fmt), mimetype)
