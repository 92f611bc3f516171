"""Absolute links for e-mails, from a request or from a CLI command."""

from flask import current_app, has_request_context, url_for


def absolute_url(endpoint: str, **values) -> str:
    """Return the full URL of ``endpoint``, using PARCOURS_BASE_URL outside a request."""
    if has_request_context():
        return url_for(endpoint, _external=True, **values)
    base_url = current_app.config["PARCOURS_BASE_URL"] or "http://127.0.0.1:5000"
    with current_app.test_request_context(base_url=base_url):
        return url_for(endpoint, _external=True, **values)
