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
    if db.session.info.get(_SUPPRESSED):
        return
    db.session.info.setdefault(_PENDING, []).append(message)


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
    """Flush queued messages after commit and forget them after rollback."""

    @event.listens_for(db.session, "after_commit")
    def _send_after_commit(session) -> None:
        session.info.pop(_SUPPRESSED, None)
        pending = session.info.pop(_PENDING, [])
        for message in pending:
            try:
                _deliver(current_app._get_current_object(), message)
            except (OSError, smtplib.SMTPException):
                # The action is committed; losing the mail must not turn it into an error page.
                logger.exception("Could not send e-mail %r to %s", message.subject, message.to)

    @event.listens_for(db.session, "after_soft_rollback")
    def _drop_after_rollback(session, previous_transaction) -> None:
        session.info.pop(_PENDING, None)
        session.info.pop(_SUPPRESSED, None)
