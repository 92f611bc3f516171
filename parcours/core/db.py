"""Declarative base, naming convention and the UTC datetime column type."""

from collections.abc import Callable
from datetime import UTC, datetime

from flask_sqlalchemy.session import Session as FlaskSession
from sqlalchemy import DateTime, MetaData
from sqlalchemy.orm import DeclarativeBase, registry
from sqlalchemy.types import TypeDecorator

# Set before the first migration so that constraint names are stable across databases.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator):
    """Store aware datetimes as naive UTC; give them back aware in UTC.

    SQLite has no time zone support and PostgreSQL's ``timestamptz`` would convert to the
    session zone, so one explicit rule keeps both databases identical.
    """

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    registry = registry(
        metadata=MetaData(naming_convention=NAMING_CONVENTION),
        type_annotation_map={datetime: UTCDateTime()},
    )


#: What runs just before a session commits its outermost transaction, in order.
_before_commit: list[Callable[["Session"], None]] = []


def before_commit(hook: Callable[["Session"], None]) -> None:
    """Run ``hook(session)`` when :meth:`Session.commit` commits a transaction (idempotent).

    SQLAlchemy's ``before_commit`` event cannot tell the release of a SAVEPOINT from the
    commit of the whole transaction while a SAVEPOINT is still open; this hook runs at every
    ``Session.commit()``, which always commits the whole transaction. What ``hook`` writes is
    part of that transaction.
    """
    if hook not in _before_commit:
        _before_commit.append(hook)


class Session(FlaskSession):
    """The class of every session of the application."""

    def commit(self) -> None:
        # SQLAlchemy 2's Session.commit() always commits the outermost transaction; the
        # release of a SAVEPOINT goes through its own transaction object, not through here.
        if self.in_transaction():
            for hook in _before_commit:
                hook(self)
        super().commit()


def register_sqlite_pragmas() -> None:
    """Turn on foreign keys and WAL for every SQLite connection (idempotent).

    The lock wait is set per engine, from the configuration: see :func:`wait_for_locks`.
    """
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    if event.contains(Engine, "connect", _sqlite_pragmas):
        return
    event.listen(Engine, "connect", _sqlite_pragmas)


def _sqlite_pragmas(dbapi_connection, connection_record) -> None:
    import sqlite3

    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()


def wait_for_locks(engine, milliseconds: int) -> None:
    """Make each SQLite connection of ``engine`` wait up to ``milliseconds`` for a lock.

    SQLite lets one writer at a time; another one waits for the lock, then fails with
    « database is locked ». A wait well above the longest write transaction turns a busy
    moment into a slow answer instead of an error (PostgreSQL locks rows and just waits).
    """
    from functools import partial

    from sqlalchemy import event

    if engine.dialect.name != "sqlite":
        return
    event.listen(engine, "connect", partial(_busy_timeout, int(milliseconds)))


def _busy_timeout(milliseconds: int, dbapi_connection, connection_record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout={milliseconds:d}")
    cursor.close()


def hide_values_in_errors(engine) -> None:
    """Keep the values out of the database's error messages, as ``hide_parameters`` does for
    the statement's parameters.

    PostgreSQL details a refused row in the message itself (« Failing row contains (…) »,
    « Key (email)=(…) already exists »), a new account's session token among them, and every
    traceback of the error would log it. Only the primary message is kept: it names the
    constraint, not the values.
    """
    from sqlalchemy import event

    event.listen(engine, "handle_error", _without_details)


def _without_details(context) -> None:
    original = context.original_exception
    diagnostic = getattr(original, "diag", None)  # psycopg's error fields
    primary = getattr(diagnostic, "message_primary", None)
    if not (primary and getattr(diagnostic, "message_detail", None)):
        return
    original.args = (f"{primary} (details hidden)",)
    wrapped = context.sqlalchemy_exception  # its message was copied from the original
    if wrapped is not None:
        kind = type(original)
        wrapped.args = (f"({kind.__module__}.{kind.__name__}) {original.args[0]}",)


def one_of(column: str, values, name: str | None = None):
    """Return a CHECK constraint keeping ``column`` within ``values`` (an enum or its keys)."""
    from sqlalchemy import CheckConstraint

    listed = ", ".join(f"'{value}'" for value in values)
    return CheckConstraint(f"{column} IN ({listed})", name=name or column)
