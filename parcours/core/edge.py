"""Refuse, at the edge, before any view, form or query sees them: requests too large for
what they carry, and control characters.

Only a form that sends files (``multipart/form-data``) may use the whole request limit
(``MAX_CONTENT_LENGTH``, which follows the upload settings: tens of megabytes); any other
body is read in memory at once, and keeps :data:`FORM_MAX_BYTES`. Too large is a 413 page.

PostgreSQL refuses NUL in text, so a ``%00`` anywhere a value reaches the database was a 500
(``/calendar/%00.ics``, the login form). One check for every request: the path, the query
string, form fields and uploaded file names (not file contents: the CSV import reads those
and reports their lines). A multipart part whose name holds a line break comes out of the
parser with no name at all (``None``): that too is a control character, refused the same way.
"""

from flask import Flask, current_app, request
from flask_babel import lazy_gettext as _l

from parcours.core.text import has_control_characters

MESSAGE = _l(
    "La demande contient un caractère de contrôle invisible (par exemple un caractère nul). "
    "Retirez-le et réessayez."
)


#: The largest request body without files (a form's fields, a CSV preview sent back).
FORM_MAX_BYTES = 2 * 1024 * 1024


def limit_bodies_without_files() -> None:
    """Hold a request that carries no file to FORM_MAX_BYTES (files: MAX_CONTENT_LENGTH)."""
    if request.mimetype == "multipart/form-data":
        return
    limit = current_app.config["MAX_CONTENT_LENGTH"]
    request.max_content_length = FORM_MAX_BYTES if limit is None else min(limit, FORM_MAX_BYTES)


def request_has_control_characters() -> bool:
    """Tell whether the current request carries a control character where none belongs."""
    if has_control_characters(request.path):
        return True
    for key, value in request.args.items(multi=True):
        if has_control_characters(key) or has_control_characters(value):
            return True
    for key, value in request.form.items(multi=True):
        # A text area may hold tabs and line breaks; nothing else invisible.
        if _unreadable(key) or has_control_characters(value, multiline=True):
            return True
    for key, upload in request.files.items(multi=True):
        if _unreadable(key) or has_control_characters(upload.filename or ""):
            return True
    return False


def _unreadable(name: str | None) -> bool:
    # Werkzeug gives no name to a part whose Content-Disposition a "\r" or "\n" broke.
    return name is None or has_control_characters(name)


def init_app(app: Flask) -> None:
    """Answer 400 to a request carrying control characters, before anything else runs."""
    from parcours.core import errors

    def _refuse_control_characters():
        if request_has_control_characters():
            return errors.render(400, MESSAGE)
        return None

    # First in line: before the CSRF check and every other hook reads the request; the
    # body's limit is set before anything reads it.
    hooks = app.before_request_funcs.setdefault(None, [])
    hooks.insert(0, _refuse_control_characters)
    hooks.insert(0, limit_bodies_without_files)
