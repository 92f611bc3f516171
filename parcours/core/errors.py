"""Error pages in the site's layout; no traceback ever reaches a user."""

import logging

from flask import Flask, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import IntegrityError
from werkzeug.exceptions import HTTPException, InternalServerError, SecurityError

from parcours.core.extensions import db

logger = logging.getLogger(__name__)

MESSAGES = {
    400: (_l("Requête incorrecte"), _l("La demande n'a pas pu être comprise.")),
    403: (_l("Accès refusé"), _l("Vous n'avez pas accès à cette page.")),
    404: (_l("Page introuvable"), _l("Cette page n'existe pas ou plus.")),
    405: (_l("Méthode non autorisée"), _l("Cette action n'est pas possible ici.")),
    409: (
        _l("Modification non enregistrée"),
        _l(
            "Au même moment, quelqu'un vient d'enregistrer la même chose. Rechargez la page "
            "pour voir ce qui est enregistré, puis réessayez si besoin."
        ),
    ),
    413: (_l("Fichier trop volumineux"), _l("Le fichier envoyé dépasse la taille autorisée.")),
    # A JSON body sent to a form (parcours.core.forms.AppForm): no page of the site sends one.
    415: (
        _l("Contenu non accepté"),
        _l(
            "Ce formulaire s'envoie depuis sa page, champ par champ : un contenu JSON n'est pas lu."
        ),
    ),
    500: (
        _l("Erreur du serveur"),
        _l("Une erreur inattendue s'est produite. L'équipe a été prévenue ; réessayez plus tard."),
    ),
}


def render(code: int, message=None):
    """Return the error page for ``code`` in the site's layout, with ``message`` or the default."""
    title, default = MESSAGES.get(code, (_l("Erreur"), _l("La demande n'a pas abouti.")))
    return render_template(
        "errors/error.html", code=code, title=title, message=message or default
    ), code


#: A form sent after its CSRF token expired (the session ended, or the page was left open).
EXPIRED = _l("Le formulaire a expiré : réessayez.")


def refused(message, *, back_url: str, status: int = 400):
    """Return a refusal as a page, with its message and a way back.

    What a POST that cannot be done answers: a browser follows no redirect from a 4xx
    response, so flashing and redirecting with a 400 would show an empty page.
    """
    title, _default = MESSAGES.get(status, (_l("Erreur"), None))
    return render_template(
        "errors/error.html", code=status, title=title, message=message, back_url=back_url
    ), status


def init_app(app: Flask) -> None:
    """Register the error handlers."""

    @app.errorhandler(SecurityError)
    def _untrusted_host(error: SecurityError):
        # No URL can be built for an untrusted host, so no page in the layout either.
        return "Bad Request: untrusted host", 400, {"Content-Type": "text/plain; charset=utf-8"}

    @app.errorhandler(CSRFError)
    def _csrf(error: CSRFError):
        return render(400, _l("Le formulaire a expiré. Rechargez la page et réessayez."))

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException):
        if error.code is None or error.code < 400:
            return error
        body, code = render(error.code)
        # Keep the headers the error carries, e.g. ``Allow`` on 405 (RFC 9110).
        headers = [(k, v) for k, v in error.get_headers() if k.lower() != "content-type"]
        return body, code, headers

    @app.errorhandler(IntegrityError)
    def _integrity(error: IntegrityError):
        db.session.rollback()
        if not _duplicate(error):
            return _unexpected(error)  # a broken rule is a bug, not a race
        # Two requests created the same thing at once and the unique index kept one: the
        # last safety net for a check-then-insert that no operation made atomic.
        route = request.url_rule.rule if request.url_rule else "(no route)"
        logger.warning("Duplicate refused by the database on %s %s", request.method, route)
        return render(409)

    @app.errorhandler(InternalServerError)
    @app.errorhandler(Exception)
    def _unexpected(error: Exception):
        original = getattr(error, "original_exception", None) or error
        # The route's pattern, not the path: a path may carry a token (a calendar address).
        route = request.url_rule.rule if request.url_rule else "(no route)"
        logger.error("Unhandled error on %s %s", request.method, route, exc_info=original)
        db.session.rollback()
        return render(500)


def _duplicate(error: IntegrityError) -> bool:
    """Tell whether ``error`` is a unique constraint's refusal (on PostgreSQL or SQLite)."""
    original = error.orig
    if getattr(original, "sqlstate", None) == "23505":  # PostgreSQL's unique_violation
        return True
    return str(original).startswith("UNIQUE constraint failed")  # SQLite
