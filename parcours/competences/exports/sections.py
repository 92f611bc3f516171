"""Links to the exports: on a campaign's page and on the cohort's dashboard, for coordinators."""

from flask import render_template
from markupsafe import Markup

from parcours.cohorts.sections import page_section
from parcours.competences import permissions as can
from parcours.competences.queries import moments
from parcours.competences.sections import campaign_section
from parcours.core.sections import Section


@campaign_section.connect
def campaign_exports(page: str, *, campaign, viewer) -> Section | None:
    """Offer the campaign's ratings, and the cohort's, to those who read every answer."""
    if not can.can_export_campaign(viewer, campaign):
        return None
    html = render_template("competences/exports/_campaign_section.html", campaign=campaign)
    return Section(order=60, html=Markup(html))  # noqa: S704  (rendered by Jinja, escaped)


@page_section.connect
def dashboard_exports(page: str, *, cohort, viewer, territory=None) -> Section | None:
    """Offer, on the dashboard, each opened campaign's ratings and the whole cohort's."""
    if page != "overview" or not can.can_read_everything(viewer, cohort):
        return None
    campaigns = [row.campaign for row in moments(cohort) if row.campaign is not None]
    if not campaigns:
        return None
    html = render_template(
        "competences/exports/_dashboard_section.html", cohort=cohort, campaigns=campaigns
    )
    # Right after the referential's block (30): the competences' part of the dashboard.
    return Section(order=31, html=Markup(html))  # noqa: S704  (rendered by Jinja, escaped)
