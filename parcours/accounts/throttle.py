"""Attempt limits kept in the database: logins, reset requests, check-in codes.

Each attempt is *taken* before the work it guards (checking a password, a code): a row in
``throttle_hits`` for every limit it falls under, written in the request's transaction. So

- the count holds across workers and hosts. A view whose failures must count answers them
  with ``@handles(commit_failures=True)``, so that its 4xx commits the attempt;
- a burst of parallel attempts cannot slip past a limit: each key is locked until the
  transaction ends (an advisory lock on PostgreSQL; SQLite writes one transaction at a
  time), so the sixth of six simultaneous attempts counts the other five;
- an attempt that turns out not to be a failure (the right password) is given back with
  :func:`release`, and a refused attempt is not counted, so a refusal never prolongs itself.
"""

import hashlib
import logging
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import delete, func, or_, select, text

from parcours.accounts.models import ThrottleHit
from parcours.core.extensions import db
from parcours.core.time import now_utc

logger = logging.getLogger(__name__)


#: Every limit by scope, whichever domain declares it: what prune() reads.
LIMITS: dict[str, "Limit"] = {}


@dataclass(frozen=True)
class Limit:
    """At most ``PARCOURS_<max_setting>`` attempts per key in ``<window_setting>`` minutes."""

    scope: str
    max_setting: str
    window_setting: str

    def __post_init__(self) -> None:
        LIMITS[self.scope] = self

    @property
    def max(self) -> int:
        return int(current_app.config[self.max_setting])

    @property
    def window(self) -> timedelta:
        return timedelta(minutes=int(current_app.config[self.window_setting]))


#: Failed logins per account, and per browser that logged into that account before.
LOGIN_ACCOUNT = Limit(
    "login-account", "PARCOURS_LOGIN_MAX_FAILURES", "PARCOURS_LOGIN_WINDOW_MINUTES"
)
LOGIN_DEVICE = Limit("login-device", "PARCOURS_LOGIN_MAX_FAILURES", "PARCOURS_LOGIN_WINDOW_MINUTES")
#: Failed logins per client address, whatever the accounts tried.
LOGIN_CLIENT = Limit(
    "login-client", "PARCOURS_LOGIN_CLIENT_MAX_FAILURES", "PARCOURS_LOGIN_WINDOW_MINUTES"
)
#: Password-reset requests per e-mail address typed, and per client address.
RESET_ADDRESS = Limit(
    "reset-address", "PARCOURS_RESET_MAX_PER_ADDRESS", "PARCOURS_RESET_WINDOW_MINUTES"
)
RESET_CLIENT = Limit(
    "reset-client", "PARCOURS_RESET_MAX_PER_CLIENT", "PARCOURS_RESET_WINDOW_MINUTES"
)

#: Invitations sent again to one person, whoever resends them: a coordinator's button must not
#: become a way to flood someone's mailbox.
INVITATION_RESEND = Limit(
    "invitation-resend",
    "PARCOURS_INVITATION_RESEND_MAX",
    "PARCOURS_INVITATION_RESEND_WINDOW_MINUTES",
)


class Throttled(Exception):
    """Refused: ``limit`` is reached; a new attempt may succeed in ``retry_after``."""

    def __init__(self, limit: Limit, retry_after: timedelta) -> None:
        super().__init__(limit.scope)
        self.limit = limit
        self.retry_after = retry_after

    @property
    def retry_after_seconds(self) -> int:
        return max(1, math.ceil(self.retry_after.total_seconds()))


@dataclass(frozen=True)
class Ticket:
    """The rows an attempt took, to give back if it was not a failure."""

    hit_ids: tuple[int, ...]


def _digest(limit: Limit, key: str) -> str:
    return hashlib.sha256(f"{limit.scope}\0{key}".encode()).hexdigest()


def _lock(digest: str) -> None:
    if db.session.get_bind().dialect.name == "postgresql":
        # Until the transaction ends: attempts on one key are counted one after the other.
        db.session.execute(
            text("SELECT pg_advisory_xact_lock(:key)"), {"key": int(digest[:15], 16)}
        )


def _in_window(limit: Limit, digest: str, now):
    return (
        ThrottleHit.scope == limit.scope,
        ThrottleHit.key == digest,
        ThrottleHit.at > now - limit.window,
    )


def take(*checks: tuple[Limit, str]) -> Ticket:
    """Count one attempt under each ``(limit, key)``; raise :class:`Throttled` if one is full.

    Nothing is counted when one limit refuses. Locks each key until the caller commits.
    """
    now = now_utc()
    keyed = sorted({(_digest(limit, key), limit) for limit, key in checks}, key=lambda k: k[0])
    for digest, limit in keyed:  # always in the same order, so two attempts never deadlock
        _lock(digest)
        # The key's hits that no longer count. Also, on SQLite, this first write takes the
        # database's write lock: the counts below are then serialised there too.
        db.session.execute(
            delete(ThrottleHit).where(
                ThrottleHit.scope == limit.scope,
                ThrottleHit.key == digest,
                ThrottleHit.at <= now - limit.window,
            )
        )
    for digest, limit in keyed:
        counted, oldest = db.session.execute(
            select(func.count(ThrottleHit.id), func.min(ThrottleHit.at)).where(
                *_in_window(limit, digest, now)
            )
        ).one()
        if counted >= limit.max:
            logger.warning("Limit %s reached", limit.scope)
            raise Throttled(limit, oldest + limit.window - now)
    hits = [ThrottleHit(scope=limit.scope, key=digest, at=now) for digest, limit in keyed]
    db.session.add_all(hits)
    db.session.flush()
    return Ticket(tuple(hit.id for hit in hits))


def release(ticket: Ticket) -> None:
    """Give back an attempt that was not a failure."""
    if ticket.hit_ids:
        db.session.execute(delete(ThrottleHit).where(ThrottleHit.id.in_(ticket.hit_ids)))


def clear(limit: Limit, key: str) -> None:
    """Forget every attempt counted under ``limit`` for ``key`` (a successful login)."""
    db.session.execute(
        delete(ThrottleHit).where(
            ThrottleHit.scope == limit.scope, ThrottleHit.key == _digest(limit, key)
        )
    )


def count(limit: Limit, key: str) -> int:
    """Return how many attempts count under ``limit`` for ``key`` now."""
    return db.session.scalar(
        select(func.count(ThrottleHit.id)).where(*_in_window(limit, _digest(limit, key), now_utc()))
    )


def expired(now: datetime):
    """Return the condition of the attempts that no longer count under any limit at ``now``.

    Hits of a scope no limit declares any more are among them.
    """
    past_window = [
        (ThrottleHit.scope == scope) & (ThrottleHit.at <= now - limit.window)
        for scope, limit in LIMITS.items()
    ]
    return or_(ThrottleHit.scope.not_in(list(LIMITS)), *past_window)


def prune(now: datetime | None = None) -> int:
    """Delete the attempts that no longer count under any limit; return how many.

    take() prunes the key it counts; this catches the keys never tried again (one-off client
    addresses, mistyped e-mails), which would otherwise stay.
    """
    result = db.session.execute(delete(ThrottleHit).where(expired(now or now_utc())))
    return result.rowcount
