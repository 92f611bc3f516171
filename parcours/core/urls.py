"""Links: absolute ones for e-mails and calendars, and the one rule for ``next=`` redirects.

Absolute links are built from PARCOURS_BASE_URL whenever it is set, even during a request: a
link built from the request's Host header could be pointed at another site by whoever sends
the request (a password-reset link to an attacker's domain). Production requires the setting.
"""

import re
from urllib.parse import unquote, urlsplit

from flask import Flask, current_app, has_request_context, url_for
from werkzeug.exceptions import HTTPException
from werkzeug.routing import MapAdapter

_ADAPTER = "parcours_public_url_adapter"
DEVELOPMENT_BASE_URL = "http://127.0.0.1:5000"

# What browsers drop from a URL before reading it (WHATWG URL standard): tabs and newlines
# anywhere, and C0 controls and spaces at either end.
_DROPPED_ANYWHERE = re.compile(r"[\t\n\r]")
_CONTROL_OR_SPACE = "".join(chr(code) for code in range(0x21))


def safe_next(target: str | None, fallback: str) -> str:
    """Return ``target`` if a browser would read it as a path on this site, else ``fallback``.

    A browser reads ``/\\evil.example``, ``/<tab>/evil.example`` or ``////evil.example`` as the
    address of another site (a backslash is a slash, tabs and newlines vanish, and ``//``
    starts a host), while Python's ``urlsplit`` sees a path in each. So the target is first
    normalised the way browsers do, then must be a single-slash path without scheme or host,
    also once percent-decoded (a proxy or a later redirect may decode it).
    """
    if not target:
        return fallback
    candidate = _DROPPED_ANYWHERE.sub("", target).strip(_CONTROL_OR_SPACE).replace("\\", "/")
    for form in (candidate, unquote(candidate).replace("\\", "/")):
        parts = urlsplit(form)
        if (
            not form.startswith("/")
            or form.startswith("//")
            or parts.scheme
            or parts.netloc
            or any(ord(char) < 0x20 or ord(char) == 0x7F for char in form)
        ):
            return fallback
    return candidate


def absolute_url(endpoint: str, **values) -> str:
    """Return the full URL of ``endpoint`` at the public address."""
    base_url = current_app.config["PARCOURS_BASE_URL"]
    if not base_url and has_request_context():
        return url_for(endpoint, _external=True, **values)  # development only
    app = current_app._get_current_object()
    return _public_adapter(app, base_url or DEVELOPMENT_BASE_URL).build(
        endpoint, values, force_external=True
    )


def _public_adapter(app: Flask, base_url: str) -> MapAdapter:
    """Return the app's URL map bound to the public address, made once per process.

    Building it for each link meant a whole request context per link: a calendar feed makes
    one link per event, « Mon agenda » one per visit.
    """
    cached = app.extensions.get(_ADAPTER)
    if cached is None or cached[0] != base_url:
        parts = urlsplit(base_url)
        adapter = app.url_map.bind(
            parts.netloc, script_name=parts.path or "/", url_scheme=parts.scheme or "http"
        )
        cached = app.extensions[_ADAPTER] = (base_url, adapter)
    return cached[1]


# Links as they appear in a plain-text e-mail: up to the first blank or bracket, and without
# the punctuation of the sentence that ends with them.
_LINK = re.compile(r"\b(?:https?|webcal)://[^\s<>\"')\]]*[^\s<>\"')\].,;:!?]")


def hide_secret_links(text: str, placeholder: str) -> str:
    """Replace each link to a page opened by a secret token with ``placeholder``.

    A route that takes a ``token`` (invitation, password reset, calendar feed) lets whoever
    holds the link act as its recipient, so such links are recognised by the route they
    lead to, not by a list that a new kind of link would escape.
    """
    adapter = current_app.url_map.bind("localhost")
    public = urlsplit(current_app.config["PARCOURS_BASE_URL"])
    prefix = public.path.rstrip("/")

    def replace(match: re.Match) -> str:
        link = urlsplit(match.group())
        if public.netloc and link.netloc != public.netloc:
            return match.group()  # another site's page
        path = link.path
        if prefix and path.startswith(prefix + "/"):
            path = path[len(prefix) :]
        try:
            _endpoint, arguments = adapter.match(path, method="GET")
        except HTTPException:  # not one of our pages (also covers redirects)
            return match.group()
        return placeholder if "token" in arguments else match.group()

    return _LINK.sub(replace, text)
