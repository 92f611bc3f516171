"""Text typed in a suivi form is not lost when the session expires before it is saved.

A coach writing a long compte rendu may pass the idle timeout (PARCOURS_IDLE_TIMEOUT_MINUTES):
the save then arrives from a visitor nobody knows, and would be refused. Every suivi form
carries a signed token naming whom it was rendered for and which form it is (:func:`token`).
When such a form is posted without a session, :func:`keep_posted` stores what was typed for
that person (the token proves who; a stranger cannot make one), and the login page follows.
Once logged in again, the same form opens with the text back (:func:`restore`), to be
checked and saved; the draft stays until that save (:func:`discard`) or until it is a day
old (:func:`prune`, hourly), so that a GET never writes.

Long notes do not fit in a cookie (attendance sheets keep their marks in one), hence a table.
"""

import logging
from datetime import datetime, timedelta

from flask import current_app, request
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import delete, select
from werkzeug.datastructures import MultiDict

from parcours.core.extensions import db
from parcours.core.time import now_utc
from parcours.suivi.models import FormDraft

logger = logging.getLogger(__name__)

#: The hidden field every suivi form carries.
TOKEN_FIELD = "draft_token"  # noqa: S105  (a field name, not a secret)

#: How long a form's token, and the draft kept from it, stay valid.
MAX_AGE = timedelta(hours=24)

#: Fields never kept: they steer the request rather than hold what was typed.
_NOT_KEPT = frozenset({"csrf_token", TOKEN_FIELD})

#: More than this is not a note someone typed.
MAX_CHARACTERS = 200_000


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.secret_key, salt="suivi-form-draft")


def token(user_id: int, form_key: str) -> str:
    """Return the token a form carries: whom it was rendered for, which form, and when."""
    # The time is ours (core.time), not the signer's clock, so that tests can move it.
    return _serializer().dumps([user_id, form_key, int(now_utc().timestamp())])


def _read_token(raw: str) -> tuple[int, str] | None:
    try:
        user_id, form_key, issued = _serializer().loads(raw)
    except (BadSignature, TypeError, ValueError):
        return None
    if not isinstance(user_id, int) or not isinstance(form_key, str):
        return None
    if not isinstance(issued, int) or now_utc().timestamp() - issued > MAX_AGE.total_seconds():
        return None
    return user_id, form_key


def keep_posted(*, user_id: int | None = None) -> str | None:
    """Keep what the posted form holds for the person its token names; return the form's key.

    Returns None (and keeps nothing) when the form has no valid token, nothing typed, or,
    with ``user_id``, a token that names someone else. Adds the draft to the session: the
    caller commits.
    """
    found = _read_token(request.form.get(TOKEN_FIELD, ""))
    if found is None or (user_id is not None and found[0] != user_id):
        return None
    user_id, form_key = found
    data = {name: request.form.getlist(name) for name in request.form if name not in _NOT_KEPT}
    typed = sum(len(value) for values in data.values() for value in values)
    if not typed or typed > MAX_CHARACTERS:
        return None
    draft = db.session.scalar(
        select(FormDraft).where(FormDraft.user_id == user_id, FormDraft.form_key == form_key)
    )
    if draft is None:
        draft = FormDraft(user_id=user_id, form_key=form_key)
        db.session.add(draft)
    draft.data = data
    draft.saved_at = now_utc()
    logger.info("Draft of %s kept for user %s after the session expired", form_key, user_id)
    return form_key


def restore(user_id: int, form_key: str) -> MultiDict | None:
    """Return what ``user_id`` typed in this form before their session expired, if anything."""
    draft = db.session.scalar(
        select(FormDraft).where(
            FormDraft.user_id == user_id,
            FormDraft.form_key == form_key,
            FormDraft.saved_at > now_utc() - MAX_AGE,
        )
    )
    if draft is None:
        return None
    return MultiDict([(name, value) for name, values in draft.data.items() for value in values])


def discard(user_id: int, form_key: str) -> None:
    """Forget the draft of this form: it has been saved, or given up."""
    db.session.execute(
        delete(FormDraft).where(FormDraft.user_id == user_id, FormDraft.form_key == form_key)
    )


def stale(now: datetime):
    """Return the condition of the drafts older than :data:`MAX_AGE` at ``now``."""
    return FormDraft.saved_at <= now - MAX_AGE


def prune(now: datetime | None = None) -> int:
    """Delete the drafts older than :data:`MAX_AGE`; return how many went."""
    result = db.session.execute(delete(FormDraft).where(stale(now or now_utc())))
    return result.rowcount
