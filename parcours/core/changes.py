"""The database's version: a token that every committed write replaces, in its own transaction.

A page rendered from the database can be served again for as long as the token it was
rendered at is the current one (:mod:`parcours.core.page_cache`). That holds only if *every*
transaction that writes changes the token before it commits, so the rule is enforced here,
once, on every session of the application: a flush that wrote, or an INSERT, UPDATE or
DELETE run through a session, marks the session; its commit then writes a new token as the
transaction's very last statement (:func:`parcours.core.db.before_commit`), so that the row's
lock is held only for the commit itself: a writer holding it never waits for another lock,
and no two writers can wait for each other.

The token is random, not a counter: a transaction rolled back after writing (a failed form,
a test's isolation) gives back the previous token *with* the previous data, so a token never
names two different states of the database, not even after a backup is restored.

Writes that bypass the application's sessions are the restore of a backup (which brings back
the backup's token with the backup's data) and the migrations (run while the application is
stopped, whose processes start with empty caches).
"""

import secrets

from flask import has_request_context, request
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

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(32), nullable=False)


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


def _note_flush(session, flush_context) -> None:
    session.info[_WROTE] = True


def _note_statement(state) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        state.session.info[_WROTE] = True


def _stamp(session) -> None:
    """Give the transaction about to commit a new token, if it wrote anything."""
    session.flush()  # what is still pending is written first: the token comes last
    if not session.info.pop(_WROTE, False):
        return
    connection = session.connection()
    # On the connection, not the session: this statement must not mark the session again.
    connection.execute(_bump_statement(connection.dialect.name, new_token()))


def _forget(session, previous_transaction) -> None:
    if previous_transaction.parent is None:  # the whole transaction, not a SAVEPOINT
        session.info.pop(_WROTE, None)


def init_app(app) -> None:
    """Watch every session of the application (idempotent)."""
    before_commit(_stamp)
    for name, listener in (
        ("after_flush", _note_flush),
        ("do_orm_execute", _note_statement),
        ("after_soft_rollback", _forget),
    ):
        if not event.contains(db.session, name, listener):
            event.listen(db.session, name, listener)
