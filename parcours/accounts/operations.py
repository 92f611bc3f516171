"""Account operations. They change and flush models; the caller commits."""

import functools
import logging
from dataclasses import dataclass

from flask import render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from sqlalchemy import select

from parcours.accounts import signals, throttle, tokens
from parcours.accounts.devices import Device
from parcours.accounts.models import User, new_session_token, normalize_email, search_key
from parcours.accounts.passwords import hash_password, verify_password
from parcours.accounts.throttle import Throttled
from parcours.audit import labels as audit_labels
from parcours.audit import operations as audit
from parcours.audit.models import AuditAction
from parcours.core.concurrency import insert_if_absent
from parcours.core.extensions import db
from parcours.core.time import now_utc
from parcours.core.urls import absolute_url
from parcours.outbox import mail

# The codes this domain writes in the audit log, in words (audit/labels.py).
audit_labels.name_values("via", {"account": _l("page du compte"), "invitation": _l("invitation")})

logger = logging.getLogger(__name__)


class AccountError(ValueError):
    """An account action refused for a reason the user can fix; ``str()`` is translated."""


@dataclass(frozen=True)
class LoginResult:
    user: User | None
    throttled: Throttled | None = None


def find_user(email: str) -> User | None:
    """Return the user with this e-mail address, whatever its case."""
    return db.session.scalar(select(User).where(User.email == normalize_email(email)))


def authenticate(
    email: str, password: str, *, client: str | None = None, device: Device | None = None
) -> LoginResult:
    """Check credentials under the attempt limits (per account and client, or per device).

    A browser whose device cookie names this account is limited by its own failures only,
    so that wrong passwords typed elsewhere never lock its owner out.
    """
    email = normalize_email(email)
    user = find_user(email)
    trusted = device is not None and user is not None and device.user_id == user.id
    if trusted:
        checks = [(throttle.LOGIN_DEVICE, device.id)]
    else:
        checks = [(throttle.LOGIN_ACCOUNT, email)]
        if client:
            checks.append((throttle.LOGIN_CLIENT, client))
    try:
        ticket = throttle.take(*checks)
    except Throttled as refusal:
        # The address, as on the failures before it: an operator sees who is being tried.
        logger.warning("Login throttled for %s (%s)", email, refusal.limit.scope)
        # Kept like the attempts it counts (the login view commits its failures). The account
        # tried, if there is one; never the address typed.
        audit.record(AuditAction.LOGIN_LOCKED, subject=user, details={"limit": refusal.limit.scope})
        return LoginResult(user=None, throttled=refusal)
    valid = verify_password(user.password_hash if user else None, password)
    if not valid or user is None or not user.active:
        logger.info("Failed login for %s", email)
        # Whether the password was right is not written: only that the account is closed.
        inactive = {"inactive": True} if user is not None and not user.active else {}
        audit.record(AuditAction.LOGIN_FAILED, subject=user, details=inactive)
        return LoginResult(user=None)
    throttle.release(ticket)  # the attempt counted as a failure until now: it was not one
    throttle.clear(throttle.LOGIN_ACCOUNT, email)
    if trusted:
        throttle.clear(throttle.LOGIN_DEVICE, device.id)
    user.last_login_at = now_utc()
    audit.record(AuditAction.LOGIN_SUCCEEDED, actor=user, details={"device": trusted})
    db.session.flush()
    logger.info("User %s logged in", user.id)
    return LoginResult(user=user)


def end_sessions(user: User) -> None:
    """Invalidate every existing login session of ``user`` (logout, password change)."""
    user.session_token = new_session_token()
    db.session.flush()


def log_out(user: User) -> None:
    """End every session of ``user``, who is logging out."""
    end_sessions(user)
    audit.record(AuditAction.LOGOUT, actor=user)


def set_password(user: User, password: str) -> None:
    """Give ``user`` a new password and end their other sessions (unaudited: CLI, demo)."""
    user.password_hash = hash_password(password)
    end_sessions(user)
    logger.info("Password set for user %s", user.id)


def choose_password(user: User, password: str, *, purpose: str) -> None:
    """Set the password ``user`` chose through an e-mailed link: a reset or an invitation."""
    set_password(user, password)
    if purpose == tokens.PASSWORD_RESET:
        audit.record(AuditAction.PASSWORD_RESET, actor=user)
    else:  # an invitation's first password
        audit.record(AuditAction.PASSWORD_CHANGED, actor=user, details={"via": "invitation"})


