"""Models and migrations agree, and every migration goes down and up again."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, select

from parcours.accounts.models import User
from parcours.core.extensions import db

# Alembic works on a connection of its own, and the downgrade drops every table.
pytestmark = pytest.mark.commits


def _differences():
    with db.engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "render_as_batch": True}
        )
        return compare_metadata(context, db.metadata)


def test_models_and_migrations_agree(app):
    with app.app_context():
        assert _differences() == []


def test_downgrade_to_base_and_upgrade_again(app):
    with app.app_context():
        downgrade(revision="base")
        tables = set(inspect(db.engine).get_table_names()) - {"alembic_version"}
        assert tables == set()
        upgrade()
        tables = set(inspect(db.engine).get_table_names())
        assert set(db.metadata.tables) <= tables
        assert _differences() == []


def test_existing_attendance_freezes_its_events_dates_after_the_upgrade(app, world):
    from zoneinfo import ZoneInfo

    from parcours.accounts.models import User
    from parcours.agenda.models import Event
    from parcours.attendance.operations import record_attendance

    with app.test_request_context():
        s1, s2 = (
            db.session.scalar(
                select(Event).where(Event.cohort_id == world["cohort_a"], Event.code == code)
            )
            for code in ("S1", "S2")
        )
        coordinator = db.session.get(User, world["coordinator"])
        a1 = db.session.get(User, world["a1"])
        day = s1.starts_at.astimezone(ZoneInfo("Europe/Paris")).date()
        record_attendance(s1, a1, day, "am", "present", recorded_by=coordinator)
        db.session.commit()
        ids = s1.id, s2.id
        db.session.remove()
        downgrade(revision="628107dfe06d")  # before events carried the flag
        upgrade()
        frozen = dict(db.session.execute(select(Event.id, Event.dates_frozen)).all())
    assert (frozen[ids[0]], frozen[ids[1]]) == (True, False)


def test_existing_memberships_keep_their_names_after_the_upgrade(app, world):
    from parcours.accounts import operations as account_ops
    from parcours.cohorts import operations as cohort_ops
    from parcours.cohorts.models import Cohort, Membership

    with app.test_request_context():
        cohort = db.session.get(Cohort, world["cohort_a"])
        coordinator = db.session.get(User, world["coordinator"])
        cohort_ops.add_member(
            cohort,
            role="committee",
            email="new@example.org",
            full_name="Nina Nouvelle",
            organisation="Mairie",
            invited_by=coordinator,
        )
        account_ops.find_user("a2@example.org").organisation = "Asso A2"
        db.session.commit()
        db.session.remove()
        downgrade(revision="d8b2e1f3a4b5-1")  # before memberships kept what was typed
        upgrade()
        rows = db.session.execute(
            select(
                User.email,
                Membership.invited_name,
                Membership.invited_organisation,
                Membership.accepted_at.is_not(None),
            ).join(User, User.id == Membership.user_id)
        ).all()
    found = {email: (name, organisation, accepted) for email, name, organisation, accepted in rows}
    assert found["new@example.org"] == ("Nina Nouvelle", "Mairie", False)  # no password yet
    assert found["a2@example.org"] == ("Catalyseur A2", "Asso A2", True)
    assert found["coord@example.org"] == ("Coordination A", "", True)


def test_the_upgrade_gives_names_their_keys_and_never_fails_on_old_duplicates(app, world):
    """Names that were distinct only by case (allowed before) keep their rows and names."""
    from sqlalchemy import text

    from parcours.cohorts.models import Cohort, Territory

    with app.app_context():
        db.session.remove()
        downgrade(revision="e9c3f2a4b5c6-1")  # just before the keys, wherever it is chained
        # A connection of its own: the old schema has no database version to stamp.
        with db.engine.begin() as connection:
            for name in ("Île de Ré", "ÎLE DE RÉ"):
                connection.execute(
                    text(
                        "INSERT INTO territories (cohort_id, name, region, department, kind, "
                        "carrier_structure, carrier_type, status, status_reason, created_at) "
                        "VALUES (:cohort, :name, '', '', 'littoral', '', 'public', 'solicited', "
                        "'', '2026-02-02 09:00:00')"
                    ),
                    {"cohort": world["cohort_a"], "name": name},
                )
        upgrade()
        keys = dict(
            db.session.execute(
                select(Territory.name, Territory.name_key)
                .where(Territory.cohort_id == world["cohort_a"])
                .order_by(Territory.id)
            ).all()
        )
        second = db.session.scalar(select(Territory.id).where(Territory.name == "ÎLE DE RÉ"))
        cohorts = db.session.execute(select(Cohort.name, Cohort.name_key)).all()
    assert keys == {
        "Territoire A1": "territoire a1",
        "Territoire A2": "territoire a2",
        "Île de Ré": "île de ré",
        "ÎLE DE RÉ": f"île de ré #{second}",
    }
    assert sorted(cohorts) == [("Cohorte A", "cohorte a"), ("Cohorte B", "cohorte b")]
