"""The dashboards' parts of cohort pages: a coach's figures, the coordinators' link."""

from flask import render_template
from markupsafe import Markup

from parcours.cohorts.sections import page_section
from parcours.core.sections import Section
from parcours.suivi import permissions as can
from parcours.suivi.dashboards import queries


@page_section.connect
def coach_dashboard_section(page: str, *, cohort, viewer, territory=None) -> Section | None:
    """Show a coach, on « Mes territoires », the suivi figures of each territory they follow."""
    if page != "my_territories" or not can.can_view_coach_dashboard(viewer, cohort):
        return None
    html = render_template(
        "suivi/dashboards/_coach_section.html",
        cohort=cohort,
        dashboard=queries.coach_dashboard(cohort, viewer),
    )
    return Section(order=10, html=Markup(html))  # noqa: S704  (rendered by Jinja, escaped)


@page_section.connect
def cohort_suivi_link(page: str, *, cohort, viewer, territory=None) -> Section | None:
    """Link the cohort's dashboard to its suivi page, for those who run the cohort."""
    if page != "overview" or not can.can_view_cohort_suivi(viewer, cohort):
        return None
    html = render_template("suivi/dashboards/_overview_link.html", cohort=cohort)
    return Section(order=10, html=Markup(html))  # noqa: S704  (rendered by Jinja, escaped)
