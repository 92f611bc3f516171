"""How the competences answer the signals of the domains below: a link to the referential on
the pages each role starts from (dashboard, « Mon parcours », « Mes territoires »)."""

from flask import render_template
from markupsafe import Markup

from parcours.cohorts.sections import page_section
from parcours.competences.permissions import can_read_referential
from parcours.competences.queries import cohort_referential
from parcours.core.sections import Section

#: The page each role lands on: the dashboard (coordinators, the Comité d'orientation,
#: administrators), « Mon parcours » (catalyseurs) and « Mes territoires » (coaches).
_PAGES = ("overview", "my_path", "my_territories")


@page_section.connect
def referential_section(page: str, *, cohort, viewer, territory=None) -> Section | None:
    """Link the pages each role starts from to the cohort's referential."""
    if page not in _PAGES or not can_read_referential(viewer, cohort):
        return None
    html = render_template(
        "competences/_cohort_section.html",
        cohort=cohort,
        referential=cohort_referential(cohort),
    )
    return Section(order=30, html=Markup(html))  # noqa: S704  (rendered by Jinja, escaped)
