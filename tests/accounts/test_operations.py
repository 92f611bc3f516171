"""Account operations: authentication, passwords, profile, links and the e-mails they send."""

from datetime import UTC, datetime, timedelta

import pytest
from flask_babel import lazy_gettext as _l

from parcours.accounts import operations, throttle, tokens
from parcours.accounts.models import User
from parcours.accounts.passwords import password_problem, verify_password
from parcours.core.extensions import db
from parcours.core.time import advance, freeze
from tests.accounts.conftest import link_in
from tests.conftest import PASSWORD

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _user(user_id: int) -> User:
    return db.session.get(User, user_id)


def _failures(email: str) -> int:
    return throttle.count(throttle.LOGIN_ACCOUNT, email)


# Authentication ----------------------------------------------------------------------------


@pytest.mark.parametrize("typed", ["ana@example.org", "ANA@Example.ORG", "  Ana@example.org "])
def test_authenticate_accepts_any_case_of_the_address(ctx, create_user, typed):
    user_id = create_user("ana@example.org")
    with freeze(START):
        result = operations.authenticate(typed, PASSWORD)
    assert result.user is not None and result.user.id == user_id
    assert not result.throttled
    assert result.user.last_login_at == START


@pytest.mark.parametrize(
    ("email", "password", "fields"),
    [
        ("ana@example.org", "not the password", {}),
        ("nobody@example.org", PASSWORD, {}),
        ("ana@example.org", PASSWORD, {"active": False}),
        ("ana@example.org", "", {"password": None}),
    ],
    ids=["wrong-password", "unknown-address", "inactive", "no-password-yet"],
)
def test_authenticate_refuses_and_counts_the_failure(ctx, create_user, email, password, fields):
    create_user("ana@example.org", **fields)
    result = operations.authenticate(email, password)
    assert result.user is None
    assert not result.throttled
    assert _failures(email) == 1


def test_throttling_after_max_failures_even_with_the_right_password(ctx, create_user):
    create_user("ana@example.org")
    with freeze(START):
        for _ in range(5):
            assert operations.authenticate("ana@example.org", "wrong").user is None
        result = operations.authenticate("ANA@example.org", PASSWORD)
        assert _failures("ana@example.org") == 5  # a throttled attempt is not counted
    assert result.throttled
    assert result.user is None


def test_throttling_is_per_address(ctx, create_user):
    create_user("ana@example.org")
    create_user("bob@example.org")
    for _ in range(5):
        operations.authenticate("ana@example.org", "wrong")
    assert operations.authenticate("bob@example.org", PASSWORD).user is not None


def test_throttling_ends_with_the_window(ctx, create_user):
    create_user("ana@example.org")
    with freeze(START):
        for _ in range(5):
            operations.authenticate("ana@example.org", "wrong")
        advance(timedelta(minutes=14, seconds=59))
        assert operations.authenticate("ana@example.org", PASSWORD).throttled
        advance(timedelta(seconds=1))
        assert operations.authenticate("ana@example.org", PASSWORD).user is not None


def test_a_success_clears_the_failures(ctx, create_user):
    create_user("ana@example.org")
    for _ in range(4):
        operations.authenticate("ana@example.org", "wrong")
    assert operations.authenticate("ana@example.org", PASSWORD).user is not None
    assert _failures("ana@example.org") == 0
    for _ in range(4):
        operations.authenticate("ana@example.org", "wrong")
    assert operations.authenticate("ana@example.org", PASSWORD).user is not None


# Passwords ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("password", "problem"),
    [
        ("court", "Le mot de passe doit contenir au moins 8 caractères."),
        ("1234567", "Le mot de passe doit contenir au moins 8 caractères."),
        ("azerty123", "Ce mot de passe est trop courant : choisissez-en un autre."),
        ("password1", "Ce mot de passe est trop courant : choisissez-en un autre."),
        ("Password1", "Ce mot de passe est trop courant : choisissez-en un autre."),
        ("x" * 257, "Le mot de passe est trop long."),
    ],
)
def test_weak_passwords_are_refused_with_a_french_message(ctx, password, problem):
    assert password_problem(password) == problem


