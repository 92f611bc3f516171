"""Outbox operations: record e-mails with the change that causes them, deliver after commit.

A message is a row written in the same transaction as the action that causes it, so a
rollback drops it and a commit keeps it. Each delivery attempt is claimed with a guarded
UPDATE before sending, so the web process and the scheduler never send the same attempt.
"""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import Connection, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from parcours.core.extensions import db
from parcours.core.mail import send_message
from parcours.core.time import now_utc
from parcours.outbox.models import MessageStatus, OutboxMessage

logger = logging.getLogger(__name__)

#: Waits before each retry; after the last one the message is marked failed.
BACKOFF = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=12),
)
#: How long the process that queued a message has to deliver it before the scheduler may.
FIRST_ATTEMPT_GRACE = timedelta(minutes=1)


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str
    content: bytes


def queue(
    *,
    recipient: str,
    subject: str,
    body: str,
    cohort_id: int | None = None,
    attachment: Attachment | None = None,
    dedup_key: str | None = None,
) -> OutboxMessage | None:
    """Record an e-mail to send once the current transaction commits.

    With a ``dedup_key``, a message that already exists is not queued again (None is
    returned), even when two processes try at the same moment.
    """
    if dedup_key is not None and db.session.scalar(
        select(OutboxMessage.id).where(OutboxMessage.dedup_key == dedup_key)
    ):
        return None
    message = OutboxMessage(
        recipient=recipient,
        subject=subject[:300],
        body=body,
        cohort_id=cohort_id,
        dedup_key=dedup_key,
        next_attempt_at=now_utc() + FIRST_ATTEMPT_GRACE,
    )
    if attachment is not None:
        message.attachment_name = attachment.filename
        message.attachment_type = attachment.content_type
        message.attachment = attachment.content
    if dedup_key is None:
        db.session.add(message)
        db.session.flush()
        return message
    try:
        with db.session.begin_nested():
            db.session.add(message)
    except IntegrityError:
        # Another process queued the same key between our check and our insert.
        logger.info("Message %s already queued elsewhere", dedup_key)
        return None
    return message


def _claim(connection: Connection | Session, message_id: int, attempts: int, now: datetime) -> bool:
    """Take one delivery attempt of a message; False if someone else took it."""
    wait = BACKOFF[min(attempts, len(BACKOFF) - 1)]
    table = OutboxMessage.__table__
    result = connection.execute(
        update(table)
        .where(
            table.c.id == message_id,
            table.c.status == MessageStatus.PENDING,
            table.c.attempts == attempts,
        )
        .values(attempts=attempts + 1, next_attempt_at=now + wait)
    )
    return result.rowcount == 1


def deliver(message_ids: list[int] | None = None, *, limit: int = 100) -> tuple[int, int]:
    """Send pending messages (these ids, or those due); return (sent, failed attempts).

    Uses a session of its own (so its own connection) and commits each message's state, so
    it can run right after a commit (the request's session is then closed to SQL) as well as
    from the scheduler.
    """
    app = current_app._get_current_object()
    now = now_utc()
    sent = failed = 0
    table = OutboxMessage.__table__
    # From the session factory rather than db.engine.connect(), so that it is bound like every
    # other session of the application: the tests bind them all to one connection whose
    # transaction they roll back, and the outbox rows written there are only visible on it.
    with db.session.session_factory() as session:
        query = select(table).where(table.c.status == MessageStatus.PENDING)
        if message_ids is not None:
            query = query.where(table.c.id.in_(message_ids))
        else:
            query = query.where(table.c.next_attempt_at <= now)
        rows = session.execute(query.order_by(table.c.id).limit(limit)).mappings().all()
        session.commit()
        for message in rows:
            if not _claim(session, message["id"], message["attempts"], now):
                session.rollback()
                continue
            session.commit()
            attempt = message["attempts"] + 1
            try:
                send_message(app, message)
            except Exception as error:  # any transport failure is retried later
                failed += 1
                session.execute(
                    update(table)
                    .where(table.c.id == message["id"])
                    .values(
                        last_error=f"{type(error).__name__}: {error}"[:2000],
                        status=MessageStatus.FAILED
                        if attempt > len(BACKOFF)
                        else MessageStatus.PENDING,
                    )
                )
                logger.warning("E-mail %s not sent (attempt %s): %s", message["id"], attempt, error)
            else:
                sent += 1
                session.execute(
                    update(table)
                    .where(table.c.id == message["id"])
                    .values(status=MessageStatus.SENT, sent_at=now_utc(), last_error="")
                )
            session.commit()
    return sent, failed
