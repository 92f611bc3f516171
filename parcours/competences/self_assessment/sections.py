"""Where a catalyseur finds their self-assessment: the campaign's page and « Mon parcours »."""

from flask import render_template
from markupsafe import Markup

from parcours.cohorts.sections import page_section
from parcours.competences.permissions import (
    can_self_assess,
    is_participant,
    participant_territory_id,
)
from parcours.competences.sections import campaign_section
from parcours.competences.self_assessment import queries
from parcours.core.sections import Section

TEMPLATE = "competences/self_assessment/_section.html"


@campaign_section.connect
def my_answer_section(page: str, *, campaign, viewer) -> Section | None:
    """Tell a participant, on the campaign's page, where their answer stands."""
    if not can_self_assess(viewer, campaign):
        return None
    rows = queries.states([campaign], viewer.id, participant_territory_id(viewer, campaign.cohort))
    html = render_template(TEMPLATE, rows=rows, heading=False)
    return Section(order=10, html=Markup(html))  # noqa: S704  (rendered by Jinja, escaped)


@page_section.connect
def open_campaigns_section(page: str, *, cohort, viewer, territory=None) -> Section | None:
    """List on « Mon parcours » the campaigns open now, each with its close date and button."""
    if page != "my_path" or not is_participant(viewer, cohort):
        return None
    rows = queries.open_campaigns(cohort, viewer.id, participant_territory_id(viewer, cohort))
    if not rows:
        return None
    html = render_template(TEMPLATE, rows=rows, heading=True)
    return Section(order=25, html=Markup(html))  # noqa: S704  (rendered by Jinja, escaped)
