"""Account operations. They change and flush models; the caller commits."""

import logging
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from sqlalchemy import delete, func, select

from parcours.accounts import signals, tokens
from parcours.accounts.models import FailedLogin, User, new_session_token, normalize_email
from parcours.accounts.passwords import hash_password, verify_password
from parcours.core.concurrency import insert_if_absent
from parcours.core.extensions import db
from parcours.core.time import now_utc
from parcours.core.urls import absolute_url
from parcours.outbox import mail

logger = logging.getLogger(__name__)


class AccountError(ValueError):
    """An account action refused for a reason the user can fix; ``str()`` is translated."""


@dataclass(frozen=True)
class LoginResult:
    user: User | None
    throttled: bool = False


def find_user(email: str) -> User | None:
    """Return the user with this e-mail address, whatever its case."""
    return db.session.scalar(select(User).where(User.email == normalize_email(email)))


def _recent_failures(email: str) -> int:
    window = timedelta(minutes=int(current_app.config["PARCOURS_LOGIN_WINDOW_MINUTES"]))
    return db.session.scalar(
        select(func.count(FailedLogin.id)).where(
            FailedLogin.email == email, FailedLogin.attempted_at > now_utc() - window
        )
    )


def authenticate(email: str, password: str) -> LoginResult:
    """Check credentials, counting failures per address in the database."""
    email = normalize_email(email)
    if _recent_failures(email) >= int(current_app.config["PARCOURS_LOGIN_MAX_FAILURES"]):
        logger.warning("Login throttled for %s", email)
        return LoginResult(user=None, throttled=True)
    user = find_user(email)
    valid = verify_password(user.password_hash if user else None, password)
    if not valid or user is None or not user.active:
        db.session.add(FailedLogin(email=email, attempted_at=now_utc()))
        db.session.flush()
        logger.info("Failed login for %s", email)
        return LoginResult(user=None)
    db.session.execute(delete(FailedLogin).where(FailedLogin.email == email))
    user.last_login_at = now_utc()
    db.session.flush()
    logger.info("User %s logged in", user.id)
    return LoginResult(user=user)


def end_sessions(user: User) -> None:
    """Invalidate every existing login session of ``user`` (logout, password change)."""
    user.session_token = new_session_token()
    db.session.flush()


def set_password(user: User, password: str) -> None:
    """Give ``user`` a new password and end their other sessions."""
    user.password_hash = hash_password(password)
    end_sessions(user)
    logger.info("Password set for user %s", user.id)


def change_password(user: User, current: str, new: str) -> None:
    """Change the password after checking the current one."""
    if not verify_password(user.password_hash, current):
        raise AccountError(_("Le mot de passe actuel est incorrect."))
    set_password(user, new)


def update_profile(user: User, *, full_name: str, organisation: str, locale: str) -> None:
    """Update the name, organisation and language of ``user``."""
    user.full_name = full_name.strip()
    user.organisation = organisation.strip()
    user.locale = locale
    db.session.flush()


def ensure_user(
    email: str, full_name: str, organisation: str = "", locale: str = "fr"
) -> tuple[User, bool]:
    """Return the user with this address, creating one without a password if needed.

    Several invitations of one new address may arrive at once: one creates the account, the
    others wait for it and find it.
    """
    user = find_user(email)
    if user is not None:
        return user, False
    created = insert_if_absent(
        User,
        conflict=("email",),
        email=normalize_email(email),
        full_name=full_name.strip(),
        organisation=organisation.strip(),
        locale=locale,
    )
    user = db.session.scalar(select(User).where(User.email == normalize_email(email)))
    if not created:
        return user, False
    signals.user_created.send(user)
    logger.info("User %s created", user.id)
    return user, True


def _send(
    user: User, template: str, subject: LazyString, cohort_id: int | None = None, **context
) -> None:
    """Render and queue an e-mail in the recipient's language."""
    with force_locale(user.locale):
        message = mail.Message(
            to=user.email,
            subject=str(subject),
            body=render_template(template, user=user, **context),
        )
    mail.queue(message, cohort_id=cohort_id)


def send_invitation(
    user: User,
    *,
    invited_by: User,
    cohort_name: str,
    role_label: LazyString,
    cohort_id: int | None = None,
) -> None:
    """E-mail ``user`` a link to join (set a password) or, if they have one, a notice."""
    if user.has_password:
        link = absolute_url("accounts.login")
        template = "mail/added_to_cohort.txt"
    else:
        token = tokens.make_token(user, tokens.INVITATION)
        link = absolute_url("accounts.accept_invitation", token=token)
        template = "mail/invitation.txt"
    _send(
        user,
        template,
        _l("Votre accès à Parcours — %(cohort)s", cohort=cohort_name),
        cohort_id=cohort_id,
        link=link,
        invited_by=invited_by,
        cohort_name=cohort_name,
        role_label=role_label,
    )
    logger.info("Invitation queued for user %s by user %s", user.id, invited_by.id)


def request_password_reset(email: str) -> None:
    """Queue a reset link if an active account has this address; say nothing otherwise."""
    user = find_user(email)
    if user is None or not user.active:
        logger.info("Password reset asked for an unknown address")
        return
    token = tokens.make_token(user, tokens.PASSWORD_RESET)
    link = absolute_url("accounts.reset_password", token=token)
    _send(user, "mail/password_reset.txt", _l("Réinitialisation de votre mot de passe"), link=link)
    logger.info("Password reset queued for user %s", user.id)
