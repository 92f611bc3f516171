"""Flask-Login wiring: sessions identified by a rotating token, with an idle timeout."""

import hashlib
from functools import cache

from flask import Flask, after_this_request, request, session
from flask_babel import lazy_gettext as _l
from flask_login import user_logged_in
from sqlalchemy import bindparam, select

from parcours.accounts import devices
from parcours.accounts.models import User
from parcours.core import changes
from parcours.core.extensions import db, login_manager

_AGENT_KEY = "_agent"


@cache
def _user_by_session_token():
    """Return the statement of every request's first query, built once per process.

    It reads the database's version with the user, in the same statement (see
    :func:`parcours.core.changes.token_column`).

    A statement built anew must be walked again to find its compiled form in SQLAlchemy's
    cache, which costs more than running it.
    """
    return select(User, changes.token_column()).where(
        User.session_token == bindparam("token"), User.active.is_(True)
    )


def _agent_fingerprint() -> str:
    return hashlib.sha256(request.headers.get("User-Agent", "").encode()).hexdigest()[:32]


def init_app(app: Flask) -> None:
    """Attach Flask-Login, bind sessions to their browser, and expire them when idle."""
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = _l("Connectez-vous pour accéder à cette page.")
    login_manager.login_message_category = "info"
    # Flask-Login's own protection ties a session to the IP address too, which logs out every
    # phone that moves from wifi to mobile data. We tie it to the browser only (below); logout
    # and password changes end sessions server-side through the rotating session token.
    login_manager.session_protection = None

    @login_manager.user_loader
    def _load(session_token: str) -> User | None:
        row = db.session.execute(_user_by_session_token(), {"token": session_token}).first()
        if row is None:
            return None
        user, token = row
        changes.seen(token)
        return user

    @user_logged_in.connect_via(app)
    def _remember_browser(sender, user, **extra) -> None:
        session[_AGENT_KEY] = _agent_fingerprint()
        # Every way in (login form, invitation, reset link) makes this browser a known one.
        after_this_request(lambda response: devices.remember(response, user))

    @app.before_request
    def _check_session() -> None:
        if "_user_id" not in session:
            return
        if session.get(_AGENT_KEY) != _agent_fingerprint():
            # A cookie replayed from another browser: drop it.
            session.clear()
            return
        # A permanent session is re-issued on each request (SESSION_REFRESH_EACH_REQUEST),
        # so PERMANENT_SESSION_LIFETIME acts as an idle timeout.
        session.permanent = True
