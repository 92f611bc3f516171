"""insert_if_absent (its races are fired in tests/agenda and tests/cohorts) and savepoint."""

import pytest
from sqlalchemy import func, select

from parcours.accounts.models import User
from parcours.core.concurrency import insert_if_absent, savepoint
from parcours.core.extensions import db
from parcours.jobs.models import JobRun


def test_insert_if_absent_inserts_once_and_tells_which_call_did(ctx):
    values = {"email": "once@example.org", "full_name": "Une fois"}
    assert insert_if_absent(User, conflict=("email",), **values) is True
    assert insert_if_absent(User, conflict=("email",), **{**values, "full_name": "Deux"}) is False
    rows = db.session.execute(
        select(User.full_name, func.length(User.session_token)).where(User.email == values["email"])
    ).all()
    assert rows == [("Une fois", 43)]  # the model's Python defaults apply too


@pytest.mark.commits  # the request's own transaction on a real connection, as in production
@pytest.mark.parametrize("first", [True, False], ids=["savepoint-first", "after-a-write"])
def test_a_rolled_back_transaction_undoes_its_savepoints(app, first):
    with app.app_context():
        if not first:
            db.session.add(JobRun(job="before", slot="s"))
            db.session.flush()
        with savepoint():
            db.session.add(JobRun(job="inside", slot="s"))
        db.session.rollback()  # the request failed after the savepoint was released
        assert db.session.scalars(select(JobRun.job)).all() == []
        with savepoint():
            db.session.add(JobRun(job="kept", slot="s"))
        db.session.commit()
        assert db.session.scalars(select(JobRun.job)).all() == ["kept"]
