"""Logins, logouts, passwords and account rights leave an audit entry, through their pages."""

import pytest
from sqlalchemy import select
from werkzeug.middleware.proxy_fix import ProxyFix

from parcours.accounts import tokens
from parcours.accounts.models import User
from parcours.core.extensions import db
from tests.audit.conftest import CLIENT, fields
from tests.conftest import PASSWORD

NEW_PASSWORD = "un tout autre mot de passe"


def _login(client, email, password=PASSWORD, address=CLIENT, **kwargs):
    return client.post(
        "/login",
        data={"email": email, "password": password},
        environ_base={"REMOTE_ADDR": address},
        **kwargs,
    )


def test_a_login_names_the_person_and_their_address(client, world, audit_log):
    assert _login(client, "a1@example.org", address="192.0.2.10").status_code == 302
    assert fields(audit_log.one("login.succeeded")) == {
        "action": "login.succeeded",
        "actor_id": world["a1"],
        "subject_id": None,
        "cohort_id": None,
        "object_type": "",
        "object_id": None,
        "address": "192.0.2.10",
        "details": {"device": False},
    }


def test_a_failed_login_names_the_account_tried_and_survives_the_refusal(client, world, audit_log):
    response = _login(client, "A1@example.org", "pas le bon")
    assert response.status_code == 401
    assert fields(audit_log.one("login.failed")) == {
        "action": "login.failed",
        "actor_id": None,
        "subject_id": world["a1"],
        "cohort_id": None,
        "object_type": "",
        "object_id": None,
        "address": CLIENT,
        "details": {},
    }


def test_a_failed_login_to_an_unknown_address_keeps_no_trace_of_what_was_typed(
    client, world, audit_log
):
    assert _login(client, "personne@example.org", "secret-tape").status_code == 401
    entry = audit_log.one("login.failed")
    assert (entry.actor_id, entry.subject_id, entry.details) == (None, None, {})
    with client.application.app_context():
        stored = db.session.execute(select(db.text("*")).select_from(db.table("audit_entries")))
        assert not any(
            "personne" in str(value) or "secret" in str(value) for row in stored for value in row
        )


def test_a_login_to_a_deactivated_account_says_it_is_closed(client, world, audit_log, app):
    with app.app_context():
        db.session.get(User, world["a2"]).active = False
        db.session.commit()
    assert _login(client, "a2@example.org").status_code == 401
    entry = audit_log.one("login.failed")
    assert (entry.subject_id, entry.details) == (world["a2"], {"inactive": True})


def test_a_refused_attempt_past_the_limit_is_a_lock_out(client, world, audit_log):
    for _attempt in range(5):
        assert _login(client, "a1@example.org", "faux").status_code == 401
    audit_log.mark()
    assert _login(client, "a1@example.org").status_code == 429
    assert fields(audit_log.one("login.locked")) == {
        "action": "login.locked",
        "actor_id": None,
        "subject_id": world["a1"],
        "cohort_id": None,
        "object_type": "",
        "object_id": None,
        "address": CLIENT,
        "details": {"limit": "login-account"},
    }


def test_a_logout_names_the_person(login_as, world, audit_log):
    client = login_as("coach")
    audit_log.mark()
    assert client.post("/logout").status_code == 302
    entry = audit_log.one("logout")
    assert (entry.actor_id, entry.subject_id, entry.address) == (world["coach"], None, CLIENT)


def test_behind_a_declared_proxy_the_address_is_the_forwarded_one(app, world, audit_log):
    forwarded = {"X-Forwarded-For": "198.51.100.23"}
    assert _login(app.test_client(), "a1@example.org", headers=forwarded).status_code == 302
    assert audit_log.one("login.succeeded").address == CLIENT  # no proxy declared: ignored
    audit_log.mark()
    direct = app.wsgi_app
    app.wsgi_app = ProxyFix(direct, x_for=1)  # what PARCOURS_PROXY_COUNT=1 installs
    try:
        assert _login(app.test_client(), "a1@example.org", headers=forwarded).status_code == 302
    finally:
        app.wsgi_app = direct
    assert audit_log.one("login.succeeded").address == "198.51.100.23"


