"""Audit entries for the pages' tests, dated in 2025: before the ``world`` fixture was built
and before any login of a test, so that a filter on those days finds only these."""

from datetime import UTC, datetime
from types import SimpleNamespace

from parcours.audit import operations as audit
from parcours.audit.models import AuditAction
from parcours.core.extensions import db
from parcours.core.time import freeze

#: The days the entries below were written on, as a filter's query string.
DAYS = {"from": "2025-06-01", "to": "2025-06-30"}


def add_entries(app, world) -> None:
    """Write five entries of June 2025, with a request's address, and commit them."""
    entries = [
        # 2025-06-03 07:15 UTC is 09:15 in Paris (summer time).
        (datetime(2025, 6, 3, 7, 15, tzinfo=UTC), AuditAction.LOGIN_SUCCEEDED, {"actor": "a1"}),
        (datetime(2025, 6, 3, 7, 14, tzinfo=UTC), AuditAction.LOGIN_FAILED, {"actor": "a1"}),
        (
            datetime(2025, 6, 10, 12, 0, tzinfo=UTC),
            AuditAction.ROLE_CHANGED,
            {"actor": "coordinator", "subject": "a2", "cohort": "cohort_a"},
        ),
        (
            datetime(2025, 6, 20, 22, 30, tzinfo=UTC),  # 00:30 on the 21st in Paris
            AuditAction.IMPORTED,
            {"actor": "coordinator_b", "cohort": "cohort_b"},
        ),
        (datetime(2025, 6, 30, 23, 0, tzinfo=UTC), AuditAction.RETENTION_PURGED, {}),  # 1 July
    ]
    details = {
        AuditAction.ROLE_CHANGED: {"from": "catalyseur", "to": "=coach"},
        AuditAction.IMPORTED: {"rows": 12, "replaced": False},
    }
    with app.test_request_context(environ_base={"REMOTE_ADDR": "203.0.113.9"}):
        for at, action, people in entries:
            with freeze(at):
                audit.record(
                    action,
                    **{key: world[value] for key, value in people.items()},
                    object_type="memberships" if action is AuditAction.ROLE_CHANGED else None,
                    target=SimpleNamespace(id=5) if action is AuditAction.ROLE_CHANGED else None,
                    details=details.get(action),
                )
        db.session.commit()


PEOPLE = ["admin", "coordinator", "coach", "a1", "a2", "b1"]


def add_many(app, world, count: int, *, cohort: str = "cohort_a") -> None:
    """Write ``count`` role changes on 5 May 2025, by and for several people, and commit."""
    with app.app_context(), freeze(datetime(2025, 5, 5, 8, 0, tzinfo=UTC)):
        for number in range(count):
            audit.record(
                AuditAction.ROLE_CHANGED,
                actor=world[PEOPLE[number % len(PEOPLE)]],
                subject=world[PEOPLE[(number + 1) % len(PEOPLE)]],
                cohort=world[cohort],
                details={"n": number},
            )
        db.session.commit()
