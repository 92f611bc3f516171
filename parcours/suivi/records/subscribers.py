"""The records on the pages below the suivi: a button on a meeting's page, a section on the
territory's page."""

from flask import render_template
from markupsafe import Markup

from parcours.agenda.sections import event_actions
from parcours.cohorts.sections import page_section
from parcours.core.sections import Section
from parcours.suivi import permissions as can
from parcours.suivi.actions.queries import local_today
from parcours.suivi.models import RECORDED_KINDS
from parcours.suivi.records import queries


@event_actions.connect
def record_button(page: str, *, event, viewer) -> Section | None:
    """Offer « Compte rendu » on a follow-up or bilatérale, then « Voir le compte rendu »."""
    if event.territory_id is None or event.kind not in RECORDED_KINDS:
        return None
    existing = queries.record_of_event(event)
    show = existing is not None and can.can_read_record(viewer, existing)
    write = existing is None and can.can_write_event_record(viewer, event)
    if not (show or write):
        return None
    html = render_template(
        "suivi/records/_event_actions.html", event=event, record=existing if show else None
    )
    return Section(order=60, html=Markup(html))  # noqa: S704  (rendered by Jinja, escaped)


@page_section.connect
def territory_suivi_section(page: str, *, cohort, viewer, territory=None) -> Section | None:
    """Sum up the territory's suivi on its page, for those who read it."""
    if page != "territory" or territory is None or not can.can_read_suivi(viewer, territory):
        return None
    html = render_template(
        "suivi/records/_territory_section.html",
        territory=territory,
        cohort=cohort,
        suivi=queries.territory_suivi(territory, local_today(cohort)),
        can_write=can.can_write_suivi(viewer, territory),
    )
    return Section(order=40, html=Markup(html))  # noqa: S704  (rendered by Jinja, escaped)
