"""Links in e-mails: built from the public address; secret ones recognised by their route."""

import pytest

from parcours.core.urls import absolute_url, hide_secret_links

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
