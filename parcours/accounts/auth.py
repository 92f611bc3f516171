"""Flask-Login wiring: sessions identified by a rotating token, with an idle timeout."""

from flask import Flask, session
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from parcours.accounts.models import User
from parcours.core.extensions import db, login_manager


def init_app(app: Flask) -> None:
    """Attach Flask-Login and make every session expire after the idle timeout."""
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = _l("Connectez-vous pour accéder à cette page.")
    login_manager.login_message_category = "info"
    # A stolen cookie must not survive a change of IP address or browser.
    login_manager.session_protection = "strong"

    @login_manager.user_loader
    def _load(session_token: str) -> User | None:
        return db.session.scalar(
            select(User).where(User.session_token == session_token, User.active.is_(True))
        )

    @app.before_request
    def _idle_timeout() -> None:
        # A permanent session is re-issued on each request (SESSION_REFRESH_EACH_REQUEST),
        # so PERMANENT_SESSION_LIFETIME acts as an idle timeout.
        session.permanent = True
