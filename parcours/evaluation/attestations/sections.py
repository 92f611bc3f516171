"""Where the attestations are reached: « Mon parcours » for a catalyseur, the cohort's
dashboard for those who run it. A link each, no query."""

from flask import render_template
from markupsafe import Markup

from parcours.cohorts.sections import page_section
from parcours.core.sections import Section
from parcours.evaluation.attestations.permissions import (
    can_manage_attestations,
    can_read_own_attestation,
)


@page_section.connect
def attestation_section(page: str, *, cohort, viewer, territory=None) -> Section | None:
    """Link « Mon parcours » to my attestation, the dashboard to the cohort's list."""
    if page == "my_path" and can_read_own_attestation(viewer, cohort):
        mine = True
    elif page == "overview" and can_manage_attestations(viewer, cohort):
        mine = False
    else:
        return None
    html = render_template("evaluation/attestations/_section.html", cohort=cohort, mine=mine)
    return Section(order=90, html=Markup(html))  # noqa: S704  (rendered by Jinja, escaped)
