"""Security headers on every response."""

from flask import Flask, Response
from flask_login import current_user

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)


def init_app(app: Flask) -> None:
    """Add CSP, nosniff, referrer policy, no-store for logged-in pages, HSTS in production."""

    @app.after_request
    def _headers(response: Response) -> Response:
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "same-origin"
        response.headers["X-Frame-Options"] = "DENY"
        # A response that already forbids storing (a download) keeps its own, fuller header,
        # and so does a stored file sent ``private, no-cache`` (revalidated at every use).
        own = response.cache_control.no_store or response.cache_control.private
        if current_user and current_user.is_authenticated and not own:
            response.headers["Cache-Control"] = "no-store"
        if app.config["PARCOURS_PRODUCTION"]:
            response.headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
        return response
