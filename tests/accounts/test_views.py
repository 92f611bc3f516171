"""Login, logout, password links, the account page and the ``flask users`` command."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from parcours.accounts.models import User
from parcours.accounts.passwords import verify_password
from parcours.core.extensions import db
from parcours.core.text import has_control_characters
from parcours.core.time import advance, freeze
from tests.accounts.conftest import link_in
from tests.conftest import PASSWORD, login, page_text
from tests.core.test_urls import OFF_SITE

NEW_PASSWORD = "le chat dort sur le radiateur"
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
BAD_CREDENTIALS = "Adresse e-mail ou mot de passe incorrect."
THROTTLED = "Trop de tentatives de connexion. Réessayez dans 15 minutes."
LINK_INVALID = "Ce lien n'est plus valable"
RESET_SENT = "Si un compte existe pour cette adresse, un lien de réinitialisation vient d'y"


def _post_login(client, email, password=PASSWORD, next_url=None):
    url = "/login" if next_url is None else f"/login?next={next_url}"
    return client.post(url, data={"email": email, "password": password})


def _ask_reset(client, email: str, **kwargs):
    """Ask for a reset link, as a browser does: the answer is read, then the response closed.

    The link is looked up and sent once the response is closed, so that the answer takes as
    long for an unknown address.
    """
    response = client.post("/password/forgot", data={"email": email}, **kwargs)
    response.close()
    return response


def _user(app, email: str) -> User:
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == email))
        db.session.expunge_all()
        return user


def _has_password(app, email: str, password: str) -> bool:
    with app.app_context():
        return verify_password(_user(app, email).password_hash, password)


def _input_value(html: str, name: str) -> str | None:
    tag = re.search(rf'<input[^>]*\bname="{name}"[^>]*>', html)
    value = tag and re.search(r'\bvalue="([^"]*)"', tag.group())
    return value.group(1) if value else None


def _is_logged_in(client) -> bool:
    response = client.get("/account")
    assert response.status_code in {200, 302}
    return response.status_code == 200


# Login -------------------------------------------------------------------------------------


def test_login_page(client):
    response = client.get("/login")
    assert response.status_code == 200
    text = page_text(response)
    assert "Connexion" in text
    assert "Mot de passe oublié ?" in text


@pytest.mark.parametrize("typed", ["ana@example.org", "ANA@EXAMPLE.ORG", "Ana@Example.org"])
def test_login_with_the_right_password_in_any_case(client, create_user, typed):
    create_user("ana@example.org", "Ana Dupont")
    response = _post_login(client, typed)
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert _is_logged_in(client)
    assert "Ana Dupont" not in page_text(client.get("/login"))  # logged in: sent home
    assert client.get("/login").headers["Location"] == "/"


def test_wrong_password_and_unknown_address_look_the_same(client, create_user):
    create_user("ana@example.org")
    wrong = _post_login(client, "ana@example.org", "not the password")
    unknown = _post_login(client, "nobody@example.org", "not the password")
    assert wrong.status_code == unknown.status_code == 401
    assert BAD_CREDENTIALS in page_text(wrong)
    assert page_text(wrong) == page_text(unknown)
    assert not _is_logged_in(client)


def test_an_inactive_user_cannot_log_in(client, create_user):
    create_user("ana@example.org", active=False)
    response = _post_login(client, "ana@example.org")
    assert response.status_code == 401
    assert BAD_CREDENTIALS in page_text(response)
    assert not _is_logged_in(client)


def test_a_deactivated_user_loses_their_session(app, client, create_user):
    user_id = create_user("ana@example.org")
    login(client, "ana@example.org")
    with app.app_context():
        db.session.get(User, user_id).active = False
        db.session.commit()
    assert not _is_logged_in(client)


def test_the_sixth_attempt_is_throttled_even_with_the_right_password(client, create_user):
    create_user("ana@example.org")
    for _ in range(5):
        assert _post_login(client, "ana@example.org", "wrong").status_code == 401
    response = _post_login(client, "Ana@example.org")
    assert response.status_code == 429
    assert THROTTLED in page_text(response)
    assert BAD_CREDENTIALS not in page_text(response)
    assert not _is_logged_in(client)


def test_throttling_holds_across_application_instances(app, make_app, create_user):
    create_user("ana@example.org")
    worker_1 = app.test_client()
    worker_2 = make_app().test_client()
    for worker in (worker_1, worker_2, worker_1, worker_2, worker_1):
        assert _post_login(worker, "ana@example.org", "wrong").status_code == 401
    for worker in (worker_2, worker_1):
        response = _post_login(worker, "ana@example.org")
        assert response.status_code == 429
        assert THROTTLED in page_text(response)


def test_login_works_again_after_the_window(client, create_user):
    create_user("ana@example.org")
    with freeze(START):
        for _ in range(5):
            _post_login(client, "ana@example.org", "wrong")
        advance(timedelta(minutes=14))
        assert _post_login(client, "ana@example.org").status_code == 429
        advance(timedelta(minutes=1, seconds=1))
        response = _post_login(client, "ana@example.org")
    assert response.status_code == 302
    assert _is_logged_in(client)


def test_a_successful_login_clears_the_failure_count(client, create_user):
    create_user("ana@example.org")
    for _ in range(4):
        _post_login(client, "ana@example.org", "wrong")
    login(client, "ana@example.org")
    client.post("/logout")
    for _ in range(4):
        _post_login(client, "ana@example.org", "wrong")
    assert _post_login(client, "ana@example.org").status_code == 302


@pytest.mark.parametrize(
    ("next_url", "expected"),
    [
        ("/account", "/account"),
        ("/cohorts/new?x=1", "/cohorts/new?x=1"),
        *((target, "/") for target in OFF_SITE if target),
    ],
)
def test_next_is_honoured_only_inside_the_site(client, create_user, next_url, expected):
    create_user("ana@example.org")
    response = client.post(
        "/login",
        query_string={"next": next_url},
        data={"email": "ana@example.org", "password": PASSWORD},
    )
    if has_control_characters(next_url):
        assert response.status_code == 400  # refused at the edge, before any redirect
        return
    assert response.status_code == 302
    assert response.headers["Location"] == expected


@pytest.mark.parametrize("where", ["query_string", "data"])
@pytest.mark.parametrize("target", [target for target in OFF_SITE if target])
def test_the_language_choice_never_sends_to_another_site(client, where, target):
    data = {"locale": "en"}
    if where == "data":
        response = client.post("/language", data={**data, "next": target})
    else:
        response = client.post("/language", data=data, query_string={"next": target})
    # A URL holds no control character, a form's text only tabs and line breaks: the edge
    # refuses the rest; safe_next() turns away what gets past it (tests/core/test_urls.py).
    if has_control_characters(target, multiline=where == "data"):
        assert response.status_code == 400
        return
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_a_protected_page_sends_to_login_and_back(client, create_user):
    create_user("ana@example.org")
    response = client.get("/account")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login?next=%2Faccount"
    response = client.post(
        response.headers["Location"], data={"email": "ana@example.org", "password": PASSWORD}
    )
    assert response.headers["Location"] == "/account"


# Logout and sessions -----------------------------------------------------------------------


def test_logout_is_post_only(client, create_user):
    create_user("ana@example.org")
    login(client, "ana@example.org")
    assert client.get("/logout").status_code == 405
    assert _is_logged_in(client)
    response = client.post("/logout", follow_redirects=True)
    assert response.request.path == "/login"
    assert "Vous êtes déconnecté." in page_text(response)
    assert not _is_logged_in(client)


def test_logout_invalidates_the_session_on_the_server(app, client, create_user):
    create_user("ana@example.org")
    login(client, "ana@example.org")
    old_cookie = client.get_cookie("parcours_session").value

    copy = app.test_client()
    copy.set_cookie("parcours_session", old_cookie)
    assert _is_logged_in(copy), "the copied cookie works before logout"

    client.post("/logout")
    replay = app.test_client()
    replay.set_cookie("parcours_session", old_cookie)
    response = replay.get("/account")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")
    assert not _is_logged_in(copy)


def test_a_cookie_replayed_from_another_browser_is_logged_out(app, client, create_user):
    create_user("ana@example.org")
    login(client, "ana@example.org")
    stolen = client.get_cookie("parcours_session").value
    thief = app.test_client()
    thief.set_cookie("parcours_session", stolen)
    response = thief.get("/account", headers={"User-Agent": "Thief/1.0"})
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")
    assert _is_logged_in(client), "the owner's browser keeps its session"


def test_changing_password_logs_out_other_browsers_only(app, create_user):
    create_user("ana@example.org")
    here, elsewhere = app.test_client(), app.test_client()
    login(here, "ana@example.org")
    login(elsewhere, "ana@example.org")
    response = here.post(
        "/account/password",
        data={"current": PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/account"
    assert "Votre mot de passe a été changé." in page_text(here.get("/account"))
    assert _is_logged_in(here)
    assert not _is_logged_in(elsewhere)
    assert _post_login(elsewhere, "ana@example.org", PASSWORD).status_code == 401
    assert _post_login(elsewhere, "ana@example.org", NEW_PASSWORD).status_code == 302


def test_a_failed_password_change_keeps_the_page_and_changes_nothing(app, create_user):
    create_user("ana@example.org", "Ana Dupont", organisation="Réseau Rural")
    here, elsewhere = app.test_client(), app.test_client()
    login(here, "ana@example.org")
    login(elsewhere, "ana@example.org")
    before = _user(app, "ana@example.org")
    response = here.post(
        "/account/password",
        data={"current": "wrong", "password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Le mot de passe actuel est incorrect." in page_text(response)
    assert _input_value(html, "full_name") == "Ana Dupont"
    assert _input_value(html, "organisation") == "Réseau Rural"
    assert not _input_value(html, "current"), "a typed password is never sent back"
    assert NEW_PASSWORD not in html
    after = _user(app, "ana@example.org")
    assert (after.password_hash, after.session_token) == (
        before.password_hash,
        before.session_token,
    )
    assert _is_logged_in(here) and _is_logged_in(elsewhere)


@pytest.mark.parametrize(
    ("new", "confirm", "message"),
    [
        ("azerty123", "azerty123", "Ce mot de passe est trop courant"),
        ("court", "court", "au moins 8 caractères"),
        (NEW_PASSWORD, NEW_PASSWORD + "!", "Les deux mots de passe ne sont pas identiques."),
    ],
)
def test_a_weak_new_password_is_refused_on_the_account_page(
    app, client, create_user, new, confirm, message
):
    create_user("ana@example.org")
    login(client, "ana@example.org")
    response = client.post(
        "/account/password", data={"current": PASSWORD, "password": new, "confirm": confirm}
    )
    assert response.status_code == 400
    assert message in page_text(response)
    assert _has_password(app, "ana@example.org", PASSWORD)


# Password reset and invitations ------------------------------------------------------------


def test_forgotten_password_flow(app, client, create_user, outbox):
    create_user("ana@example.org")
    response = _ask_reset(client, "ANA@example.org", follow_redirects=True)
    assert response.request.path == "/login"
    assert RESET_SENT in page_text(response)
    [message] = outbox
    assert message.to == "ana@example.org"
    link = link_in(message)
    assert link.startswith("/password/reset/")

    page = client.get(link)
    assert page.status_code == 200
    assert "Choisissez un nouveau mot de passe pour ana@example.org." in page_text(page)
    response = client.post(link, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert _is_logged_in(client)

    client.post("/logout")
    assert _post_login(client, "ana@example.org", PASSWORD).status_code == 401
    assert _post_login(client, "ana@example.org", NEW_PASSWORD).status_code == 302
    assert _user(app, "ana@example.org").password_hash.startswith("$argon2")


def test_a_reset_link_cannot_be_used_twice(client, create_user, outbox):
    create_user("ana@example.org")
    _ask_reset(client, "ana@example.org")
    link = link_in(outbox[0])
    client.post(link, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    client.post("/logout")
    for response in (
        client.get(link),
        client.post(link, data={"password": "un autre mot de passe", "confirm": "x"}),
    ):
        assert response.status_code == 400
        assert LINK_INVALID in page_text(response)
    assert _post_login(client, "ana@example.org", NEW_PASSWORD).status_code == 302


def test_a_reset_link_expires(app, client, create_user, outbox):
    create_user("ana@example.org")
    hours = app.config["PARCOURS_TOKEN_MAX_AGE_HOURS"]
    with freeze(START):
        _ask_reset(client, "ana@example.org")
        link = link_in(outbox[0])
        advance(timedelta(hours=hours - 1))
        assert client.get(link).status_code == 200
        advance(timedelta(hours=1, seconds=1))
        response = client.post(link, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 400
    assert LINK_INVALID in page_text(response)
    assert _post_login(client, "ana@example.org", PASSWORD).status_code == 302


def test_an_unknown_address_gets_the_same_answer_and_no_email(client, create_user, outbox):
    create_user("ana@example.org")
    known = _ask_reset(client, "ana@example.org")
    unknown = _ask_reset(client, "nobody@example.org")
    assert known.status_code == unknown.status_code == 302
    assert known.headers["Location"] == unknown.headers["Location"] == "/login"
    assert RESET_SENT in page_text(client.get("/login"))
    assert [message.to for message in outbox] == ["ana@example.org"]


@pytest.mark.parametrize("kind", ["tampered", "garbage", "wrong-purpose"])
def test_a_bad_link_gets_the_invalid_link_page(client, create_user, outbox, kind):
    create_user("ana@example.org")
    _ask_reset(client, "ana@example.org")
    token = link_in(outbox[0]).removeprefix("/password/reset/")
    link = {
        "tampered": "/password/reset/" + ("A" if token[0] != "A" else "B") + token[1:],
        "garbage": "/password/reset/not-a-token",
        "wrong-purpose": "/invitation/" + token,
    }[kind]
    response = client.get(link)
    assert response.status_code == 400
    text = page_text(response)
    assert LINK_INVALID in text
    assert "Recevoir un nouveau lien" in text


def test_an_invitation_link_lets_the_person_choose_a_password(app, client, create_user, outbox):
    from flask_babel import lazy_gettext as _l

    from parcours.accounts import operations

    coordinator_id = create_user("coord@example.org", "Claire Coord")
    with app.test_request_context():
        user, _ = operations.ensure_user("nina@example.org", "Nina Nouvelle")
        operations.send_invitation(
            user,
            name="Nina Nouvelle",
            invited_by=db.session.get(User, coordinator_id),
            cohort_name="Cohorte A",
            role_label=_l("Catalyseur·rice"),
        )
        db.session.commit()
    [message] = outbox
    assert message.subject == "Votre accès à Parcours — Cohorte A"
    link = link_in(message)
    page = client.get(link)
    assert page.status_code == 200
    assert "Bienvenue, Nina Nouvelle" in page_text(page)

    weak = client.post(link, data={"password": "password1", "confirm": "password1"})
    assert weak.status_code == 200
    assert "Ce mot de passe est trop courant" in page_text(weak)

    response = client.post(link, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.headers["Location"] == "/"
    assert "Votre mot de passe est enregistré. Bienvenue !" in page_text(client.get("/"))
    client.post("/logout")
    assert client.get(link).status_code == 400
    assert _post_login(client, "nina@example.org", NEW_PASSWORD).status_code == 302


# Account page ------------------------------------------------------------------------------


def test_the_account_page_updates_the_profile(app, client, create_user):
    create_user("ana@example.org", "Ana Dupont")
    login(client, "ana@example.org")
    page = client.get("/account")
    assert page.status_code == 200
    assert "Adresse e-mail : ana@example.org" in page_text(page)
    assert '<html lang="fr">' in page.get_data(as_text=True)

    response = client.post(
        "/account",
        data={"full_name": "  Ana Martin ", "organisation": " Réseau Rural ", "locale": "en"},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/account"
    user = _user(app, "ana@example.org")
    assert (user.full_name, user.organisation, user.locale) == ("Ana Martin", "Réseau Rural", "en")
    assert '<html lang="en">' in client.get("/account").get_data(as_text=True)
    assert '<html lang="en">' in client.get("/").get_data(as_text=True)


@pytest.mark.parametrize(
    "data",
    [
        {"full_name": "", "organisation": "", "locale": "fr"},
        {"full_name": "Ana", "organisation": "", "locale": "de"},
        {"full_name": "x" * 201, "organisation": "", "locale": "fr"},
    ],
    ids=["empty-name", "unknown-language", "name-too-long"],
)
def test_an_invalid_profile_is_refused(app, client, create_user, data):
    create_user("ana@example.org", "Ana Dupont")
    login(client, "ana@example.org")
    response = client.post("/account", data=data)
    assert response.status_code == 400
    user = _user(app, "ana@example.org")
    assert (user.full_name, user.locale) == ("Ana Dupont", "fr")


def test_an_anonymous_visitor_can_choose_the_language(client):
    response = client.post("/language", data={"locale": "en", "next": "/login"})
    assert response.headers["Location"] == "/login"
    assert '<html lang="en">' in client.get("/login").get_data(as_text=True)
    response = client.post("/language", data={"locale": "fr", "next": "https://evil.example"})
    assert response.headers["Location"] == "/"


# CLI ---------------------------------------------------------------------------------------


def test_create_admin_command(app, client):
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=["users", "create-admin", "Boss@Example.org", "--name", "La Patronne"],
        input=f"{NEW_PASSWORD}\n{NEW_PASSWORD}\n",
    )
    assert result.exit_code == 0, result.output
    assert "Créé : boss@example.org (administrateur)" in result.output
    user = _user(app, "boss@example.org")
    assert user.is_admin
    assert user.full_name == "La Patronne"
    assert _has_password(app, "boss@example.org", NEW_PASSWORD)
    assert _post_login(client, "boss@example.org", NEW_PASSWORD).status_code == 302


def test_create_admin_promotes_an_existing_account(app, create_user):
    create_user("ana@example.org", "Ana Dupont")
    result = app.test_cli_runner().invoke(
        args=["users", "create-admin", "ana@example.org", "--name", "Ana", "--password", PASSWORD]
    )
    assert result.exit_code == 0, result.output
    assert "Mis à jour : ana@example.org (administrateur)" in result.output
    user = _user(app, "ana@example.org")
    assert user.is_admin
    assert user.full_name == "Ana Dupont"


@pytest.mark.parametrize("password", ["azerty123", "court"])
def test_create_admin_refuses_a_weak_password(app, password):
    result = app.test_cli_runner().invoke(
        args=["users", "create-admin", "boss@example.org", "--name", "Boss", "--password", password]
    )
    assert result.exit_code != 0
    assert "Error:" in result.output
    assert _user(app, "boss@example.org") is None


def test_a_forged_host_header_never_reaches_a_reset_link(client, create_user, outbox):
    create_user("ana@example.org")
    _ask_reset(
        client,
        "ana@example.org",
        headers={"Host": "evil.example", "X-Forwarded-Host": "evil.example"},
    )
    (message,) = outbox
    assert "evil.example" not in message.body
    assert "http://parcours.test/password/reset/" in message.body