@pytest.mark.parametrize(
    "password", [PASSWORD, "le chat dort sur le radiateur", "Tr0ub4dour&3x", "x" * 256]
)
def test_acceptable_passwords(ctx, password):
    assert password_problem(password) is None


def test_set_password_stores_an_argon2_hash_and_ends_sessions(ctx, create_user):
    user = _user(create_user("ana@example.org"))
    old_token = user.session_token
    operations.set_password(user, "le chat dort sur le radiateur")
    assert user.password_hash.startswith("$argon2id$")
    assert "le chat" not in user.password_hash
    assert verify_password(user.password_hash, "le chat dort sur le radiateur")
    assert not verify_password(user.password_hash, PASSWORD)
    assert user.session_token != old_token


def test_change_password_checks_the_current_one(ctx, create_user):
    user = _user(create_user("ana@example.org"))
    old_hash, old_token = user.password_hash, user.session_token
    with pytest.raises(operations.AccountError, match="Le mot de passe actuel est incorrect"):
        operations.change_password(user, "wrong", "le chat dort sur le radiateur")
    assert (user.password_hash, user.session_token) == (old_hash, old_token)
    operations.change_password(user, PASSWORD, "le chat dort sur le radiateur")
    assert verify_password(user.password_hash, "le chat dort sur le radiateur")


# Users and profile -------------------------------------------------------------------------


def test_ensure_user_finds_an_address_whatever_its_case(ctx, create_user):
    user_id = create_user("ana@example.org")
    user, created = operations.ensure_user(" ANA@Example.org ", "Autre nom")
    assert (user.id, created) == (user_id, False)
    assert user.full_name != "Autre nom"
    new, created = operations.ensure_user(" Bob@Example.ORG ", "  Bob Martin ", "  Asso ", "en")
    assert created
    assert (new.email, new.full_name, new.organisation, new.locale) == (
        "bob@example.org",
        "Bob Martin",
        "Asso",
        "en",
    )
    assert new.password_hash is None


def test_update_profile(ctx, create_user):
    user = _user(create_user("ana@example.org"))
    operations.update_profile(user, full_name="  Ana Dupont ", organisation=" Réseau ", locale="en")
    db.session.commit()
    db.session.expire_all()
    user = _user(user.id)
    assert (user.full_name, user.organisation, user.locale) == ("Ana Dupont", "Réseau", "en")


# Links and e-mails -------------------------------------------------------------------------


def test_request_password_reset_queues_a_link_sent_after_commit(ctx, create_user, outbox):
    user_id = create_user("ana@example.org", "Ana Dupont")
    operations.request_password_reset("ANA@example.org")
    assert outbox == []
    db.session.commit()
    [message] = outbox
    assert message.to == "ana@example.org"
    assert message.subject == "Réinitialisation de votre mot de passe"
    assert "Bonjour Ana Dupont," in message.body
    token = link_in(message).removeprefix("/password/reset/")
    assert tokens.read_token(token, tokens.PASSWORD_RESET).id == user_id


@pytest.mark.parametrize(
    ("email", "active"),
    [("nobody@example.org", True), ("ana@example.org", False)],
    ids=["unknown", "inactive"],
)
def test_request_password_reset_sends_nothing_for_unknown_or_inactive(
    ctx, create_user, outbox, email, active
):
    create_user("ana@example.org", active=active)
    operations.request_password_reset(email)
    db.session.commit()
    assert outbox == []


