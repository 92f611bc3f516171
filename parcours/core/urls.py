"""Absolute links for e-mails and calendars.

They are built from PARCOURS_BASE_URL whenever it is set, even during a request: a link
built from the request's Host header could be pointed at another site by whoever sends the
request (a password-reset link to an attacker's domain). Production requires the setting.
"""

from flask import current_app, has_request_context, url_for


def absolute_url(endpoint: str, **values) -> str:
    """Return the full URL of ``endpoint`` at the public address."""
    base_url = current_app.config["PARCOURS_BASE_URL"]
    if not base_url and has_request_context():
        return url_for(endpoint, _external=True, **values)  # development only
    with current_app.test_request_context(base_url=base_url or "http://127.0.0.1:5000"):
        return url_for(endpoint, _external=True, **values)
