"""Logging in starts a fresh session (no fixation); logging out leaves nothing of it behind."""

import re

import pytest

from tests.conftest import PASSWORD, login, page_text


@pytest.fixture
def csrf_app(app, make_app):
    return make_app(WTF_CSRF_ENABLED=True)


def _token(response) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', response.get_data(as_text=True))
    assert match, "no CSRF token in the page"
    return match.group(1)


def test_login_drops_what_the_session_held_but_keeps_the_chosen_language(client, create_user):
    create_user("ana@example.org")
    with client.session_transaction() as session:
        session["planted"] = "by someone else"
        session["locale"] = "en"
    login(client, "ana@example.org")
    with client.session_transaction() as session:
        assert "planted" not in session
        assert session["locale"] == "en"
        assert session["_user_id"]
        assert session["_agent"]


def test_csrf_token_changes_across_login(csrf_app, create_user):
    create_user("ana@example.org")
    client = csrf_app.test_client()
    before = _token(client.get("/login"))
    with client.session_transaction() as session:
        raw_before = session["csrf_token"]
    response = client.post(
        "/login", data={"email": "ana@example.org", "password": PASSWORD, "csrf_token": before}
    )
    assert response.status_code == 302
    account = client.get("/account")
    assert account.status_code == 200
    after = _token(account)
    with client.session_transaction() as session:
        assert session["csrf_token"] != raw_before
    # The token issued before login is worthless afterwards; the new one works.
    stale = client.post("/logout", data={"csrf_token": before})
    assert stale.status_code == 400
    assert client.post("/logout", data={"csrf_token": after}).status_code == 302


def test_failed_login_keeps_the_session(client, create_user):
    create_user("ana@example.org")
    with client.session_transaction() as session:
        session["locale"] = "en"
        session["kept"] = "yes"
    response = client.post("/login", data={"email": "ana@example.org", "password": "wrong"})
    assert response.status_code == 401
    with client.session_transaction() as session:
        assert session["kept"] == "yes"
        assert "_user_id" not in session


def test_logout_clears_the_session_and_still_says_goodbye(client, create_user):
    create_user("ana@example.org")
    login(client, "ana@example.org")
    with client.session_transaction() as session:
        session["leftover"] = "from the logged-in user"
        assert session["_agent"]
    response = client.post("/logout")
    assert response.status_code == 302
    with client.session_transaction() as session:
        assert "_user_id" not in session
        assert "_agent" not in session
        assert "leftover" not in session
    assert "Vous êtes déconnecté." in page_text(client.get(response.headers["Location"]))


def test_logout_keeps_the_interface_language_chosen_before_login(client, create_user):
    create_user("ana@example.org")
    with client.session_transaction() as session:
        session["locale"] = "en"
    login(client, "ana@example.org")
    client.post("/logout")
    with client.session_transaction() as session:
        assert session.get("locale") == "en"
    assert "You are signed out." in page_text(client.get("/login"))


def test_accepting_an_invitation_starts_a_fresh_session(app, client, create_user, outbox):
    from parcours.accounts import tokens
    from parcours.accounts.models import User
    from parcours.core.extensions import db

    user_id = create_user("new@example.org", password=None)
    with app.test_request_context():
        token = tokens.make_token(db.session.get(User, user_id), tokens.INVITATION)
    with client.session_transaction() as session:
        session["planted"] = "by someone else"
    response = client.post(
        f"/invitation/{token}",
        data={
            "password": "un tout nouveau mot de passe",
            "confirm": "un tout nouveau mot de passe",
        },
    )
    assert response.status_code == 302, page_text(response)[:500]
    with client.session_transaction() as session:
        assert "planted" not in session
        assert session["_user_id"]
