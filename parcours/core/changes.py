"""The database's version: a token that every committed write replaces, in its own transaction.

A page rendered from the database can be served again for as long as the token it was
rendered at is the current one (:mod:`parcours.core.page_cache`). That holds only if *every*
transaction that writes changes the token before it commits, so the rule is enforced here,
once, under every way the application writes: any INSERT, UPDATE or DELETE its engine runs
(a flush, a bulk or Core statement, ``text()``) marks the connection; the commit of a session
then writes a new token as the transaction's very last statement, so that the row's lock is
held only for the commit itself: a writer holding it never waits for another lock, and no
two writers can wait for each other.

The token is random, not a counter: a transaction rolled back after writing (a failed form,
a test's isolation) gives back the previous token *with* the previous data, so a token never
names two different states of the database, not even after a backup is restored.

A few tables are the application's own bookkeeping, which no page shows: the scheduler's
claims of its time slots, the audit log, the counts of attempts behind the login limits. A
statement that writes only to one of them (:func:`bookkeeping`) does not move the version:
otherwise every scheduler slot, every download and every mistyped password would make every
page of every worker be rendered again. ``tests/core/test_changes.py`` opens every kept page
and fails if one reads such a table.

Writes that bypass the application's engine are the restore of a backup (which brings back
the backup's token with the backup's data), the migrations (run while the application is
stopped, whose processes start with empty caches), and whatever writes to the database from
outside (psql, another program): after such a change, restart the application.
"""

import re
import secrets

from flask import has_request_context, request
from flask_babel import lazy_gettext as _l
from sqlalchemy import String, event, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Mapped, mapped_column

from parcours.core.db import before_commit
from parcours.core.extensions import db

_WROTE = "parcours_changed_data"
_SEEN = "parcours.data_version"
#: The one row's key.
ROW = 1


class DataVersion(db.Model):
    """The one row holding the database's current version."""

    __tablename__ = "data_version"
    __audit_label__ = _l("version des données")

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(32), nullable=False)


#: The tables whose writes do not move the version (see the module's docstring).
_BOOKKEEPING: set[str] = set()


def bookkeeping(model: type) -> type:
    """Declare that no page shows ``model``'s table: a statement writing to it keeps the version.

    A decorator on the model, in the domain that owns it, so that this module names none.
    """
    _BOOKKEEPING.add(model.__tablename__)
    return model


def bookkeeping_tables() -> frozenset[str]:
    return frozenset(_BOOKKEEPING)


def new_token() -> str:
    return secrets.token_hex(16)


def token_column():
    """The current token as a scalar subquery, to read it in the same statement as a row.

    Read with the logged-in user (the first statement of every request), the token is at
    least as old as everything the request reads afterwards: a page stored under it never
    shows data older than the token says.
    """
    return select(DataVersion.token).where(DataVersion.id == ROW).scalar_subquery()


def seen(token: str | None) -> None:
    """Remember the token this request read (None: no version row, so nothing is cached)."""
    # In the request's WSGI environment, not in ``g``: an application context (and its
    # ``g``) can outlive a request, and serve several, where the token must be read anew.
    if has_request_context():
        request.environ[_SEEN] = token


def read() -> str | None:
    """Return the token this request read first, reading it now if it has not."""
    if has_request_context() and _SEEN in request.environ:
        return request.environ[_SEEN]
    token = db.session.scalar(select(DataVersion.token).where(DataVersion.id == ROW))
    seen(token)
    return token


def _bump_statement(dialect: str, token: str):
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    statement = insert(DataVersion).values(id=ROW, token=token)
    # An upsert: the row comes back by itself after a full clean-up of the tables.
    return statement.on_conflict_do_update(index_elements=["id"], set_={"token": token})


#: A statement that writes, for the statements SQLAlchemy did not compile (``text()``).
_WRITES = re.compile(r"\s*(INSERT|UPDATE|DELETE|REPLACE|MERGE)\b", re.IGNORECASE)


def _note_write(connection, _cursor, statement, _parameters, context, _executemany) -> None:
    # At the engine, under every way of writing: ORM flushes, bulk and Core statements
    # through a session or its connection, text(), exec_driver_sql().
    compiled = context is not None and (context.isinsert or context.isupdate or context.isdelete)
    if compiled:
        table = getattr(context.compiled.statement, "table", None)
        if table is not None and table.name in _BOOKKEEPING:
            return
        connection.info[_WROTE] = True
    elif _WRITES.match(statement):  # text(): its table is not known, so it always counts
        connection.info[_WROTE] = True


def _forget(connection) -> None:
    connection.info.pop(_WROTE, None)


def _stamp(session) -> None:
    """Give the transaction about to commit a new token, if it wrote anything."""
    session.flush()  # what is still pending is written first: the token comes last
    connection = session.connection()
    if not connection.info.get(_WROTE):
        return
    connection.execute(_bump_statement(connection.dialect.name, new_token()))
    _forget(connection)  # after the upsert, which is a write itself


def _stamp_whole_transaction(session) -> None:
    # SQLAlchemy's before_commit, which ``with session.begin():`` fires too, but so does the
    # release of each SAVEPOINT, whose transaction is not over yet.
    if not session.in_nested_transaction():
        _stamp(session)


def init_app(app) -> None:
    """Watch every write and every commit of the application (idempotent)."""
    # Session.commit(), even with a SAVEPOINT left open, and any other commit of a session.
    before_commit(_stamp)
    if not event.contains(db.session, "before_commit", _stamp_whole_transaction):
        event.listen(db.session, "before_commit", _stamp_whole_transaction)
    with app.app_context():
        engine = db.engine
    for name, listener in (
        ("before_cursor_execute", _note_write),
        ("commit", _forget),
        ("rollback", _forget),
    ):
        if not event.contains(engine, name, listener):
            event.listen(engine, name, listener)
