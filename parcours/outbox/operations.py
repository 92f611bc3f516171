"""Outbox operations: record e-mails with the change that causes them, deliver after commit.

A message is a row written in the same transaction as the action that causes it, so a
rollback drops it and a commit keeps it. Each delivery attempt is claimed with a guarded
UPDATE, committed with a lease before sending, so no two processes send a message while the
lease runs. What SMTP cannot give is exactly once: a process killed after the server took
the message but before marking it sent leaves it « sending », and it goes again once the
lease is over, under the same Message-ID so that the receiver can drop the repeat.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import Connection, and_, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from parcours.core.concurrency import savepoint
from parcours.core.extensions import db
from parcours.core.mail import send_message
from parcours.core.process import process_name
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
        with savepoint():
            db.session.add(message)
    except IntegrityError:
        # Another process queued the same key between our check and our insert.
        logger.info("Message %s already queued elsewhere", dedup_key)
        return None
    return message


def _claim(
    connection: Connection | Session,
    message_id: int,
    attempts: int,
    now: datetime,
    *,
    lease: timedelta,
    claimer: str,
) -> bool:
    """Take one delivery attempt of a message; False if someone else took it.

    A pending message is free; a message « sending » is free only once its lease has run
    out (the process handing it over died). The attempt count seen when reading makes the
    UPDATE lose against any other claim made meanwhile.
    """
    table = OutboxMessage.__table__
    result = connection.execute(
        update(table)
        .where(
            table.c.id == message_id,
            table.c.attempts == attempts,
            or_(
                table.c.status == MessageStatus.PENDING,
                and_(table.c.status == MessageStatus.SENDING, table.c.lease_until <= now),
            ),
        )
        .values(
            status=MessageStatus.SENDING,
            attempts=attempts + 1,
            lease_until=now + lease,
            claimed_by=claimer,
        )
    )
    return result.rowcount == 1


def _deliverable(now: datetime, message_ids: list[int] | None):
    table = OutboxMessage.__table__
    taken_over = and_(table.c.status == MessageStatus.SENDING, table.c.lease_until <= now)
    pending = table.c.status == MessageStatus.PENDING
    if message_ids is None:
        pending = and_(pending, table.c.next_attempt_at <= now)
    query = select(table).where(or_(pending, taken_over))
    if message_ids is not None:
        query = query.where(table.c.id.in_(message_ids))
    return query


def deliver(
    message_ids: list[int] | None = None,
    *,
    limit: int = 100,
    stop: Callable[[], bool] | None = None,
) -> tuple[int, int]:
    """Send pending messages (these ids, or those due); return (sent, failed attempts).

    Each message is claimed with a lease in a transaction of its own, committed before the
    message is handed to the SMTP server, then marked sent (or failed) in another. A process
    that dies in between leaves it « sending »: once the lease has run out, the next delivery
    sends it again, with the same Message-ID, since nothing tells whether the server got it.
    ``stop`` is asked before each message (the scheduler stopping on SIGTERM).

    Uses a session of its own (so its own connection), so it can run right after a commit
    (the request's session is then closed to SQL) as well as from the scheduler.
    """
    app = current_app._get_current_object()
    lease = timedelta(seconds=int(app.config["PARCOURS_MAIL_LEASE_SECONDS"]))
    claimer = process_name()
    sent = failed = 0
    table = OutboxMessage.__table__
    # From the session factory rather than db.engine.connect(), so that it is bound like every
    # other session of the application: the tests bind them all to one connection whose
    # transaction they roll back, and the outbox rows written there are only visible on it.
    with db.session.session_factory() as session:
        query = _deliverable(now_utc(), message_ids)
        rows = session.execute(query.order_by(table.c.id).limit(limit)).mappings().all()
        session.commit()
        for message in rows:
            if stop is not None and stop():
                break
            now = now_utc()
            if not _claim(
                session, message["id"], message["attempts"], now, lease=lease, claimer=claimer
            ):
                session.rollback()
                continue
            session.commit()  # « sending » is visible to every other process before we send
            attempt = message["attempts"] + 1
            try:
                send_message(app, message)
            except Exception as error:  # any transport failure is retried later
                failed += 1
                given_up = attempt > len(BACKOFF)
                wait = BACKOFF[min(attempt - 1, len(BACKOFF) - 1)]
                session.execute(
                    update(table)
                    # Only the latest claim records a failure: a message another process
                    # took over (our lease ran out) and sent stays sent.
                    .where(
                        table.c.id == message["id"],
                        table.c.attempts == attempt,
                        table.c.status == MessageStatus.SENDING,
                    )
                    .values(
                        last_error=f"{type(error).__name__}: {error}"[:2000],
                        status=MessageStatus.FAILED if given_up else MessageStatus.PENDING,
                        next_attempt_at=now_utc() + wait,
                        lease_until=None,
                    )
                )
                logger.warning(
                    "E-mail %s not sent (attempt %s%s): %s",
                    message["id"],
                    attempt,
                    ", given up" if given_up else "",
                    error,
                )
            else:
                sent += 1  # the backend wrote its line (the console's is the e-mail itself)
                session.execute(
                    update(table)
                    .where(table.c.id == message["id"])
                    .values(
                        status=MessageStatus.SENT,
                        sent_at=now_utc(),
                        last_error="",
                        lease_until=None,
                    )
                )
            session.commit()
    return sent, failed
