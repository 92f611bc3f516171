"""The dynamics' part of a territory's page: the latest recording and the change."""

from flask import render_template
from markupsafe import Markup

from parcours.cohorts.sections import page_section
from parcours.core.sections import Section
from parcours.suivi import permissions as can
from parcours.suivi.dynamics import queries
from parcours.suivi.models import DYNAMICS_MOMENT_LABELS


@page_section.connect
def dynamics_section(page: str, *, cohort, viewer, territory=None) -> Section | None:
    """Show the territory's dynamics to its team and binôme, with « Relever » for the team."""
    if page != "territory" or territory is None or not can.can_read_suivi(viewer, territory):
        return None
    html = render_template(
        "suivi/dynamics/_territory_section.html",
        territory=territory,
        dynamics=queries.territory_dynamics(territory),
        moment_labels=DYNAMICS_MOMENT_LABELS,
        can_write=can.can_write_suivi(viewer, territory),
    )
    return Section(order=40, html=Markup(html))  # noqa: S704  (rendered by Jinja, escaped)
