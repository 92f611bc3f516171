"""Rows of the suivi tables, created directly with the models (other features write them)."""

from datetime import UTC, date, datetime, timedelta

from parcours.accounts.models import User
from parcours.agenda.models import Event
from parcours.cohorts import operations as cohort_ops
from parcours.cohorts.models import Cohort, Role, Territory
from parcours.core.extensions import db
from parcours.suivi.models import (
    ActionItem,
    DynamicsSnapshot,
    FieldVisitReport,
    FollowUpRecord,
    JournalEntry,
)
from tests.conftest import login

#: The day the dashboards' tests look from: cohort A (from 2 March 2026) is in its fourth month.
NOW = datetime(2026, 6, 15, 10, 0, tzinfo=UTC)
TODAY = date(2026, 6, 15)


def record(territory_id: int, held_on: date, *, deleted: bool = False, **fields):
    row = FollowUpRecord(territory_id=territory_id, held_on=held_on, **fields)
    if deleted:
        row.deleted_at = NOW
    db.session.add(row)
    db.session.flush()
    return row


def visit_report(territory_id: int, visited_on: date, *, deleted: bool = False):
    row = FieldVisitReport(territory_id=territory_id, visited_on=visited_on)
    if deleted:
        row.deleted_at = NOW
    db.session.add(row)
    db.session.flush()
    return row


def item(territory_id: int, title: str, *, due_on=None, done=False, record_id=None, report=None):
    row = ActionItem(
        territory_id=territory_id,
        title=title,
        due_on=due_on,
        done_at=NOW if done else None,
        record_id=record_id,
        visit_report_id=report,
    )
    db.session.add(row)
    db.session.flush()
    return row


def entry(territory_id: int, written_on: date, visibility: str, *, deleted: bool = False):
    row = JournalEntry(
        territory_id=territory_id, written_on=written_on, visibility=visibility, title="Entrée"
    )
    if deleted:
        row.deleted_at = NOW
    db.session.add(row)
    db.session.flush()
    return row


def snapshot(territory_id: int, moment: str, maturity: int, recorded_at: datetime, **fields):
    territory = db.session.get(Territory, territory_id)
    row = DynamicsSnapshot(
        territory_id=territory_id,
        curriculum_version_id=territory.cohort.curriculum_version_id,
        moment=moment,
        recorded_on=recorded_at.date(),
        recorded_at=recorded_at,
        maturity=maturity,
        **fields,
    )
    db.session.add(row)
    db.session.flush()
    return row


def meeting(territory_id: int, starts_at: datetime, *, kind="follow_up", status="planned"):
    territory = db.session.get(Territory, territory_id)
    row = Event(
        cohort_id=territory.cohort_id,
        territory_id=territory_id,
        kind=kind,
        title=f"Rendez-vous {kind}",
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=2),
        status=status,
    )
    db.session.add(row)
    db.session.flush()
    return row


def second_coach(app, world, email: str = "coach2@example.org") -> int:
    """Add a second coach to cohort A, who follows no territory; return their id."""
    with app.test_request_context():
        cohort = db.session.get(Cohort, world["cohort_a"])
        coordinator = db.session.get(User, world["coordinator"])
        member = cohort_ops.add_member(
            cohort,
            role=Role.COACH,
            email=email,
            full_name="Coach Deux",
            organisation="",
            invited_by=coordinator,
        )
        from parcours.accounts import operations as account_ops

        account_ops.set_password(member.user, "un mot de passe solide")
        db.session.commit()
        return member.user_id


def client_for(app, email: str):
    client = app.test_client()
    login(client, email)
    return client