def test_changing_ones_password_is_recorded(login_as, world, audit_log):
    client = login_as("a1")
    audit_log.mark()
    response = client.post(
        "/account/password",
        data={"current": PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
    )
    assert response.status_code == 302
    entry = audit_log.one("password.changed")
    assert fields(entry) == {
        "action": "password.changed",
        "actor_id": world["a1"],
        "subject_id": None,
        "cohort_id": None,
        "object_type": "",
        "object_id": None,
        "address": CLIENT,
        "details": {"via": "account"},
    }


def test_a_refused_password_change_writes_nothing(login_as, audit_log):
    client = login_as("a1")
    audit_log.mark()
    response = client.post(
        "/account/password",
        data={"current": "faux", "password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
    )
    assert response.status_code == 400
    assert audit_log.new() == []


@pytest.mark.parametrize(
    ("purpose", "path", "action", "details"),
    [
        (tokens.PASSWORD_RESET, "/password/reset/", "password.reset", {}),
        (tokens.INVITATION, "/invitation/", "password.changed", {"via": "invitation"}),
    ],
)
def test_a_password_chosen_through_a_link_is_recorded(
    app, client, world, audit_log, purpose, path, action, details
):
    with app.app_context():
        token = tokens.make_token(db.session.get(User, world["a2"]), purpose)
    response = client.post(path + token, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 302
    entry = audit_log.one(action)
    assert (entry.actor_id, entry.subject_id, entry.address, entry.details) == (
        world["a2"],
        None,
        CLIENT,
        details,
    )


@pytest.mark.parametrize(
    ("path", "data", "details"),
    [
        ("deactivate", {}, {"active": False}),
        ("cohort-creation", {"allowed": "y"}, {"can_create_cohorts": True}),
    ],
)
def test_an_administrator_changing_a_persons_rights_is_recorded(
    login_as, world, audit_log, path, data, details
):
    client = login_as("admin")
    audit_log.mark()
    assert client.post(f"/admin/users/{world['a1']}/{path}", data=data).status_code == 302
    assert fields(audit_log.one("role.changed")) == {
        "action": "role.changed",
        "actor_id": world["admin"],
        "subject_id": world["a1"],
        "cohort_id": None,
        "object_type": "users",
        "object_id": world["a1"],
        "address": CLIENT,
        "details": details,
    }


def test_reactivating_and_taking_back_a_right_are_recorded(login_as, world, audit_log):
    client = login_as("admin")
    client.post(f"/admin/users/{world['a1']}/deactivate")
    audit_log.mark()
    assert client.post(f"/admin/users/{world['a1']}/reactivate").status_code == 302
    assert client.post(f"/admin/users/{world['coordinator']}/cohort-creation").status_code == 302
    assert [(e.subject_id, e.details) for e in audit_log.new()] == [
        (world["a1"], {"active": True}),
        (world["coordinator"], {"can_create_cohorts": False}),
    ]


def test_an_administrator_cannot_deactivate_themself_and_nothing_is_recorded(
    login_as, world, audit_log
):
    client = login_as("admin")
    audit_log.mark()
    assert client.post(f"/admin/users/{world['admin']}/deactivate").status_code == 400
    assert audit_log.new() == []


def test_making_an_administrator_from_the_command_line_is_recorded(app, world, audit_log):
    result = app.test_cli_runner().invoke(
        args=["users", "create-admin", "a1@example.org", "--name", "A1", "--password", NEW_PASSWORD]
    )
    assert result.exit_code == 0, result.output
    entry = audit_log.one("role.changed")
    assert (entry.actor_id, entry.subject_id, entry.address, entry.details) == (
        None,
        world["a1"],
        "",
        {"is_admin": True},
    )
