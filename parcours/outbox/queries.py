"""What the outbox log shows: a cohort's messages, page by page, and one message's body."""

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select

from parcours.core.extensions import db
from parcours.core.urls import hide_secret_links
from parcours.outbox.models import OutboxMessage

PAGE_SIZE = 50
MAX_PAGE = 10_000  # 500,000 messages; keeps the OFFSET far from 64-bit overflow


def cohort_messages(cohort_id: int, page: int) -> tuple[list[OutboxMessage], int]:
    """Return one page of the messages about a cohort, newest first, and their total."""
    query = select(OutboxMessage).where(OutboxMessage.cohort_id == cohort_id)
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    messages = db.session.scalars(
        query.order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc())
        .limit(PAGE_SIZE)
        .offset((page - 1) * PAGE_SIZE)
    ).all()
    return list(messages), total


def cohort_message(cohort_id: int, message_id: int) -> OutboxMessage | None:
    """Return a message of a cohort's log, or None (also for another cohort's message)."""
    message = db.session.get(OutboxMessage, message_id)
    return message if message is not None and message.cohort_id == cohort_id else None


def readable_body(message: OutboxMessage) -> str:
    """Return the body as a coordinator may read it: others' one-time links hidden in production.

    An invitation or reset link lets whoever opens it act as its recipient. In development
    the whole body is shown, since the outbox page is where those links are found.
    """
    if not current_app.config["PARCOURS_PRODUCTION"]:
        return message.body
    return hide_secret_links(message.body, _("[lien personnel, visible par son seul destinataire]"))
