"""Writes that concurrent requests may attempt together, made safe on both databases."""

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.orm import SessionTransaction

from parcours.core.extensions import db


@contextmanager
def savepoint() -> Iterator[SessionTransaction]:
    """``db.session.begin_nested()``, kept inside the transaction on SQLite too.

    pysqlite begins no transaction before a SAVEPOINT, so SQLite opens one for the SAVEPOINT
    itself, and its RELEASE commits for good: a later rollback of the request (a failed form,
    an error) would keep the row. Beginning the transaction first keeps the savepoint what it
    is everywhere else: a part of the transaction that can be undone on its own.
    """
    connection = db.session.connection()
    if (
        connection.dialect.name == "sqlite"
        and not connection.connection.driver_connection.in_transaction
    ):
        connection.exec_driver_sql("BEGIN")
    with db.session.begin_nested() as nested:
        yield nested


def insert_if_absent(model: type, *, conflict: tuple[str, ...], **values) -> bool:
    """Insert a row unless one with the same ``conflict`` columns exists; tell whether it did.

    For first-use creation that two requests may attempt at once: ``INSERT … ON CONFLICT DO
    NOTHING`` makes the second wait for the first, then do nothing, where a check then an
    INSERT gave one of them an IntegrityError. Not a SAVEPOINT caught on IntegrityError: with
    pysqlite's default transaction handling, a SAVEPOINT that opens the transaction commits
    at its RELEASE, so a later rollback of the request would keep the row.
    """
    session = db.session()
    session.flush()  # what the row refers to must exist first
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    elif dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert
    else:  # pragma: no cover - the two databases Parcours supports
        raise NotImplementedError(dialect)
    table = model.__table__
    statement = (
        insert(table)
        .values(**values)
        .on_conflict_do_nothing(index_elements=list(conflict))
        .returning(*table.primary_key.columns)  # a row back when inserted, none when not
    )
    return session.execute(statement).first() is not None
