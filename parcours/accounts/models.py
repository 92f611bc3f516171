"""A person who can log in. Roles are per cohort (see cohorts.models.Membership)."""

import secrets
from datetime import datetime

from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
from sqlalchemy import Boolean, ColumnElement, Index, String, or_
from sqlalchemy.ext.hybrid import hybrid_method
from sqlalchemy.orm import Mapped, mapped_column, validates

from parcours.core.changes import bookkeeping
from parcours.core.db import one_of
from parcours.core.extensions import db
from parcours.core.i18n import LOCALES
from parcours.core.text import NAME_KEY_LENGTH, sort_key
from parcours.core.time import now_utc

DEMO_EMAIL_DOMAIN = "demo.parcours.example"


def new_session_token() -> str:
    """Return a fresh random token that identifies a user's login sessions."""
    return secrets.token_urlsafe(32)


def normalize_email(email: str) -> str:
    """Return the one spelling of an address we store and compare."""
    return email.strip().lower()


def search_key(text: str) -> str:
    """Return ``text`` as the people search compares it: no case, no accents."""
    return " ".join(sort_key(text).split())[:NAME_KEY_LENGTH]


class User(UserMixin, db.Model):
    __tablename__ = "users"
    __audit_label__ = _l("compte")
    __table_args__ = (one_of("locale", LOCALES),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # Always stored normalized (lower case), which makes the unique index case-insensitive.
    email: Mapped[str] = mapped_column(String(254), unique=True, nullable=False)
    full_name: Mapped[str] = mapped_column(String(200), nullable=False)
    #: ``full_name`` as searched, without case or accents (« helene » finds « Hélène »), kept
    #: here because SQL lower() folds only ASCII on SQLite.
    search_key: Mapped[str] = mapped_column(String(NAME_KEY_LENGTH), nullable=False, default="")
    organisation: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    locale: Mapped[str] = mapped_column(String(2), nullable=False, default="fr")
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    is_admin: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    # Granted by an administrator: starting a cohort is not a right of every coordinator.
    can_create_cohorts: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    password_hash: Mapped[str | None] = mapped_column(String(200), nullable=True)
    # Flask-Login stores this in the cookie instead of the id; rotating it ends every session.
    session_token: Mapped[str] = mapped_column(
        String(64), unique=True, nullable=False, default=new_session_token
    )
    created_at: Mapped[datetime] = mapped_column(nullable=False, default=now_utc)
    last_login_at: Mapped[datetime | None] = mapped_column(nullable=True)
    # When the last invitation e-mail left: its link is valid PARCOURS_TOKEN_MAX_AGE_HOURS.
    invitation_sent_at: Mapped[datetime | None] = mapped_column(nullable=True)
    #: When the person was erased (RGPD): the account is anonymised for good, never reopened.
    erased_at: Mapped[datetime | None] = mapped_column(nullable=True)
    #: An erased account still counts in the figures of what began before this moment (the
    #: erasure, for an account active then; None for one already deactivated, which counted
    #: nowhere any more): see :meth:`counts_at`.
    counted_until: Mapped[datetime | None] = mapped_column(nullable=True)

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email}>"

    @validates("full_name")
    def _follow_name(self, _attribute: str, value: str) -> str:
        self.search_key = search_key(value or "")  # None is the NOT NULL column's to refuse
        return value

    @property
    def is_active(self) -> bool:  # Flask-Login
        return self.active and self.erased_at is None

    def get_id(self) -> str:  # Flask-Login
        return self.session_token

    @property
    def is_erased(self) -> bool:
        return self.erased_at is not None

    @hybrid_method
    def counts_at(self, moment: datetime) -> bool:
        """Tell whether the person counts in the figures of something that began at
        ``moment`` (a session's expected people, a campaign's participants).

        The active do; a deactivated account does not; an erased one does where it took part,
        before its erasure, so that erasing someone changes no figure of the cohort.
        """
        return self.active or (self.counted_until is not None and self.counted_until > moment)

    @counts_at.inplace.expression
    @classmethod
    def _counts_at(cls, moment) -> ColumnElement[bool]:
        return or_(cls.active.is_(True), cls.counted_until > moment)

    @property
    def has_password(self) -> bool:
        return self.password_hash is not None


@bookkeeping  # a counted attempt is on no page
class ThrottleHit(db.Model):
    """One attempt counted against a limit (see ``accounts.throttle``).

    In the database, so that a limit holds across workers and hosts. ``key`` is a digest of
    what is limited (an address, a client, a person's half-day), not the thing itself.
    """

    __tablename__ = "throttle_hits"
    __audit_label__ = _l("tentative de connexion")
    __table_args__ = (Index("ix_throttle_hits_scope_key_at", "scope", "key", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    scope: Mapped[str] = mapped_column(String(30), nullable=False)
    key: Mapped[str] = mapped_column(String(64), nullable=False)
    at: Mapped[datetime] = mapped_column(nullable=False, default=now_utc)

    def __repr__(self) -> str:
        return f"<ThrottleHit {self.scope} {self.at:%Y-%m-%d %H:%M}>"