def test_invitation_without_password_links_to_the_invitation_page(ctx, create_user, outbox):
    inviter = _user(create_user("coord@example.org", "Claire Coord"))
    user, _ = operations.ensure_user("new@example.org", "Nina Nouvelle")
    operations.send_invitation(
        user,
        name="Nina Nouvelle",
        invited_by=inviter,
        cohort_name="Cohorte A",
        role_label=_l("Catalyseur·rice"),
    )
    db.session.commit()
    [message] = outbox
    assert message.to == "new@example.org"
    assert message.subject == "Votre accès à Parcours — Cohorte A"
    assert "Bonjour Nina Nouvelle," in message.body
    assert "Claire Coord vous invite à rejoindre le parcours « Cohorte A »" in message.body
    assert "en tant que Catalyseur·rice" in message.body
    path = link_in(message)
    assert path.startswith("/invitation/")
    assert tokens.read_token(path.removeprefix("/invitation/"), tokens.INVITATION) == user


def test_invitation_of_someone_with_a_password_points_to_login(ctx, create_user, outbox):
    inviter = _user(create_user("coord@example.org", "Claire Coord"))
    user = _user(create_user("ana@example.org", "Ana Dupont"))
    operations.send_invitation(
        user,
        name="A. Dupont",
        invited_by=inviter,
        cohort_name="Cohorte B",
        role_label=_l("Catalyseur·rice"),
    )
    db.session.commit()
    [message] = outbox
    # Greeted as the inviter typed: the cohort's e-mail log shows this message to them.
    assert message.body.startswith("Bonjour A. Dupont,")
    assert "Ana Dupont" not in message.body
    assert "vous a ajouté·e au parcours « Cohorte B »" in message.body
    assert link_in(message) == "/login"


def test_invitation_is_written_in_the_recipients_language(ctx, create_user, outbox):
    inviter = _user(create_user("coord@example.org", "Claire Coord"))
    french, _ = operations.ensure_user("fr@example.org", "Franck", locale="fr")
    english, _ = operations.ensure_user("en@example.org", "Emma", locale="en")
    for user in (french, english):
        operations.send_invitation(
            user,
            name=user.full_name,
            invited_by=inviter,
            cohort_name="Cohorte A",
            role_label=_l("Catalyseur·rice"),
        )
    db.session.commit()
    subjects = {message.to: message.subject for message in outbox}
    assert subjects["fr@example.org"] == "Votre accès à Parcours — Cohorte A"
    assert subjects["en@example.org"] == "Your access to Parcours — Cohorte A"
    english_body = next(m.body for m in outbox if m.to == "en@example.org")
    assert english_body.startswith("Hello Emma,")


# Tokens ------------------------------------------------------------------------------------


def test_a_token_serves_once(ctx, create_user):
    user = _user(create_user("ana@example.org"))
    token = tokens.make_token(user, tokens.PASSWORD_RESET)
    assert tokens.read_token(token, tokens.PASSWORD_RESET) == user
    operations.set_password(user, "le chat dort sur le radiateur")
    assert tokens.read_token(token, tokens.PASSWORD_RESET) is None


def test_a_token_expires(ctx, create_user, app):
    user = _user(create_user("ana@example.org"))
    hours = app.config["PARCOURS_TOKEN_MAX_AGE_HOURS"]
    with freeze(START):
        token = tokens.make_token(user, tokens.INVITATION)
        advance(timedelta(hours=hours))
        assert tokens.read_token(token, tokens.INVITATION) == user
        advance(timedelta(seconds=1))
        assert tokens.read_token(token, tokens.INVITATION) is None


def test_a_token_is_bound_to_its_purpose_and_signature(ctx, create_user):
    user = _user(create_user("ana@example.org"))
    token = tokens.make_token(user, tokens.PASSWORD_RESET)
    assert tokens.read_token(token, tokens.INVITATION) is None
    tampered = ("A" if token[0] != "A" else "B") + token[1:]
    assert tokens.read_token(tampered, tokens.PASSWORD_RESET) is None
    assert tokens.read_token("not-a-token", tokens.PASSWORD_RESET) is None


def test_a_token_of_a_deactivated_user_is_refused(ctx, create_user):
    user = _user(create_user("ana@example.org"))
    token = tokens.make_token(user, tokens.PASSWORD_RESET)
    user.active = False
    db.session.flush()
    assert tokens.read_token(token, tokens.PASSWORD_RESET) is None
