"""The audit log's core: entries go with the action's transaction and are never rewritten."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from parcours.audit import operations as audit
from parcours.audit import queries
from parcours.audit.models import AuditAction, AuditEntry
from parcours.core.extensions import db
from parcours.core.kept import KeptAsWritten, rewriting
from parcours.core.time import freeze

MOMENT = datetime(2026, 3, 4, 9, 30, tzinfo=UTC)


def test_an_entry_names_ids_and_keeps_only_short_facts(world, ctx):
    with freeze(MOMENT):
        entry = audit.record(
            AuditAction.ROLE_CHANGED,
            actor=world["coordinator"],
            subject=world["a1"],
            cohort=world["cohort_a"],
            object_type="membership",
            details={"from": "catalyseur", "to": "coach", "note": "x" * 500, "count": 3},
        )
        db.session.flush()
    stored = db.session.get(AuditEntry, entry.id)
    assert (stored.at, stored.action) == (MOMENT, "role.changed")
    assert (stored.actor_id, stored.subject_id) == (world["coordinator"], world["a1"])
    assert (stored.cohort_id, stored.object_type, stored.object_id) == (
        world["cohort_a"],
        "membership",
        None,
    )
    assert stored.details["count"] == 3 and stored.details["to"] == "coach"
    assert len(stored.details["note"]) == audit.MAX_DETAIL_LENGTH
    assert stored.action_label == "Rôle modifié"


def test_the_address_is_the_requests(app, world):
    with app.test_request_context("/", environ_base={"REMOTE_ADDR": "203.0.113.7"}):
        entry = audit.record(AuditAction.LOGOUT, actor=world["a1"])
        assert entry.address == "203.0.113.7"
        db.session.rollback()


def test_an_entry_goes_with_its_transaction(world, ctx):
    audit.record(AuditAction.EXPORTED, actor=world["coordinator"], cohort=world["cohort_a"])
    db.session.rollback()
    exported = select(AuditEntry).where(AuditEntry.action == AuditAction.EXPORTED)
    assert db.session.scalars(exported).all() == []


def test_an_entry_cannot_be_changed_or_deleted_in_the_orm(world, ctx):
    entry = audit.record(AuditAction.LOGIN_SUCCEEDED, actor=world["a1"])
    db.session.flush()
    entry.actor_id = world["a2"]
    with pytest.raises(KeptAsWritten):
        db.session.flush()
    db.session.rollback()
    entry = audit.record(AuditAction.LOGIN_SUCCEEDED, actor=world["a1"])
    db.session.flush()
    db.session.delete(entry)
    with pytest.raises(KeptAsWritten):
        db.session.flush()
    db.session.rollback()


@pytest.mark.parametrize(
    "statement", ["UPDATE audit_entries SET actor_id = NULL", "DELETE FROM audit_entries"]
)
def test_the_database_refuses_rewriting_an_entry(world, ctx, statement):
    audit.record(AuditAction.LOGIN_SUCCEEDED, actor=world["a1"])
    db.session.flush()
    with pytest.raises(DBAPIError, match="kept as written"), db.session.begin_nested():
        db.session.execute(text(statement))


def test_only_the_purge_may_remove_entries(world, ctx):
    audit.record(AuditAction.LOGIN_SUCCEEDED, actor=world["a1"])
    db.session.flush()
    with rewriting():
        db.session.execute(text("DELETE FROM audit_entries"))
    assert db.session.scalars(select(AuditEntry)).all() == []


def test_mes_connexions_lists_only_the_persons_logins_newest_first(world, ctx):
    for minute, (action, actor) in enumerate(
        [
            (AuditAction.LOGIN_SUCCEEDED, world["a1"]),
            (AuditAction.LOGIN_FAILED, world["a1"]),
            (AuditAction.EXPORTED, world["a1"]),
            (AuditAction.LOGIN_SUCCEEDED, world["a2"]),
        ]
    ):
        with freeze(MOMENT.replace(minute=minute)):
            audit.record(action, actor=actor)
    db.session.flush()
    mine = db.session.scalars(queries.logins_of(world["a1"])).all()
    assert [entry.action for entry in mine] == ["login.failed", "login.succeeded"]
