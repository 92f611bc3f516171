"""Where field-visit reports show on the pages of lower domains: a visit's page, a territory's."""

from flask import render_template
from markupsafe import Markup

from parcours.agenda.models import EventKind
from parcours.agenda.sections import event_actions
from parcours.cohorts.sections import page_section
from parcours.core.sections import Section
from parcours.suivi import permissions as can
from parcours.suivi.visits import queries

#: After the calendar (100) on a territory's page.
SECTION_ORDER = 130


@event_actions.connect
def visit_report_action(page: str, *, event, viewer) -> Section | None:
    """Offer « Compte rendu de visite » on a field visit's page, or « Voir le compte rendu »."""
    if event.kind != EventKind.FIELD_VISIT or event.territory is None:
        return None
    if not can.can_read_suivi(viewer, event.territory):
        return None
    report = queries.report_of_event(event.id)
    readable = report is not None and can.can_read_visit_report(viewer, report)
    writable = report is None and can.can_report_visit(viewer, event)
    if not (readable or writable):
        return None
    html = render_template("suivi/visits/_event_actions.html", event=event, report=report)
    return Section(order=SECTION_ORDER, html=Markup(html))  # noqa: S704  (rendered by Jinja, escaped)


@page_section.connect
def visit_reports_section(page: str, *, cohort, viewer, territory=None) -> Section | None:
    """List a territory's visit reports on its page, and the visits still to report."""
    if page != "territory" or territory is None or not can.can_read_suivi(viewer, territory):
        return None
    visits = queries.territory_visits(territory, with_deleted=can.is_team(viewer, territory))
    html = render_template(
        "suivi/visits/_territory_section.html",
        territory=territory,
        reports=visits.reports,
        to_report=visits.to_report if can.can_write_suivi(viewer, territory) else [],
    )
    return Section(order=SECTION_ORDER, html=Markup(html))  # noqa: S704  (rendered by Jinja, escaped)
