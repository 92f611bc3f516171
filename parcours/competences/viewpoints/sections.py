"""Where the consensus and the appréciation are reached from: the campaign's page (orders 20
and 30 of :data:`~parcours.competences.sections.campaign_section`), « Mon parcours » and
« Mes territoires » (:data:`~parcours.cohorts.sections.page_section`). Statuses only, never
the content of an answer."""

from flask import render_template
from markupsafe import Markup

from parcours.cohorts.models import Territory
from parcours.cohorts.sections import page_section
from parcours.competences import permissions as can
from parcours.competences.sections import campaign_section
from parcours.competences.viewpoints import queries
from parcours.core.extensions import db
from parcours.core.sections import Section


def _section(order: int, template: str, **context) -> Section:
    html = render_template(template, **context)
    return Section(order=order, html=Markup(html))  # noqa: S704  (rendered by Jinja, escaped)


@campaign_section.connect
def consensus_block(page: str, *, campaign, viewer) -> Section | None:
    """Show a catalyseur where their binôme's consensus stands (or that they have none)."""
    territory_id = can.participant_territory_id(viewer, campaign.cohort)
    if territory_id is None:
        return None
    territory = db.session.get(Territory, territory_id)
    state = None
    if can.has_binome(territory):
        found = queries.states([campaign.id], [territory.id])
        state = found.get(
            (campaign.id, queries.territory_subject(territory.id)), queries.State.NONE
        )
    return _section(
        20,
        "competences/viewpoints/_campaign_consensus.html",
        campaign=campaign,
        territory=territory,
        state=state,
    )


@campaign_section.connect
def appraisal_block(page: str, *, campaign, viewer) -> Section | None:
    """Show a coach their followed territories in the campaign: the states of each viewpoint."""
    rows = [
        row
        for row in queries.coach_rows(campaign, viewer)
        if can.is_coach_of(viewer, row.territory)
    ]
    if not rows:
        return None
    return _section(
        30, "competences/viewpoints/_campaign_appraisals.html", campaign=campaign, rows=rows
    )


@page_section.connect
def viewpoints_to_do(page: str, *, cohort, viewer, territory=None) -> Section | None:
    """On « Mon parcours », the consensus to agree; on « Mes territoires », the appréciations."""
    if page == "my_path" and territory is not None and can.can_write_consensus(viewer, territory):
        todo = queries.consensus_to_agree(cohort, territory)
        kind = "consensus"
    elif page == "my_territories" and viewer.is_authenticated:
        todo = queries.appraisals_to_record(cohort, viewer)
        kind = "appraisal"
    else:
        return None
    if not todo:
        return None
    return _section(35, "competences/viewpoints/_to_do.html", todo=todo, kind=kind)
