"""How attendance answers the signals of the pages below it: buttons on an event's page, links
to a catalyseur's own record on « Mon parcours » and to a coach's figures on « Mes territoires »."""

from flask import render_template
from markupsafe import Markup

from parcours.agenda.permissions import can_take_attendance
from parcours.agenda.sections import event_actions
from parcours.attendance.operations import check_in_window
from parcours.attendance.permissions import can_check_in
from parcours.cohorts.sections import page_section
from parcours.core.sections import Section


@event_actions.connect
def attendance_actions(page: str, *, event, viewer) -> Section | None:
    """Offer the attendance sheet to those who take it, and check-in to those expected now."""
    take = can_take_attendance(viewer, event)
    # « Je suis là » only while a half-day's code works: weeks later it would only mislead.
    check_in = can_check_in(viewer, event) and check_in_window(event).is_open
    if not (take or check_in):
        return None
    html = render_template(
        "attendance/_event_actions.html",
        event=event,
        can_take_attendance=take,
        can_check_in=check_in,
    )
    return Section(order=100, html=Markup(html))  # noqa: S704  (rendered by Jinja, escaped)


@page_section.connect
def attendance_section(page: str, *, cohort, viewer, territory=None) -> Section | None:
    """Link « Mon parcours » to the catalyseur's record, « Mes territoires » to the figures."""
    if page not in ("my_path", "my_territories"):
        return None
    html = render_template(
        "attendance/_cohort_section.html", page=page, cohort=cohort, viewer=viewer
    )
    return Section(order=50, html=Markup(html))  # noqa: S704  (rendered by Jinja, escaped)
