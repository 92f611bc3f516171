"""Where surveys show on the cohort pages: my invitations on « Mon parcours », and a link to
the cohort's surveys on its overview (coordinators, Comité d'orientation)."""

from flask import render_template
from markupsafe import Markup

from parcours.cohorts.permissions import is_catalyseur
from parcours.cohorts.sections import page_section
from parcours.core.sections import Section
from parcours.core.time import now_utc
from parcours.evaluation.surveys import queries
from parcours.evaluation.surveys.permissions import can_manage_surveys, can_read_surveys


@page_section.connect
def my_surveys_section(page: str, *, cohort, viewer, territory=None) -> Section | None:
    """List on « Mon parcours » the surveys I am asked to fill in, and those I answered."""
    if page != "my_path" or not is_catalyseur(viewer, cohort):
        return None
    invitations = queries.my_invitations(cohort, viewer, now_utc())  # one query
    if not invitations:
        return None
    html = render_template("evaluation/surveys/_my_surveys.html", invitations=invitations)
    return Section(order=27, html=Markup(html))  # noqa: S704  (rendered by Jinja, escaped)


@page_section.connect
def cohort_surveys_section(page: str, *, cohort, viewer, territory=None) -> Section | None:
    """Link the cohort's overview to its surveys, for those who read them."""
    if page != "overview" or not can_read_surveys(viewer, cohort):
        return None
    html = render_template(
        "evaluation/surveys/_cohort_section.html",
        cohort=cohort,
        has_templates=bool(cohort.curriculum.surveys),
        manages=can_manage_surveys(viewer, cohort),
    )
    return Section(order=37, html=Markup(html))  # noqa: S704  (rendered by Jinja, escaped)
