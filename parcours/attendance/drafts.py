"""A sheet posted after the idle timeout is not lost: its marks come back after the login.

When the session has expired (PARCOURS_IDLE_TIMEOUT_MINUTES), the sheet's POST arrives from
an anonymous visitor and would be refused. Instead, the marks the user changed are kept in a
signed cookie of their own (the login empties the session, against fixation) and shown again
once the same person has logged in again, still to be saved: nothing is written for a
visitor nobody knows, and the save that follows has the usual rules (what the page showed
travels with the marks, so a mark changed meanwhile is a conflict).

The sheet carries a signed token naming who it was rendered for; a draft is kept only for a
sheet with a valid token, and shown only to that person.
"""

from datetime import timedelta

from flask import Response, after_this_request, current_app, request, url_for
from itsdangerous import BadSignature, URLSafeTimedSerializer

#: How long a sheet's token, and the marks kept from it, stay valid.
DRAFT_MAX_AGE = timedelta(hours=24)

#: Beyond this, browsers drop a cookie: the marks are then not kept (long comments only).
COOKIE_MAX_BYTES = 3800

COOKIE = "parcours_sheet_draft"
_PREFIXES = ("status_", "comment_", "shown_status_", "shown_comment_")


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt=f"attendance-sheet-{purpose}")


def sheet_token(user_id: int, event_id: int) -> str:
    """Return the token a sheet carries: who it was rendered for, and when."""
    return _serializer("token").dumps([user_id, event_id])


def _token_owner(token: str, event_id: int) -> int | None:
    try:
        user_id, token_event = _serializer("token").loads(
            token, max_age=int(DRAFT_MAX_AGE.total_seconds())
        )
    except (BadSignature, TypeError, ValueError):
        return None
    return user_id if token_event == event_id else None


def _changed_fields(form) -> dict[str, str]:
    """Return the fields of each half-day the user changed, with what the page showed."""
    kept = {}
    for name in form:
        if not name.startswith("status_"):
            continue
        key = name.removeprefix("status_")
        values = {prefix: form.get(prefix + key, "") for prefix in _PREFIXES}
        typed = (values["status_"], values["comment_"].strip())
        shown = (values["shown_status_"], values["shown_comment_"].strip())
        if typed != shown:
            kept.update({prefix + key: value for prefix, value in values.items()})
    return kept


def keep(response: Response, event_id: int) -> bool:
    """Keep the changed marks of the posted sheet in ``response``'s cookie; say if it could."""
    owner = _token_owner(request.form.get("sheet_token", ""), event_id)
    fields = _changed_fields(request.form)
    if owner is None or not fields:
        return False
    value = _serializer("draft").dumps([owner, event_id, fields])
    if len(value) > COOKIE_MAX_BYTES:
        return False
    response.set_cookie(
        COOKIE,
        value,
        max_age=int(DRAFT_MAX_AGE.total_seconds()),
        path=_path(event_id),
        secure=current_app.config.get("SESSION_COOKIE_SECURE", False),
        httponly=True,
        samesite="Lax",
    )
    return True


def take(user_id: int, event_id: int) -> dict[str, str]:
    """Return the marks kept for ``user_id`` on this sheet, and have the cookie dropped."""
    raw = request.cookies.get(COOKIE)
    if not raw:
        return {}

    @after_this_request
    def _drop(response: Response) -> Response:
        response.delete_cookie(COOKIE, path=_path(event_id), httponly=True, samesite="Lax")
        return response

    try:
        owner, draft_event, fields = _serializer("draft").loads(
            raw, max_age=int(DRAFT_MAX_AGE.total_seconds())
        )
    except (BadSignature, TypeError, ValueError):
        return {}
    if (owner, draft_event) != (user_id, event_id) or not isinstance(fields, dict):
        return {}
    return {
        str(name): str(value) for name, value in fields.items() if str(name).startswith(_PREFIXES)
    }


def _path(event_id: int) -> str:
    return url_for("attendance.mark", event_id=event_id)
