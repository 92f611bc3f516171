"""Links in e-mails: built from the public address; secret ones recognised by their route."""

import pytest
from flask import url_for

from parcours import create_app
from parcours.core.urls import absolute_url, hide_secret_links, safe_next
from tests.conftest import app_config

HIDDEN = "[masqué]"


@pytest.mark.parametrize(
    ("endpoint", "values"),
    [
        ("accounts.accept_invitation", {"token": "abc.def.ghi"}),
        ("accounts.reset_password", {"token": "abc.def.ghi"}),
        ("agenda.calendar_feed", {"token": "Zk3_x-9"}),
    ],
)
def test_links_opened_by_a_token_are_hidden(app, endpoint, values):
    with app.app_context():
        link = absolute_url(endpoint, **values)
        webcal = "webcal://" + link.split("://", 1)[1]
        text = f"Ouvrez ce lien :\n{link}\nou {webcal}."
        assert hide_secret_links(text, HIDDEN) == f"Ouvrez ce lien :\n{HIDDEN}\nou {HIDDEN}."


def test_other_links_are_kept(app):
    with app.app_context():
        event = absolute_url("agenda.event", event_id=12)
        login = absolute_url("accounts.login")
        text = f"{event}\n{login}\nhttps://example.org/invitation/abc (ailleurs)\n"
        assert hide_secret_links(text, HIDDEN) == text


def test_a_public_address_under_a_path_is_understood(app, monkeypatch):
    monkeypatch.setitem(app.config, "PARCOURS_BASE_URL", "https://asso.example.org/parcours")
    with app.app_context():
        link = absolute_url("accounts.accept_invitation", token="abc")
        assert link == "https://asso.example.org/parcours/invitation/abc"
        assert hide_secret_links(f"<{link}>", HIDDEN) == f"<{HIDDEN}>"


# Absolute links come from PARCOURS_BASE_URL, never from the request's Host header.

LINKS = [
    ("agenda.event", {"event_id": 12}, "/events/12"),
    ("agenda.calendar_feed", {"token": "a b/é"}, "/calendar/a%20b/%C3%A9.ics"),
    ("accounts.reset_password", {"token": "x.y-z"}, "/password/reset/x.y-z"),
    ("agenda.event", {"event_id": 3, "next": "q w"}, "/events/3?next=q+w"),
]


@pytest.mark.parametrize(
    "base_url", ["https://parcours.example.org", "http://127.0.0.1:8123", "https://x.org/sub"]
)
def test_links_are_built_at_the_public_address_whatever_the_request(base_url):
    app = create_app(app_config("sqlite://", PARCOURS_BASE_URL=base_url))
    with app.app_context():
        outside = [absolute_url(endpoint, **values) for endpoint, values, _path in LINKS]
    with app.test_request_context("/", base_url="http://attacker.example"):
        during = [absolute_url(endpoint, **values) for endpoint, values, _path in LINKS]
    with app.test_request_context(base_url=base_url):
        expected = [url_for(endpoint, _external=True, **values) for endpoint, values, _ in LINKS]
    assert outside == during == expected == [base_url + path for _e, _v, path in LINKS]
    app.config["PARCOURS_BASE_URL"] = "https://moved.example.org"
    with app.app_context():
        assert absolute_url("agenda.event", event_id=1) == "https://moved.example.org/events/1"


# Redirects after login or a language choice --------------------------------------------------

#: Each of these is read by a browser as another site (or a script), though ``urlsplit`` sees
#: a path in several.
OFF_SITE = [
    "https://evil.example",
    "//evil.example/account",
    "////evil.example/",
    "///evil.example",
    "/\\evil.example",
    "\\/evil.example",
    "\\\\evil.example",
    "/\\/evil.example",
    "%2F%2Fevil.example",
    "/%2F%2Fevil.example",
    "/%5Cevil.example",
    "https:evil.example",
    "https:/evil.example",
    "javascript:alert(1)",
    "/\t/evil.example",
    "/\n/evil.example",
    "\t//evil.example",
    "/\r\n/evil.example",
    " //evil.example",
    "\x00//evil.example",
    "/%09/evil.example",
    "evil.example",
    "",
]


@pytest.mark.parametrize("target", OFF_SITE)
def test_safe_next_refuses_what_a_browser_reads_as_another_site(target):
    assert safe_next(target, "/home") == "/home"


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/account", "/account"),
        ("/cohorts/3?tab=members#people", "/cohorts/3?tab=members#people"),
        ("/events/3?next=%2Faccount", "/events/3?next=%2Faccount"),
        ("/acc\tount", "/account"),  # what the browser would open
    ],
)
def test_safe_next_keeps_a_path_on_this_site(target, expected):
    assert safe_next(target, "/home") == expected
