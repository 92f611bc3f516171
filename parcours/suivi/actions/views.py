"""Ticking an action item done, or reopening it: from a record, a list, or the owner's pages."""

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from parcours.core.forms import EmptyForm
from parcours.core.pipeline import handles
from parcours.core.urls import safe_next
from parcours.suivi.actions import links, operations
from parcours.suivi.actions import subscribers as _subscribers  # noqa: F401  (its sections)
from parcours.suivi.blueprint import bp
from parcours.suivi.models import ActionItem
from parcours.suivi.permissions import can_tick_action_item


def _back(item: ActionItem) -> str:
    """Return where the button was pressed (the form's ``next``), else what the item came from."""
    fallback = links.source_url(item) or url_for(
        "cohorts.territory", territory_id=item.territory_id
    )
    return safe_next(request.form.get("next"), fallback)


@bp.post("/suivi/actions/<int:item_id>/tick")
@handles(load={"item": ActionItem}, allow=can_tick_action_item)
def tick_action_item(item: ActionItem):
    """Mark an action item done."""
    if not EmptyForm().validate_on_submit():
        abort(400)
    if operations.tick(item, current_user):
        flash(_("Action cochée : « %(title)s » est faite.", title=item.title), "success")
    else:
        flash(_("Cette action était déjà cochée."), "info")
    return redirect(_back(item))


@bp.post("/suivi/actions/<int:item_id>/untick")
@handles(load={"item": ActionItem}, allow=can_tick_action_item)
def untick_action_item(item: ActionItem):
    """Reopen an action item ticked by mistake."""
    if not EmptyForm().validate_on_submit():
        abort(400)
    if operations.untick(item, current_user):
        flash(_("« %(title)s » est de nouveau à faire.", title=item.title), "success")
    else:
        flash(_("Cette action était déjà à faire."), "info")
    return redirect(_back(item))


bp.add_app_template_global(links.source_url, "action_source_url")
