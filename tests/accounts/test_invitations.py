"""Where an invitation stands, computed against a frozen clock and the link's validity."""

from datetime import UTC, datetime, timedelta

import pytest

from parcours.accounts import operations, tokens
from parcours.accounts.invitations import InvitationState, account_state, invitation_state
from parcours.cohorts.models import Cohort
from parcours.core.extensions import db
from parcours.core.time import advance, freeze

SENT = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)


def _invite(app, coordinator_id: int, cohort_id: int, email="nouvelle@example.org"):
    from parcours.accounts.models import User
    from parcours.cohorts import operations as cohort_ops

    return cohort_ops.add_member(
        db.session.get(Cohort, cohort_id),
        role="committee",
        email=email,
        full_name="Nina Nouvelle",
        organisation="",
        invited_by=db.session.get(User, coordinator_id),
    )


def test_a_new_invitation_is_pending_until_its_link_expires(app, world):
    with app.test_request_context(), freeze(SENT):
        member = _invite(app, world["coordinator"], world["cohort_a"])
        assert member.user.invitation_sent_at == SENT
        assert member.invitation_state is InvitationState.PENDING
        token = tokens.make_token(member.user, tokens.INVITATION)
        advance(timedelta(hours=72))  # the last moment the link still works
        assert tokens.read_token(token, tokens.INVITATION) is not None
        assert member.invitation_state is InvitationState.PENDING
        advance(timedelta(seconds=1))
        assert tokens.read_token(token, tokens.INVITATION) is None
        assert member.invitation_state is InvitationState.EXPIRED
        assert account_state(member.user) is InvitationState.EXPIRED


def test_the_link_age_follows_the_setting(app, world):
    app.config["PARCOURS_TOKEN_MAX_AGE_HOURS"] = 24
    try:
        with app.test_request_context(), freeze(SENT):
            member = _invite(app, world["coordinator"], world["cohort_a"])
            advance(timedelta(hours=24, seconds=1))
            assert member.invitation_state is InvitationState.EXPIRED
    finally:
        app.config["PARCOURS_TOKEN_MAX_AGE_HOURS"] = 72


def test_sending_again_makes_an_expired_invitation_pending(app, world):
    from parcours.accounts.models import User
    from parcours.cohorts import operations as cohort_ops

    with app.test_request_context(), freeze(SENT):
        member = _invite(app, world["coordinator"], world["cohort_a"])
        advance(timedelta(days=5))
        assert member.invitation_state is InvitationState.EXPIRED
        cohort_ops.resend_invitation(member, invited_by=db.session.get(User, world["coordinator"]))
        assert member.user.invitation_sent_at == SENT + timedelta(days=5)
        assert member.invitation_state is InvitationState.PENDING


def test_an_accepted_invitation_never_expires(app, world):
    from parcours.cohorts import operations as cohort_ops

    with app.test_request_context(), freeze(SENT):
        member = _invite(app, world["coordinator"], world["cohort_a"])
        operations.set_password(member.user, "un mot de passe solide")
        cohort_ops.accept_memberships(member.user)  # what logging in does
        db.session.refresh(member)
        advance(timedelta(days=400))
        assert member.accepted
        assert member.invitation_state is InvitationState.ACCEPTED


def test_an_account_with_a_password_waits_for_a_login_without_expiring(app, world):
    """They were sent a notice, not a link: logging in is how they accept."""
    with app.test_request_context(), freeze(SENT):
        member = _invite(app, world["coordinator"], world["cohort_a"], "outsider@example.org")
        advance(timedelta(days=30))
        assert invitation_state(member.user, accepted=member.accepted) is InvitationState.PENDING
        assert account_state(member.user) is InvitationState.ACCEPTED


@pytest.mark.parametrize("has_password", [True, False])
def test_a_person_never_invited_reads_as_expired_or_accepted(app, has_password):
    with app.test_request_context():
        user, _created = operations.ensure_user("x@example.org", "X")
        if has_password:
            operations.set_password(user, "un mot de passe solide")
        expected = InvitationState.ACCEPTED if has_password else InvitationState.EXPIRED
        assert account_state(user) is expected
        db.session.rollback()
