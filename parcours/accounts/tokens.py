"""Signed, expiring, one-time links for invitations and password resets.

A token carries a fingerprint of the user's current password hash: setting a password
changes the hash, so a used link stops working.
"""

import hashlib

from flask import current_app
from itsdangerous import BadSignature, TimestampSigner, URLSafeTimedSerializer
from sqlalchemy import select

from parcours.accounts.models import User
from parcours.core.extensions import db
from parcours.core.time import now_utc

INVITATION = "invitation"
PASSWORD_RESET = "password-reset"  # noqa: S105 (a token purpose, not a secret)


class _ClockSigner(TimestampSigner):
    """Read the time from now_utc() so that tests can freeze it."""

    def get_timestamp(self) -> int:
        return int(now_utc().timestamp())


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(
        current_app.config["SECRET_KEY"], salt=f"parcours-{purpose}", signer=_ClockSigner
    )


def _fingerprint(user: User) -> str:
    return hashlib.sha256((user.password_hash or "no-password").encode()).hexdigest()[:16]


def make_token(user: User, purpose: str) -> str:
    """Return a link token for ``user`` and ``purpose``."""
    return _serializer(purpose).dumps({"u": user.id, "f": _fingerprint(user)})


def read_token(token: str, purpose: str) -> User | None:
    """Return the user a still-valid token belongs to, or None."""
    max_age = int(current_app.config["PARCOURS_TOKEN_MAX_AGE_HOURS"]) * 3600
    try:
        data = _serializer(purpose).loads(token, max_age=max_age)
    except BadSignature:  # includes SignatureExpired
        return None
    if not isinstance(data, dict):
        return None
    user = db.session.scalar(select(User).where(User.id == data.get("u"), User.active.is_(True)))
    if user is None or _fingerprint(user) != data.get("f"):
        return None
    return user
