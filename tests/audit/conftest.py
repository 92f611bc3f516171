"""Reading what an action wrote to the audit log, and checking it holds no personal text."""

import pytest
from sqlalchemy import func, select

from parcours.accounts.models import User
from parcours.audit.models import AuditEntry
from parcours.core.extensions import db

# The fixtures of the domains whose actions are audited here.
from tests.attendance.conftest import events  # noqa: F401
from tests.evaluation.attestations.conftest import finished  # noqa: F401
from tests.evaluation.surveys.test_pages import answered_s1  # noqa: F401
from tests.suivi.journal.conftest import write_entry  # noqa: F401

#: The address the test client sends from, unless a test says otherwise.
CLIENT = "127.0.0.1"


class AuditLog:
    """The entries written since :meth:`mark` (the world and the logins write their own)."""

    def __init__(self, app) -> None:
        self.app = app
        self.mark()

    def mark(self) -> None:
        with self.app.app_context():
            self.since = db.session.scalar(select(func.max(AuditEntry.id))) or 0

    def new(self) -> list[AuditEntry]:
        with self.app.app_context():
            entries = db.session.scalars(
                select(AuditEntry).where(AuditEntry.id > self.since).order_by(AuditEntry.id)
            ).all()
            people = db.session.execute(select(User.email, User.full_name)).all()
            db.session.expunge_all()
        for entry in entries:
            _assert_impersonal(entry, people)
        return entries

    def actions(self) -> list[str]:
        return [entry.action for entry in self.new()]

    def one(self, action) -> AuditEntry:
        """Return the one new entry, checking it is of ``action``."""
        entries = self.new()
        assert [entry.action for entry in entries] == [action], entries
        return entries[0]


def _assert_impersonal(entry: AuditEntry, people) -> None:
    """Details are short facts: no e-mail address, no person's name, no free text."""
    for key, value in entry.details.items():
        assert isinstance(value, bool | int | float) or value is None or len(value) <= 40, (
            key,
            value,
        )
        if isinstance(value, str):
            assert "@" not in value
            for email, name in people:
                assert email not in value and name not in value, (key, value)


def fields(entry: AuditEntry) -> dict:
    """Return everything an entry says but its id and time, to compare at once."""
    return {
        "action": entry.action,
        "actor_id": entry.actor_id,
        "subject_id": entry.subject_id,
        "cohort_id": entry.cohort_id,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "address": entry.address,
        "details": entry.details,
    }


@pytest.fixture
def audit_log(app) -> AuditLog:
    return AuditLog(app)
