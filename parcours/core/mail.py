"""Outgoing e-mail: every message is an outbox row written with the change that causes it.

:func:`queue` records the message in the current transaction, so a rollback drops it. Once
the transaction commits, the messages it recorded are delivered right away; those that fail
are retried by the scheduler (``parcours.outbox``). Backends: ``smtp`` when
``PARCOURS_SMTP_HOST`` is set, ``console`` (one log line per message) otherwise, and
``memory`` for tests.
"""

import logging
import smtplib
from collections.abc import Mapping
from dataclasses import dataclass
from email.headerregistry import HeaderRegistry
from email.message import EmailMessage

from flask import Flask, current_app
from sqlalchemy import event

from parcours.core.extensions import db

logger = logging.getLogger(__name__)

_HEADERS = HeaderRegistry()
_PENDING = "parcours_pending_mail"
_SUPPRESSED = "parcours_suppress_mail"


@dataclass(frozen=True)
class Message:
    to: str
    subject: str
    body: str
    attachment_name: str | None = None
    # The full content type, parameters included: "text/calendar; method=REQUEST; charset=UTF-8".
    attachment_type: str | None = None
    attachment: bytes | None = None


def queue(message: Message, *, cohort_id: int | None = None, dedup_key: str | None = None) -> bool:
    """Record ``message`` to be sent once the current transaction commits.

    Returns False when nothing was queued: mail is suppressed, or a message with the same
    ``dedup_key`` already exists.
    """
    from parcours.outbox import operations as outbox

    session = db.session()  # the request's Session, not the scoped proxy
    if session.info.get(_SUPPRESSED):
        return False
    attachment = None
    if message.attachment is not None:
        attachment = outbox.Attachment(
            filename=message.attachment_name or "piece-jointe",
            content_type=message.attachment_type or "application/octet-stream",
            content=message.attachment,
        )
    row = outbox.queue(
        recipient=message.to,
        subject=message.subject,
        body=message.body,
        cohort_id=cohort_id,
        attachment=attachment,
        dedup_key=dedup_key,
    )
    if row is None:
        return False
    transaction = session.get_nested_transaction() or session.get_transaction()
    session.info.setdefault(_PENDING, []).append((transaction, row.id))
    return True


def suppress_until_commit() -> None:
    """Record no message until the transaction ends (demo data for invented people)."""
    db.session.info[_SUPPRESSED] = True


def sent_messages() -> list[Message]:
    """Return the messages the ``memory`` backend has sent (tests)."""
    return current_app.extensions.setdefault("parcours_mail_sent", [])


def build_email(app: Flask, message: Message) -> EmailMessage:
    """Turn a message into the e-mail handed to the SMTP server.

    A calendar file whose type names an iTIP method (``text/calendar; method=REQUEST``) makes
    the e-mail a calendar invitation (iMIP, RFC 6047), in the shape Google Calendar sends and
    the CalConnect guide recommends: ``multipart/mixed`` holding first a
    ``multipart/alternative`` (the text, then the calendar part with its method, which Gmail,
    Outlook and Apple Mail read as the invitation; Outlook looks only in this first part),
    then the same file as an ``application/ics`` attachment for mail readers that only open
    attachments.
    """
    email = EmailMessage()
    email["From"] = app.config["PARCOURS_MAIL_FROM"]
    email["To"] = message.to
    # A header cannot hold a line break; one typed into a title must not block the message.
    email["Subject"] = " ".join(message.subject.split())
    email.set_content(message.body)
    if message.attachment is None:
        return email
    content_type = _HEADERS("content-type", message.attachment_type or "application/octet-stream")
    params = dict(content_type.params)
    if content_type.content_type == "text/calendar" and "method" in params:
        email.add_alternative(
            message.attachment, maintype="text", subtype="calendar", params=params
        )
        email.add_attachment(
            message.attachment,
            maintype="application",
            subtype="ics",
            filename=message.attachment_name,
        )
        return email
    email.add_attachment(
        message.attachment,
        maintype=content_type.maintype,
        subtype=content_type.subtype,
        filename=message.attachment_name,
        params=params,
    )
    return email


def send_message(app: Flask, row: Mapping) -> None:
    """Hand one outbox row to the configured backend; raise if the transport fails."""
    message = Message(
        to=row["recipient"],
        subject=row["subject"],
        body=row["body"],
        attachment_name=row["attachment_name"],
        attachment_type=row["attachment_type"],
        attachment=row["attachment"],
    )
    backend = app.config["PARCOURS_MAIL_BACKEND"]
    if backend == "memory":
        app.extensions.setdefault("parcours_mail_sent", []).append(message)
        return
    if backend == "console":
        # One line, without the body: bodies carry personal one-time links, and logs are kept
        # and shared. The body is on the cohort's outbox page.
        logger.info("E-mail to %s: %s", message.to, " ".join(message.subject.split()))
        return
    email = build_email(app, message)
    with smtplib.SMTP(
        app.config["PARCOURS_SMTP_HOST"], int(app.config["PARCOURS_SMTP_PORT"]), timeout=10
    ) as smtp:
        if app.config["PARCOURS_SMTP_STARTTLS"]:
            smtp.starttls()
        if app.config["PARCOURS_SMTP_USER"]:
            smtp.login(app.config["PARCOURS_SMTP_USER"], app.config["PARCOURS_SMTP_PASSWORD"])
        smtp.send_message(email)


def init_app(app: Flask) -> None:
    """Deliver after commit and forget otherwise (idempotent)."""
    # db.session is shared by every application, so the listeners are registered once.
    if not event.contains(db.session, "after_commit", _send_after_commit):
        event.listen(db.session, "after_commit", _send_after_commit)
        event.listen(db.session, "after_soft_rollback", _drop_after_rollback)
        event.listen(db.session, "after_transaction_end", _drop_uncommitted)


def _send_after_commit(session) -> None:
    from parcours.outbox import operations as outbox

    if session.get_nested_transaction() is not None:
        return  # a savepoint was released (SQLAlchemy calls that a commit too): wait for the end
    session.info.pop(_SUPPRESSED, None)
    pending = [message_id for _transaction, message_id in session.info.pop(_PENDING, [])]
    if pending and len(pending) <= current_app.config["PARCOURS_MAIL_INLINE_LIMIT"]:
        # A few messages (an invitation, a reset link) go at once; a batch (a session's
        # invitations) is left to the scheduler, so no request waits on the mail server.
        # Failures stay in the outbox and are retried; the committed action stands.
        outbox.deliver(pending)


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
            (transaction, message_id)
            for transaction, message_id in session.info.get(_PENDING, [])
            if not _within(transaction, previous_transaction)
        ]
        return
    _forget(session)


def _drop_uncommitted(session, transaction) -> None:
    # After a commit the list is already empty; anything left was never committed (close()).
    if transaction.parent is None:
        _forget(session)


def _forget(session) -> None:
    session.info.pop(_PENDING, None)
    session.info.pop(_SUPPRESSED, None)
