"""With CSRF protection on (as in production), a POST without its token is refused."""

import re

import pytest

from tests.conftest import PASSWORD, page_text


@pytest.fixture
def csrf_app(app, make_app):
    return make_app(WTF_CSRF_ENABLED=True)


def _token(response) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', response.get_data(as_text=True))
    assert match, "no CSRF token in the page"
    return match.group(1)


def test_login_without_token_is_refused_with_a_french_message(csrf_app, create_user):
    create_user("ana@example.org")
    client = csrf_app.test_client()
    response = client.post("/login", data={"email": "ana@example.org", "password": PASSWORD})
    assert response.status_code == 400
    assert "Le formulaire a expiré. Rechargez la page et réessayez." in page_text(response)
    assert client.get("/account").status_code == 302


def test_logout_without_token_does_not_log_out(csrf_app, create_user):
    create_user("ana@example.org")
    client = csrf_app.test_client()
    token = _token(client.get("/login"))
    response = client.post(
        "/login", data={"email": "ana@example.org", "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 302

    refused = client.post("/logout")
    assert refused.status_code == 400
    assert "Le formulaire a expiré" in page_text(refused)
    account = client.get("/account")
    assert account.status_code == 200

    # The token the page carries does log out.
    response = client.post("/logout", data={"csrf_token": _token(account)})
    assert response.status_code == 302
    assert client.get("/account").status_code == 302


def test_a_token_from_another_session_is_refused(csrf_app, create_user):
    create_user("ana@example.org")
    foreign_token = _token(csrf_app.test_client().get("/login"))
    client = csrf_app.test_client()
    client.get("/login")
    response = client.post(
        "/login",
        data={"email": "ana@example.org", "password": PASSWORD, "csrf_token": foreign_token},
    )
    assert response.status_code == 400
