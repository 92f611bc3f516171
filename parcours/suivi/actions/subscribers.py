"""« Mes actions » on a catalyseur's « Mon parcours » and a coach's « Mes territoires »."""

from flask import render_template, request
from markupsafe import Markup

from parcours.cohorts.sections import page_section
from parcours.core.forms import EmptyForm
from parcours.core.sections import Section
from parcours.suivi.actions import queries
from parcours.suivi.permissions import can_tick_action_item

#: The owner's own pages.
PAGES = ("my_path", "my_territories")


@page_section.connect
def my_actions(page: str, *, cohort, viewer, territory=None) -> Section | None:
    """List the items ``viewer`` owns in this cohort and has not done, the late ones marked."""
    if page not in PAGES:
        return None
    items = queries.open_items_of_owner(viewer, cohort=cohort)
    today = queries.local_today(cohort)
    html = render_template(
        "suivi/actions/_my_actions.html",
        items=items,
        late=sum(item.is_overdue(today) for item in items),
        today=today,
        tickable={item.id for item in items if can_tick_action_item(viewer, item)},
        tick_form=EmptyForm(),
        back=request.full_path.rstrip("?"),
    )
    return Section(order=20, html=Markup(html))  # noqa: S704  (rendered by Jinja, escaped)
