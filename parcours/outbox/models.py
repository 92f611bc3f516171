"""Outgoing e-mails, each a row written with the change that causes it."""

from datetime import datetime
from enum import StrEnum

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    ForeignKey,
    Index,
    LargeBinary,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from parcours.core.db import one_of
from parcours.core.extensions import db
from parcours.core.mail import new_message_id
from parcours.core.time import now_utc


class MessageStatus(StrEnum):
    PENDING = "pending"
    # Claimed by a process that is handing it to the SMTP server: nobody else takes it
    # before ``lease_until``, after which it may have been sent or not (the process died).
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"  # gave up after the last retry


class OutboxMessage(db.Model):
    __tablename__ = "outbox_messages"
    __audit_label__ = _l("e-mail")
    __table_args__ = (
        one_of("status", MessageStatus),
        Index("ix_outbox_messages_status_next_attempt_at", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # The cohort the message is about, so its coordinators can read the log.
    cohort_id: Mapped[int | None] = mapped_column(
        ForeignKey("cohorts.id", ondelete="SET NULL"), nullable=True, index=True
    )
    recipient: Mapped[str] = mapped_column(String(254), nullable=False)
    subject: Mapped[str] = mapped_column(String(300), nullable=False)
    body: Mapped[str] = mapped_column(Text, nullable=False)
    attachment_name: Mapped[str | None] = mapped_column(String(200), nullable=True)
    attachment_type: Mapped[str | None] = mapped_column(String(100), nullable=True)
    attachment: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    status: Mapped[str] = mapped_column(String(10), nullable=False, default=MessageStatus.PENDING)
    attempts: Mapped[int] = mapped_column(nullable=False, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(nullable=False, default=now_utc)
    last_error: Mapped[str] = mapped_column(Text, nullable=False, default="")
    sent_at: Mapped[datetime | None] = mapped_column(nullable=True)
    created_at: Mapped[datetime] = mapped_column(nullable=False, default=now_utc)
    # A message that must exist once (a reminder) carries a key; a second insert fails.
    dedup_key: Mapped[str | None] = mapped_column(String(200), nullable=True, unique=True)
    # Given once, at queueing: every attempt carries it, so a receiver can drop a repeat.
    message_id: Mapped[str] = mapped_column(
        String(300), nullable=False, unique=True, default=lambda: new_message_id(current_app)
    )
    lease_until: Mapped[datetime | None] = mapped_column(nullable=True)
    claimed_by: Mapped[str] = mapped_column(String(200), nullable=False, default="")

    def __repr__(self) -> str:
        return f"<OutboxMessage {self.id} to {self.recipient} {self.status}>"
