"""Security headers on every response; HSTS and secure cookies in production only."""

import pytest

from tests.conftest import login

CSP_DIRECTIVES = ("default-src 'self'", "object-src 'none'", "frame-ancestors 'none'")


def _assert_common_headers(response) -> None:
    csp = response.headers["Content-Security-Policy"]
    for directive in CSP_DIRECTIVES:
        assert directive in csp
    assert "unsafe-inline" not in csp
    assert "unsafe-eval" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] in {"same-origin", "strict-origin-when-cross-origin"}
    assert response.headers["X-Frame-Options"] == "DENY"


@pytest.mark.parametrize("path", ["/login", "/password/forgot", "/no-such-page", "/healthz"])
def test_anonymous_pages_have_security_headers_but_may_be_cached(client, path):
    response = client.get(path)
    _assert_common_headers(response)
    assert "no-store" not in response.headers.get("Cache-Control", "")
    assert "Strict-Transport-Security" not in response.headers


@pytest.mark.parametrize("path", ["/", "/account", "/no-such-page"])
def test_authenticated_pages_are_never_stored(client, create_user, path):
    create_user("ana@example.org")
    login(client, "ana@example.org")
    response = client.get(path)
    _assert_common_headers(response)
    assert response.headers["Cache-Control"] == "no-store"
    assert "Strict-Transport-Security" not in response.headers


def test_production_adds_hsts_and_secure_session_cookies(production_app):
    client = production_app.test_client()
    response = client.get("/login")
    assert response.status_code == 200
    _assert_common_headers(response)
    assert not response.headers.getlist("Set-Cookie")  # anonymous pages set no cookie
    response = client.post("/language", data={"locale": "en"})
    hsts = response.headers["Strict-Transport-Security"]
    assert "includeSubDomains" in hsts
    max_age = int(hsts.split("max-age=")[1].split(";")[0])
    assert response.status_code == 302
    assert max_age >= 365 * 24 * 3600
    cookie = next(
        value
        for value in response.headers.getlist("Set-Cookie")
        if value.startswith("parcours_session=")
    )
    assert "; Secure" in cookie
    assert "; HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
