"""Rows kept as written: submitted answers, frozen snapshots. Refused changes, twice over.

A model marked with :func:`keep_as_written` refuses UPDATE and DELETE in the ORM, and its
table's database triggers (written by its migration, see :func:`trigger_sql`) refuse them in
SQL too, so that neither a bug nor a hand-typed statement rewrites what someone submitted.

The only way through is :func:`rewriting`, for what the law or the operator asks for: an
erasure, a retention purge, a test emptying its database. On PostgreSQL it sets a setting local
to the transaction (``parcours.rewriting``); on SQLite, which has no such settings, the triggers
ask a function every connection of the application registers (:func:`register_sqlite_function`).
A connection without it (the ``sqlite3`` shell) cannot change these rows at all.
"""

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event, text

from parcours.core.extensions import db

_REWRITING = contextvars.ContextVar("parcours_rewriting", default=False)
SQLITE_FUNCTION = "parcours_rewriting"
PG_SETTING = "parcours.rewriting"


class KeptAsWritten(RuntimeError):
    """A row kept as written was about to be changed or deleted."""


def is_rewriting() -> bool:
    return _REWRITING.get()


@contextmanager
def rewriting() -> Iterator[None]:
    """Allow changing and deleting kept rows in this block, in this transaction only."""
    token = _REWRITING.set(True)
    postgres = db.session.get_bind().dialect.name == "postgresql"
    try:
        if postgres:
            db.session.execute(text("SELECT set_config(:name, 'on', true)"), {"name": PG_SETTING})
        yield
        if postgres:
            db.session.execute(text("SELECT set_config(:name, 'off', true)"), {"name": PG_SETTING})
    finally:
        _REWRITING.reset(token)


def keep_as_written(model: type) -> type:
    """Make the ORM refuse to update or delete rows of ``model`` (outside :func:`rewriting`)."""

    @event.listens_for(model, "before_update")
    def _refuse_update(_mapper, _connection, target) -> None:
        if not is_rewriting():
            raise KeptAsWritten(f"{target!r} is kept as written: it cannot be changed")

    @event.listens_for(model, "before_delete")
    def _refuse_delete(_mapper, _connection, target) -> None:
        if not is_rewriting():
            raise KeptAsWritten(f"{target!r} is kept as written: it cannot be deleted")

    return model


def register_sqlite_function() -> None:
    """Let every SQLite connection's triggers ask whether :func:`rewriting` is on (idempotent)."""
    from sqlalchemy.engine import Engine

    if not event.contains(Engine, "connect", _sqlite_function):
        event.listen(Engine, "connect", _sqlite_function)


def _sqlite_function(dbapi_connection, _connection_record) -> None:
    import sqlite3

    if isinstance(dbapi_connection, sqlite3.Connection):
        dbapi_connection.create_function(SQLITE_FUNCTION, 0, lambda: int(is_rewriting()))


def trigger_sql(dialect: str, table: str) -> list[str]:
    """Return the statements that make ``table`` refuse UPDATE and DELETE (outside rewriting).

    Migrations call it with the table names they create; the PostgreSQL function it relies on
    comes from :data:`PG_FUNCTION_SQL`.
    """
    if dialect == "postgresql":
        return [
            f"CREATE TRIGGER {table}_kept BEFORE UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION parcours_refuse_rewrite()"
        ]
    return [
        f"CREATE TRIGGER {table}_kept_update BEFORE UPDATE ON {table} "
        f"WHEN NOT {SQLITE_FUNCTION}() BEGIN "
        f"SELECT RAISE(ABORT, '{table} rows are kept as written'); END",
        f"CREATE TRIGGER {table}_kept_delete BEFORE DELETE ON {table} "
        f"WHEN NOT {SQLITE_FUNCTION}() BEGIN "
        f"SELECT RAISE(ABORT, '{table} rows are kept as written'); END",
    ]


def drop_trigger_sql(dialect: str, table: str) -> list[str]:
    if dialect == "postgresql":
        return [f"DROP TRIGGER IF EXISTS {table}_kept ON {table}"]
    return [
        f"DROP TRIGGER IF EXISTS {table}_kept_update",
        f"DROP TRIGGER IF EXISTS {table}_kept_delete",
    ]


PG_FUNCTION_SQL = f"""
CREATE OR REPLACE FUNCTION parcours_refuse_rewrite() RETURNS trigger AS $$
BEGIN
    IF coalesce(current_setting('{PG_SETTING}', true), '') <> 'on' THEN
        RAISE EXCEPTION '% rows are kept as written', TG_TABLE_NAME
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END
$$ LANGUAGE plpgsql
"""
