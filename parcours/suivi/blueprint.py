"""The suivi's blueprint, shared by the views of records, visits, journal and dashboards.

A suivi form posted after the idle timeout keeps what was typed (see ``drafts``): the hook
runs before CSRF would refuse the expired session's token, so these views are exempt from
the global check and protect themselves (``protect``).
"""

from flask import Blueprint, current_app, flash, redirect, request
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import CSRFError

from parcours.core.extensions import csrf, db, login_manager
from parcours.core.pipeline import Rollback
from parcours.suivi import drafts

bp = Blueprint("suivi", __name__)

#: Endpoints whose forms keep a draft when posted after the idle timeout.
DRAFT_ENDPOINTS: set[str] = set()


def keeps_drafts(view):
    """Mark a view whose form, posted once the session expired, keeps what was typed."""
    DRAFT_ENDPOINTS.add(f"{bp.name}.{view.__name__}")
    csrf.exempt(view)
    return view


def protect() -> None:
    """Check the CSRF token of a draft-keeping view's POST (exempt from the global check).

    A form whose token died with an earlier session (its author logged in again meanwhile,
    in another tab) is not refused with what was typed: its author's text is kept as a draft,
    and the same form opens again with it, to be checked and saved.
    """
    if request.method != "POST" or not current_app.config["WTF_CSRF_ENABLED"]:
        return
    try:
        csrf.protect()
    except CSRFError:
        if drafts.keep_posted(user_id=current_user.id) is None:
            raise
        db.session.commit()  # the draft only: nothing of the refused save was done yet
        raise Rollback(redirect(request.url)) from None


@bp.before_request
def keep_form_after_timeout():
    """Keep a form posted after the session expired, then ask to log in.

    For every endpoint of :data:`DRAFT_ENDPOINTS`; a blueprint above the suivi whose forms
    keep their text the same way (the self-assessment) registers it too.
    """
    if (
        request.method != "POST"
        or request.endpoint not in DRAFT_ENDPOINTS
        or current_user.is_authenticated
    ):
        return None
    response = login_manager.unauthorized()
    if drafts.keep_posted() is not None:
        db.session.commit()  # no pipeline runs for this anonymous request
        flash(
            _(
                "Votre session a expiré. Reconnectez-vous : ce que vous avez saisi sera "
                "affiché à nouveau, à enregistrer."
            ),
            "info",
        )
    return response
