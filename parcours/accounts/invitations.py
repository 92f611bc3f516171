"""Where an invitation stands: en attente, acceptée, expirée. One rule for every page."""

from datetime import timedelta
from enum import StrEnum

from flask import current_app
from flask_babel import lazy_gettext as _l

from parcours.accounts.models import User
from parcours.core.time import now_utc


class InvitationState(StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    EXPIRED = "expired"


STATE_LABELS = {
    InvitationState.PENDING: _l("en attente"),
    InvitationState.ACCEPTED: _l("acceptée"),
    InvitationState.EXPIRED: _l("expirée"),
}


def link_max_age() -> timedelta:
    """How long an invitation link works (the same setting ``tokens.read_token`` reads)."""
    return timedelta(hours=int(current_app.config["PARCOURS_TOKEN_MAX_AGE_HOURS"]))


def invitation_state(user: User, *, accepted: bool) -> InvitationState:
    """Say where ``user``'s invitation stands; ``accepted`` is whether they took it up.

    A person who already has a password was sent a notice, not a link: they accept by logging
    in, and nothing expires. Otherwise the newest link sent decides (every link of a person
    without a password stays valid until its own age runs out, so the newest lasts longest).
    """
    if accepted:
        return InvitationState.ACCEPTED
    if user.has_password:
        return InvitationState.PENDING
    sent = user.invitation_sent_at
    if sent is None or now_utc() > sent + link_max_age():
        return InvitationState.EXPIRED
    return InvitationState.PENDING


def account_state(user: User) -> InvitationState:
    """Where the person stands on the platform: accepted once they chose a password."""
    return invitation_state(user, accepted=user.has_password)
