"""What packs add to the cohort's dashboard: the coordinator's way to the packs, and the
committee member's way to their space."""

from flask import render_template
from markupsafe import Markup

from parcours.cohorts.sections import page_section
from parcours.core.sections import Section
from parcours.evaluation.packs import permissions as can
from parcours.evaluation.packs import queries

#: After the competences' blocks (30s): the évaluation's part of the dashboard.
ORDER = 60


@page_section.connect
def packs_section(page: str, *, cohort, viewer, territory=None) -> Section | None:
    """Link the dashboard to the packs: to generate them, or to read them."""
    if page != "overview" or not can.can_read_packs(viewer, cohort):
        return None
    blocks = queries.headlines(cohort)
    if not blocks:
        return None
    manages = can.can_manage_packs(viewer, cohort)
    html = render_template(
        "evaluation/packs/_cohort_section.html",
        cohort=cohort,
        manages=manages,
        blocks=blocks,
    )
    return Section(order=ORDER, html=Markup(html))  # noqa: S704  (rendered by Jinja, escaped)
