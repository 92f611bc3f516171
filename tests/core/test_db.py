"""Database plumbing: SQLite pragmas, foreign keys on every engine, the UTC column type."""

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError, StatementError

from parcours.accounts.models import User
from parcours.cohorts.models import Membership, Role
from parcours.core.extensions import db

PARIS_SUMMER = timezone(timedelta(hours=2))


def test_sqlite_connections_enforce_foreign_keys_and_use_wal(ctx):
    engine = db.engine
    if engine.dialect.name == "sqlite":
        assert db.session.scalar(text("PRAGMA foreign_keys")) == 1
        assert db.session.scalar(text("PRAGMA journal_mode")) == "wal"
    else:
        assert engine.dialect.name == "postgresql"
        assert engine.dialect.driver == "psycopg"


def test_a_dangling_foreign_key_is_refused(ctx):
    db.session.add(Membership(cohort_id=999_999, user_id=999_999, role=Role.COACH))
    with pytest.raises(IntegrityError):
        db.session.flush()


def test_utc_column_round_trips_an_aware_datetime(app, ctx):
    created = datetime(2026, 3, 29, 10, 30, tzinfo=PARIS_SUMMER)
    user = User(email="utc@example.org", full_name="UTC", created_at=created)
    db.session.add(user)
    db.session.commit()
    user_id = user.id
    db.session.expunge_all()

    stored = db.session.scalar(select(User.created_at).where(User.id == user_id))
    assert stored == created
    assert stored.tzinfo is UTC
    assert (stored.hour, stored.minute) == (8, 30)


def test_utc_column_compares_with_aware_values(ctx):
    user = User(
        email="cmp@example.org",
        full_name="Cmp",
        created_at=datetime(2026, 3, 29, 8, 30, tzinfo=UTC),
    )
    db.session.add(user)
    db.session.flush()
    # 10:29 in Paris is 08:29 UTC: before the creation, whatever the database's zone.
    before = datetime(2026, 3, 29, 10, 29, tzinfo=PARIS_SUMMER)
    after = datetime(2026, 3, 29, 10, 31, tzinfo=PARIS_SUMMER)
    assert db.session.scalar(select(User.id).where(User.created_at > before)) == user.id
    assert db.session.scalar(select(User.id).where(User.created_at > after)) is None


def test_utc_column_refuses_naive_datetimes(ctx):
    db.session.add(
        User(email="naive@example.org", full_name="Naive", created_at=datetime(2026, 3, 29, 10))
    )
    with pytest.raises(StatementError, match="naive datetime"):
        db.session.flush()


def _lock_wait(application) -> int | None:
    with application.app_context(), db.engine.connect() as connection:
        if connection.dialect.name != "sqlite":
            return None
        return connection.exec_driver_sql("PRAGMA busy_timeout").scalar()


def test_sqlite_waits_15_seconds_for_a_lock_unless_configured(app, make_app):
    with app.app_context():
        sqlite = db.engine.dialect.name == "sqlite"
    configured = make_app(PARCOURS_SQLITE_BUSY_TIMEOUT_MS=1234)
    assert (_lock_wait(app), _lock_wait(configured)) == ((15000, 1234) if sqlite else (None, None))


@pytest.mark.parametrize(("wait_ms", "waits"), [(3000, True), (100, False)])
def test_a_write_waits_for_another_one_for_as_long_as_configured(make_app, wait_ms, waits):
    """Two writers at once on SQLite: the second waits for the first instead of failing."""
    import sqlite3
    import threading
    import time

    application = make_app(PARCOURS_SQLITE_BUSY_TIMEOUT_MS=wait_ms)
    with application.app_context():
        engine = db.engine
    if engine.dialect.name != "sqlite":
        assert engine.dialect.name == "postgresql"  # it locks rows: writers just wait
        return
    first, second = engine.raw_connection(), engine.raw_connection()
    try:
        first.cursor().execute("BEGIN IMMEDIATE")  # takes the database's write lock
        releaser = threading.Timer(0.5, first.rollback)
        releaser.start()
        started = time.monotonic()
        try:
            second.cursor().execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as error:
            assert not waits
            assert str(error) == "database is locked"
        else:
            assert waits
            assert time.monotonic() - started >= 0.4
            second.rollback()
        releaser.join()
    finally:
        first.close()
        second.close()
