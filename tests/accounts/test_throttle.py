"""Attempt limits: per account, per client, per known browser; parallel attempts; the table."""

import threading
from datetime import UTC, datetime, timedelta

import pytest

from parcours.accounts import throttle
from parcours.accounts.devices import COOKIE
from parcours.core.time import advance, freeze
from tests.conftest import PASSWORD, login, page_text

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
THROTTLED = "Trop de tentatives de connexion. Réessayez dans 15 minutes."
VICTIM = "ana@example.org"


def _post_login(client, email, password=PASSWORD, address="192.0.2.10"):
    return client.post(
        "/login",
        data={"email": email, "password": password},
        environ_base={"REMOTE_ADDR": address},
    )


def _known_browser(app):
    """Return a client that logged in as VICTIM once, then logged out."""
    browser = app.test_client()
    login(browser, VICTIM)
    browser.post("/logout")
    assert browser.get_cookie(COOKIE, path="/login") is not None
    return browser


def _lock_out(app, email=VICTIM, address="203.0.113.66"):
    attacker = app.test_client()
    for _ in range(5):
        assert _post_login(attacker, email, "wrong", address).status_code == 401
    return attacker


# Device cookies ------------------------------------------------------------------------------


def test_a_login_gives_the_browser_a_signed_device_cookie(client, create_user):
    create_user(VICTIM)
    response = _post_login(client, VICTIM)
    assert response.status_code == 302
    (header,) = [h for h in response.headers.getlist("Set-Cookie") if h.startswith(COOKIE)]
    attributes = {part.strip().split("=")[0].lower() for part in header.split(";")}
    assert {"httponly", "max-age", "path"} <= attributes
    assert "Path=/login" in header
    assert "SameSite=Lax" in header
    assert "Secure" not in header  # tests run outside production, over http


def test_the_device_cookie_is_secure_in_production(production_app, create_user):
    create_user(VICTIM)
    client = production_app.test_client()
    response = client.post(
        "/login",
        data={"email": VICTIM, "password": PASSWORD},
        base_url="https://localhost",
    )
    assert response.status_code == 302
    (header,) = [h for h in response.headers.getlist("Set-Cookie") if h.startswith(COOKIE)]
    assert "Secure" in header


def test_wrong_passwords_typed_elsewhere_do_not_lock_out_a_known_browser(app, create_user):
    create_user(VICTIM)
    browser = _known_browser(app)
    attacker = _lock_out(app)
    response = _post_login(attacker, VICTIM, address="203.0.113.66")
    assert response.status_code == 429
    assert THROTTLED in page_text(response)
    assert _post_login(app.test_client(), VICTIM, address="198.51.100.7").status_code == 429
    assert _post_login(browser, VICTIM).status_code == 302


def test_a_known_browser_has_a_limit_of_its_own(app, create_user):
    create_user(VICTIM)
    browser = _known_browser(app)
    for _ in range(5):
        assert _post_login(browser, VICTIM, "wrong").status_code == 401
    response = _post_login(browser, VICTIM)
    assert response.status_code == 429
    assert response.headers["Retry-After"].isdigit()
    assert _post_login(app.test_client(), VICTIM, address="198.51.100.7").status_code == 302


@pytest.mark.parametrize("cookie", ["another-account", "tampered", "garbage"])
def test_a_device_cookie_counts_only_for_its_own_account(app, create_user, cookie):
    create_user(VICTIM)
    create_user("bob@example.org")
    attacker = app.test_client()
    login(attacker, "bob@example.org")  # the attacker's own account: a valid cookie, for Bob
    attacker.post("/logout")
    value = attacker.get_cookie(COOKIE, path="/login").value
    if cookie == "tampered":
        value = value[:-2] + ("AA" if not value.endswith("AA") else "BB")
    elif cookie == "garbage":
        value = "not-a-cookie"
    attacker.set_cookie(COOKIE, value, path="/login")
    for _ in range(5):
        assert _post_login(attacker, VICTIM, "wrong").status_code == 401
    assert _post_login(attacker, VICTIM).status_code == 429


# Per client ----------------------------------------------------------------------------------


