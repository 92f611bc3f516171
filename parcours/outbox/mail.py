"""Queue e-mails with the change that causes them; deliver them once it has committed.

:func:`queue` records the message as an outbox row in the current transaction, so a rollback
drops it. Once the transaction commits, the messages it recorded are delivered right away
(a few) or left to the scheduler (a batch); those that fail are retried by the scheduler.

:func:`after_response` runs work once the answer has left instead (a password reset, whose
time to answer must not tell whether the address has an account).
"""

import logging
from collections.abc import Callable

from flask import Flask, after_this_request, current_app, request
from sqlalchemy import event

from parcours.core.extensions import db
from parcours.core.mail import Message
from parcours.outbox import operations as outbox

__all__ = [
    "Message",
    "after_response",
    "init_app",
    "queue",
    "sent_messages",
    "suppress_until_commit",
]

logger = logging.getLogger(__name__)

_PENDING = "parcours_pending_mail"
_SUPPRESSED = "parcours_suppress_mail"


#: The reserved domain (RFC 2606) of the addresses that stand for no one: erased accounts.
NOWHERE_DOMAIN = "parcours.invalid"


def queue(message: Message, *, cohort_id: int | None = None, dedup_key: str | None = None) -> bool:
    """Record ``message`` to be sent once the current transaction commits.

    Returns False when nothing was queued: mail is suppressed, the address is one that stands
    for no one (:data:`NOWHERE_DOMAIN`), or a message with the same ``dedup_key`` exists.
    """
    session = db.session()  # the request's Session, not the scoped proxy
    if session.info.get(_SUPPRESSED):
        return False
    if message.to.lower().endswith("@" + NOWHERE_DOMAIN):
        # An erased person stays among the people of past events and surveys: whatever
        # writes to them, nothing may be queued, retried and logged for an address of no one.
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


def after_response(task: Callable[[], None]) -> None:
    """Run ``task`` once this request's response has been sent, then commit what it queued.

    It runs with a context and a session of its own (the request's are gone by then), in a
    request context for the same address, so that links are built as during the request.
    Its failures are logged: the visitor already has their answer.
    """
    app = current_app._get_current_object()
    base_url = request.url_root

    @after_this_request
    def _when_sent(response):
        response.call_on_close(lambda: _run_after_response(app, base_url, task))
        return response


def _run_after_response(app: Flask, base_url: str, task: Callable[[], None]) -> None:
    with app.test_request_context(base_url=base_url):
        try:
            task()
            db.session.commit()  # delivers what the task queued, as after a request
        except Exception:
            db.session.rollback()
            logger.exception("Work after the response failed")


def suppress_until_commit() -> None:
    """Record no message until the transaction ends (demo data for invented people)."""
    db.session.info[_SUPPRESSED] = True


def sent_messages() -> list[Message]:
    """Return the messages the ``memory`` backend has sent (tests)."""
    return current_app.extensions.setdefault("parcours_mail_sent", [])


def init_app(app: Flask) -> None:
    """Deliver after commit and forget otherwise (idempotent)."""
    # db.session is shared by every application, so the listeners are registered once.
    if not event.contains(db.session, "after_commit", _send_after_commit):
        event.listen(db.session, "after_commit", _send_after_commit)
        event.listen(db.session, "after_soft_rollback", _drop_after_rollback)
        event.listen(db.session, "after_transaction_end", _drop_uncommitted)


def _send_after_commit(session) -> None:
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
