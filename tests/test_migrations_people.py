"""The cohort-creation right and invitation times after an upgrade of existing data."""

from datetime import UTC, datetime

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import select

from parcours.accounts.models import User
from parcours.core.extensions import db
from parcours.core.time import freeze

pytestmark = pytest.mark.commits  # Alembic works on a connection of its own


def test_coordinators_keep_the_right_to_create_cohorts_and_invitations_get_a_time(app, world):
    from parcours.cohorts import operations as cohort_ops
    from parcours.cohorts.models import Cohort, Membership

    invited_at = datetime(2026, 3, 5, 14, 0, tzinfo=UTC)
    with app.test_request_context():
        with freeze(invited_at):
            cohort_ops.add_member(
                db.session.get(Cohort, world["cohort_b"]),
                role="coach",
                email="nina@example.org",
                full_name="Nina Nouvelle",
                organisation="",
                invited_by=db.session.get(User, world["coordinator_b"]),
            )
        db.session.commit()
        member_created = db.session.scalar(
            select(Membership.created_at).join(User).where(User.email == "nina@example.org")
        )
        db.session.remove()
        downgrade(revision="e5f6a7b8c9d0-1")  # before the flag, wherever it is chained
        upgrade()
        rows = db.session.execute(
            select(User.email, User.can_create_cohorts, User.invitation_sent_at)
        ).all()
        keys = dict(db.session.execute(select(User.email, User.search_key)).all())
    found = {email: (allowed, sent) for email, allowed, sent in rows}
    allowed = {email for email, (may, _sent) in found.items() if may}
    assert keys["comite@example.org"] == "comite a"  # « Comité A », for the people search
    # Every coordinator keeps the right they had; nobody else gains it (admins need none).
    assert allowed == {"coord@example.org", "coord-b@example.org"}
    assert found["nina@example.org"][1] == member_created == invited_at
    assert found["a1@example.org"][1] is None  # has a password: no link to age
