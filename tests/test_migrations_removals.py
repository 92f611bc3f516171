"""The removals migration: down drops the undo data (people removed stay removed), up restores."""

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, select

from parcours.accounts.models import User
from parcours.cohorts import operations
from parcours.cohorts.models import Membership, MembershipRemoval
from parcours.core.extensions import db

# Alembic works on a connection of its own.
pytestmark = pytest.mark.commits


def test_removals_go_down_and_up_again(app, world):
    with app.test_request_context():
        member = db.session.scalar(select(Membership).where(Membership.user_id == world["a2"]))
        operations.remove_member(member, db.session.get(User, world["coordinator"]))
        db.session.commit()
        db.session.remove()
        downgrade(revision="c3d4e5f6a7b8-1")  # just before removals were kept
        assert "membership_removals" not in inspect(db.engine).get_table_names()
        # Columns only: the models are ahead of this schema (later migrations add to users).
        assert (
            db.session.scalar(select(Membership.id).where(Membership.user_id == world["a2"]))
            is None
        )
        upgrade()
        assert db.session.scalars(select(MembershipRemoval)).all() == []
