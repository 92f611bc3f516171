"""insert_if_absent; the races it settles are fired in tests/agenda and tests/cohorts."""

from sqlalchemy import func, select

from parcours.accounts.models import User
from parcours.core.concurrency import insert_if_absent
from parcours.core.extensions import db


def test_insert_if_absent_inserts_once_and_tells_which_call_did(ctx):
    values = {"email": "once@example.org", "full_name": "Une fois"}
    assert insert_if_absent(User, conflict=("email",), **values) is True
    assert insert_if_absent(User, conflict=("email",), **{**values, "full_name": "Deux"}) is False
    rows = db.session.execute(
        select(User.full_name, func.length(User.session_token)).where(User.email == values["email"])
    ).all()
    assert rows == [("Une fois", 43)]  # the model's Python defaults apply too
