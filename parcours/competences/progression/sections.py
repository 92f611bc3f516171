"""Links to the progression from the pages people start from and from a campaign's page."""

from flask import render_template
from markupsafe import Markup

from parcours.cohorts.sections import page_section
from parcours.competences import permissions as can
from parcours.competences.sections import campaign_section
from parcours.core.sections import Section


def _links(cohort, viewer, territory=None) -> list[tuple[str, str, dict]]:
    """Return (label key, endpoint, values) of the progression pages ``viewer`` may open."""
    links = []
    if can.can_read_own_progression(viewer, cohort):
        links.append(("own", "competences.my_progression", {"cohort_id": cohort.id}))
    if territory is not None and can.can_read_territory_progression(viewer, territory):
        links.append(
            ("territory", "competences.territory_progression", {"territory_id": territory.id})
        )
    if can.can_read_cohort_figures(viewer, cohort):
        links.append(("cohort", "competences.cohort_progression", {"cohort_id": cohort.id}))
    return links


def _render(cohort, links) -> Markup:
    html = render_template("competences/progression/_links.html", cohort=cohort, links=links)
    return Markup(html)  # noqa: S704  (rendered by Jinja, escaped)


@page_section.connect
def progression_section(page: str, *, cohort, viewer, territory=None) -> Section | None:
    """Link the dashboard, « Mon parcours », « Mes territoires » and a territory's page to the
    progression pages the viewer may read."""
    if page == "overview":
        territory = None  # the dashboard shows the cohort's picture only
    # « Mes territoires » links each followed territory's page, which links its progression:
    # listing them here too would cost the page a query over its budget.
    links = _links(cohort, viewer, territory)
    if not links:
        return None
    return Section(order=35, html=_render(cohort, links))


@campaign_section.connect
def campaign_progression(page: str, *, campaign, viewer) -> Section | None:
    """Offer « voir ma progression » and the cohort's picture on a campaign's page."""
    links = _links(campaign.cohort, viewer)
    if not links:
        return None
    return Section(order=40, html=_render(campaign.cohort, links))