def test_one_client_is_slowed_across_accounts(app, create_user):
    emails = [create_user(f"person{n}@example.org") and f"person{n}@example.org" for n in range(4)]
    attacker, other = app.test_client(), app.test_client()
    for attempt in range(10):  # fewer than five per account, ten from this client
        email = emails[attempt % len(emails)]
        assert _post_login(attacker, email, "wrong", "203.0.113.66").status_code == 401
    response = _post_login(attacker, emails[0], PASSWORD, "203.0.113.66")
    assert response.status_code == 429
    assert THROTTLED in page_text(response)
    assert _post_login(other, emails[0], PASSWORD, "198.51.100.7").status_code == 302


def test_the_client_limit_ends_with_its_window(app, create_user):
    create_user(VICTIM)
    attacker = app.test_client()
    with freeze(START):
        for n in range(10):
            _post_login(attacker, f"nobody{n}@example.org", "wrong", "203.0.113.66")
        assert _post_login(attacker, VICTIM, address="203.0.113.66").status_code == 429
        advance(timedelta(minutes=15))
        assert _post_login(attacker, VICTIM, address="203.0.113.66").status_code == 302


# The limits themselves -----------------------------------------------------------------------


def test_take_refuses_past_the_limit_and_counts_nothing_then(ctx):
    with freeze(START):
        for _ in range(5):
            throttle.take((throttle.LOGIN_ACCOUNT, "a@example.org"))
        with pytest.raises(throttle.Throttled) as refused:
            throttle.take(
                (throttle.LOGIN_CLIENT, "192.0.2.1"), (throttle.LOGIN_ACCOUNT, "a@example.org")
            )
        assert refused.value.limit == throttle.LOGIN_ACCOUNT
        assert refused.value.retry_after == timedelta(minutes=15)
        assert throttle.count(throttle.LOGIN_ACCOUNT, "a@example.org") == 5
        assert throttle.count(throttle.LOGIN_CLIENT, "192.0.2.1") == 0
        advance(timedelta(minutes=10))
        with pytest.raises(throttle.Throttled) as refused:
            throttle.take((throttle.LOGIN_ACCOUNT, "a@example.org"))
        assert refused.value.retry_after == timedelta(minutes=5)


def test_release_gives_an_attempt_back(ctx):
    ticket = throttle.take((throttle.LOGIN_ACCOUNT, "a@example.org"), (throttle.LOGIN_CLIENT, "x"))
    throttle.take((throttle.LOGIN_CLIENT, "x"))
    throttle.release(ticket)
    assert throttle.count(throttle.LOGIN_ACCOUNT, "a@example.org") == 0
    assert throttle.count(throttle.LOGIN_CLIENT, "x") == 1


def test_the_keys_are_not_stored_in_clear(ctx):
    from sqlalchemy import select

    from parcours.accounts.models import ThrottleHit
    from parcours.core.extensions import db

    throttle.take((throttle.RESET_ADDRESS, "a@example.org"))
    (key,) = db.session.scalars(select(ThrottleHit.key)).all()
    assert "example" not in key and len(key) == 64


def test_prune_deletes_only_the_attempts_that_no_longer_count(ctx):
    from parcours.attendance.operations import CHECK_IN_LIMIT

    with freeze(START):
        throttle.take((throttle.LOGIN_CLIENT, "198.51.100.7"))  # never tried again
        throttle.take((throttle.RESET_ADDRESS, "a@example.org"))  # a 60-minute window
        throttle.take((CHECK_IN_LIMIT, "a1 S1 am"))  # declared by attendance
    with freeze(START + timedelta(minutes=30)):
        throttle.take((throttle.LOGIN_CLIENT, "203.0.113.9"))
        assert throttle.prune() == 2  # the login (15 min) and the check-in (10 min)
        assert throttle.count(throttle.LOGIN_CLIENT, "198.51.100.7") == 0
        assert throttle.count(throttle.LOGIN_CLIENT, "203.0.113.9") == 1
        assert throttle.count(throttle.RESET_ADDRESS, "a@example.org") == 1
        assert throttle.prune() == 0


# Parallel attempts ---------------------------------------------------------------------------


@pytest.mark.commits
def test_a_parallel_burst_gets_no_sixth_try(app, create_user):
    create_user(VICTIM)
    attempts = 10
    start = threading.Barrier(attempts)
    statuses = []

    def attempt(n: int) -> None:
        client = app.test_client()
        start.wait()
        statuses.append(_post_login(client, VICTIM, "wrong", f"192.0.2.{n + 1}").status_code)

    threads = [threading.Thread(target=attempt, args=(n,)) for n in range(attempts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [401] * 5 + [429] * 5
    assert _post_login(app.test_client(), VICTIM).status_code == 429