def change_password(user: User, current: str, new: str) -> None:
    """Change the password after checking the current one."""
    if not verify_password(user.password_hash, current):
        raise AccountError(_("Le mot de passe actuel est incorrect."))
    set_password(user, new)
    audit.record(AuditAction.PASSWORD_CHANGED, actor=user, details={"via": "account"})


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
        search_key=search_key(full_name),  # a plain INSERT: the model's validator does not run
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
    name: str,
    invited_by: User,
    cohort_name: str,
    role_label: LazyString,
    cohort_id: int | None = None,
) -> None:
    """E-mail ``user`` a link to join (set a password) or, if they have one, a notice.

    It greets them by ``name``, as the inviter typed it: the cohort's e-mail log shows the
    message, and an existing account's own name is not the inviter's to learn.
    """
    if user.has_password:
        link = absolute_url("accounts.login")
        template = "mail/added_to_cohort.txt"
    else:
        token = tokens.make_token(user, tokens.INVITATION)
        link = absolute_url("accounts.accept_invitation", token=token)
        template = "mail/invitation.txt"
        user.invitation_sent_at = now_utc()  # the link's age: see accounts.invitations
    _send(
        user,
        template,
        _l("Votre accès à Parcours — %(cohort)s", cohort=cohort_name),
        cohort_id=cohort_id,
        name=name,
        link=link,
        invited_by=invited_by,
        cohort_name=cohort_name,
        role_label=role_label,
        privacy_link=absolute_url("privacy.privacy_notice"),
    )
    logger.info("Invitation queued for user %s by user %s", user.id, invited_by.id)


def deactivate_user(user: User, *, by: User) -> None:
    """Stop ``user`` from logging in and end every session they have open."""
    if user.id == by.id:
        raise AccountError(_("Vous ne pouvez pas désactiver votre propre compte."))
    user.active = False
    end_sessions(user)
    audit.record(
        AuditAction.ROLE_CHANGED, actor=by, subject=user, target=user, details={"active": False}
    )
    logger.info("User %s deactivated by user %s", user.id, by.id)


def reactivate_user(user: User, *, by: User) -> None:
    """Let a deactivated ``user`` log in again (never an erased one: it names no one)."""
    if user.erased_at is not None:
        raise AccountError(_("Ce compte a été effacé : il ne peut pas être réactivé."))
    user.active = True
    audit.record(
        AuditAction.ROLE_CHANGED, actor=by, subject=user, target=user, details={"active": True}
    )
    db.session.flush()
    logger.info("User %s reactivated by user %s", user.id, by.id)


def make_admin(user: User) -> None:
    """Make ``user`` a platform administrator (from the command line: no one is logged in)."""
    if not user.is_admin:
        audit.record(
            AuditAction.ROLE_CHANGED, subject=user, target=user, details={"is_admin": True}
        )
    user.is_admin = True
    db.session.flush()


def allow_cohort_creation(user: User, allowed: bool, *, by: User) -> None:
    """Give or take back ``user``'s right to create cohorts (administrators always have it)."""
    if user.can_create_cohorts != allowed:
        audit.record(
            AuditAction.ROLE_CHANGED,
            actor=by,
            subject=user,
            target=user,
            details={"can_create_cohorts": allowed},
        )
    user.can_create_cohorts = allowed
    db.session.flush()
    logger.info("User %s may create cohorts: %s (set by user %s)", user.id, allowed, by.id)


def ask_password_reset(email: str, *, client: str | None) -> None:
    """Count a reset request, then send the link once the answer has left (see below).

    Raise :class:`Throttled` when this client asked too often. Past the limit for this
    address, nothing more is sent, and the answer is the same. Nothing here depends on
    whether the address has an account: the look-up, the e-mail and its delivery happen after
    the response, so that its timing does not tell.
    """
    if client:
        throttle.take((throttle.RESET_CLIENT, client))
    email = normalize_email(email)
    try:
        throttle.take((throttle.RESET_ADDRESS, email))
    except Throttled:
        logger.warning("Password reset not sent: too many requests for one address")
        return
    mail.after_response(functools.partial(request_password_reset, email))


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
