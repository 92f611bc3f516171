"""Outgoing e-mail: queued during the unit of work, sent only once it has committed.

Backends: ``smtp`` when ``PARCOURS_SMTP_HOST`` is set, ``console`` (the log) otherwise, and
``memory`` for tests. Later features (reminders) queue through :func:`queue` too.
"""

import logging
import smtplib
from dataclasses import dataclass
from email.message import EmailMessage

from flask import Flask, current_app
from sqlalchemy import event

from parcours.core.extensions import db

logger = logging.getLogger(__name__)

_PENDING = "parcours_pending_mail"
_SUPPRESSED = "parcours_suppress_mail"


@dataclass(frozen=True)
class Message:
    to: str
    subject: str
    body: str


def queue(message: Message) -> None:
    """Send ``message`` after the current transaction commits; drop it if it rolls back."""
    session = db.session()  # the request's Session, not the scoped proxy
    if session.info.get(_SUPPRESSED):
        return
    # Tie the message to a transaction, beginning one if the session has none yet: a rollback
    # without a transaction fires no event, and the message would leak into the next commit.
    transaction = session.get_nested_transaction() or session.get_transaction() or session.begin()
    session.info.setdefault(_PENDING, []).append((transaction, message))


def suppress_until_commit() -> None:
    """Drop every message of the current transaction (demo data for invented people)."""
    db.session.info[_SUPPRESSED] = True


def sent_messages() -> list[Message]:
    """Return the messages the ``memory`` backend has sent (tests and demo)."""
    return current_app.extensions.setdefault("parcours_mail_sent", [])


def _deliver(app: Flask, message: Message) -> None:
    backend = app.config["PARCOURS_MAIL_BACKEND"]
    if backend == "memory":
        app.extensions.setdefault("parcours_mail_sent", []).append(message)
        return
    if backend == "console":
        logger.info("E-mail to %s: %s\n%s", message.to, message.subject, message.body)
        return
    email = EmailMessage()
    email["From"] = app.config["PARCOURS_MAIL_FROM"]
    email["To"] = message.to
    email["Subject"] = message.subject
    email.set_content(message.body)
    with smtplib.SMTP(
        app.config["PARCOURS_SMTP_HOST"], int(app.config["PARCOURS_SMTP_PORT"]), timeout=10
    ) as smtp:
        if app.config["PARCOURS_SMTP_STARTTLS"]:
            smtp.starttls()
        if app.config["PARCOURS_SMTP_USER"]:
            smtp.login(app.config["PARCOURS_SMTP_USER"], app.config["PARCOURS_SMTP_PASSWORD"])
        smtp.send_message(email)


def init_app(app: Flask) -> None:
    """Flush queued messages after commit and forget them otherwise (idempotent)."""
    # db.session is shared by every application, so the listeners are registered once.
    if not event.contains(db.session, "after_commit", _send_after_commit):
        event.listen(db.session, "after_commit", _send_after_commit)
        event.listen(db.session, "after_soft_rollback", _drop_after_rollback)
        event.listen(db.session, "after_transaction_end", _drop_uncommitted)


def _send_after_commit(session) -> None:
    if session.get_nested_transaction() is not None:
        return  # a savepoint was released (SQLAlchemy calls that a commit too): wait for the end
    session.info.pop(_SUPPRESSED, None)
    pending = session.info.pop(_PENDING, [])
    for _transaction, message in pending:
        try:
            _deliver(current_app._get_current_object(), message)
        except (OSError, smtplib.SMTPException):
            # The action is committed; losing the mail must not turn it into an error page.
            logger.exception("Could not send e-mail %r to %s", message.subject, message.to)


def _within(transaction, ancestor) -> bool:
    while transaction is not None:
        if transaction is ancestor:
            return True
        transaction = transaction.parent
    return False


def _drop_after_rollback(session, previous_transaction) -> None:
    if previous_transaction.nested:
        # A savepoint rolled back: forget only what was queued inside it.
        session.info[_PENDING] = [
            (transaction, message)
            for transaction, message in session.info.get(_PENDING, [])
            if not _within(transaction, previous_transaction)
        ]
        return
    _forget(session)


def _drop_uncommitted(session, transaction) -> None:
    # After a commit the queue is already empty; anything left was never committed (close()).
    if transaction.parent is None:
        _forget(session)


def _forget(session) -> None:
    session.info.pop(_PENDING, None)
    session.info.pop(_SUPPRESSED, None)
