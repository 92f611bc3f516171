"""Events of a cohort's timeline."""

from datetime import datetime
from enum import StrEnum
from typing import ClassVar

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text, false
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from parcours.accounts.models import User
from parcours.cohorts.models import Cohort, Territory
from parcours.core.conflicts import version_column
from parcours.core.db import one_of
from parcours.core.extensions import db
from parcours.core.time import now_utc
from parcours.curricula.schema import MEETING_KINDS, EventKind

__all__ = ["MEETING_KINDS", "EventKind", "EventStatus"]  # the agenda speaks of its events' kinds


class EventStatus(StrEnum):
    PLANNED = "planned"
    CANCELLED = "cancelled"


KIND_LABELS = {
    EventKind.SESSION: _l("Session collective"),
    EventKind.BILATERAL: _l("Bilatérale de lancement"),
    EventKind.FOLLOW_UP: _l("Suivi individuel"),
    EventKind.FIELD_VISIT: _l("Visite de terrain"),
    EventKind.COMMITTEE: _l("Comité d'orientation"),
    EventKind.ASSESSMENT: _l("Auto-évaluation"),
    EventKind.OTHER: _l("Autre temps fort"),
}

#: Kinds that concern a single territory rather than the whole cohort.
PER_TERRITORY_KINDS = (EventKind.BILATERAL, EventKind.FOLLOW_UP, EventKind.FIELD_VISIT)


class EventLabels:
    """How an event reads: shared by the model and by the rows that lists and timelines load.

    Needs ``kind`` and ``status`` attributes.
    """

    @property
    def kind_label(self):
        return KIND_LABELS[EventKind(self.kind)]

    @property
    def is_cancelled(self) -> bool:
        return self.status == EventStatus.CANCELLED

    @property
    def is_meeting(self) -> bool:
        """Tell whether people meet at this event (not a self-assessment window)."""
        return EventKind(self.kind).is_meeting


class Event(EventLabels, db.Model):
    __tablename__ = "events"
    __audit_label__ = _l("événement")
    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        one_of("kind", EventKind),
        one_of("status", EventStatus),
        Index("ix_events_cohort_id_starts_at", "cohort_id", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(
        ForeignKey("cohorts.id", ondelete="CASCADE"), nullable=False
    )
    territory_id: Mapped[int | None] = mapped_column(
        ForeignKey("territories.id", ondelete="CASCADE"), nullable=True, index=True
    )
    kind: Mapped[str] = mapped_column(String(20), nullable=False)
    # The curriculum code this event was generated from (S1, COMITE2, T0…), if any.
    code: Mapped[str] = mapped_column(String(32), nullable=False, default="")
    title: Mapped[str] = mapped_column(String(300), nullable=False)
    description: Mapped[str] = mapped_column(Text, nullable=False, default="")
    starts_at: Mapped[datetime] = mapped_column(nullable=False)
    ends_at: Mapped[datetime] = mapped_column(nullable=False)
    status: Mapped[str] = mapped_column(String(20), nullable=False, default=EventStatus.PLANNED)
    venue_name: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    venue_address: Mapped[str] = mapped_column(Text, nullable=False, default="")
    access_notes: Mapped[str] = mapped_column(Text, nullable=False, default="")
    online_url: Mapped[str] = mapped_column(String(500), nullable=False, default="")
    # One speaker per line: a name and, after a dash, their organisation.
    speakers: Mapped[str] = mapped_column(Text, nullable=False, default="")
    # Curriculum thematic codes (T1, T2…) this event works on.
    thematics: Mapped[list] = mapped_column(JSON, nullable=False, default=list)
    # iCalendar SEQUENCE: grows with every change that calendar applications must pick up.
    sequence: Mapped[int] = mapped_column(nullable=False, default=0)
    # Attendance is kept per local half-day, so once a mark exists the event cannot move.
    # Attendance sets it (it sits above the agenda); everyone reads it here.
    dates_frozen: Mapped[bool] = mapped_column(
        nullable=False, default=False, server_default=false()
    )
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    created_at: Mapped[datetime] = mapped_column(nullable=False, default=now_utc)
    updated_at: Mapped[datetime] = mapped_column(nullable=False, default=now_utc)
    cancelled_at: Mapped[datetime | None] = mapped_column(nullable=True)
    # Optimistic locking (core/conflicts.py), apart from ``sequence``: that one counts what
    # calendars must pick up, this one every saved change.
    version: Mapped[int] = version_column()

    __mapper_args__: ClassVar[dict] = {"version_id_col": version}

    cohort: Mapped[Cohort] = relationship()
    territory: Mapped[Territory | None] = relationship()
    created_by: Mapped[User | None] = relationship()
    items: Mapped[list["AgendaItem"]] = relationship(
        back_populates="event",
        order_by="(AgendaItem.starts_at, AgendaItem.id)",
        cascade="all, delete-orphan",
    )
    documents: Mapped[list["EventDocument"]] = relationship(
        back_populates="event", order_by="EventDocument.id", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<Event {self.id} {self.kind} {self.title!r}>"

    @hybrid_property
    def is_meeting(self) -> bool:
        """Tell whether people meet at this event (not a self-assessment window); SQL too."""
        return EventKind(self.kind).is_meeting

    @is_meeting.inplace.expression
    @classmethod
    def _is_meeting_expression(cls):
        return cls.kind.in_(MEETING_KINDS)

    @property
    def speaker_list(self) -> list[str]:
        return [line.strip() for line in self.speakers.splitlines() if line.strip()]


class AgendaItemKind(StrEnum):
    PLENARY = "plenary"
    TESTIMONY = "testimony"
    VISIT = "visit"
    WORKSHOP = "workshop"
    RESTITUTION = "restitution"
    BREAK = "break"
    OTHER = "other"


AGENDA_ITEM_LABELS = {
    AgendaItemKind.PLENARY: _l("Plénière"),
    AgendaItemKind.TESTIMONY: _l("Témoignage"),
    AgendaItemKind.VISIT: _l("Visite inspirante"),
    AgendaItemKind.WORKSHOP: _l("Atelier en sous-groupes"),
    AgendaItemKind.RESTITUTION: _l("Restitution"),
    AgendaItemKind.BREAK: _l("Pause"),
    AgendaItemKind.OTHER: _l("Autre"),
}


class AgendaItem(db.Model):
    """A timed part of an event's programme (plenary, testimony, workshop…)."""

    __tablename__ = "agenda_items"
    __audit_label__ = _l("point du déroulé")
    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        one_of("kind", AgendaItemKind),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(
        ForeignKey("events.id", ondelete="CASCADE"), nullable=False, index=True
    )
    starts_at: Mapped[datetime] = mapped_column(nullable=False)
    ends_at: Mapped[datetime] = mapped_column(nullable=False)
    kind: Mapped[str] = mapped_column(String(20), nullable=False)
    title: Mapped[str] = mapped_column(String(300), nullable=False)
    speaker: Mapped[str] = mapped_column(String(300), nullable=False, default="")

    event: Mapped[Event] = relationship(back_populates="items")

    def __repr__(self) -> str:
        return f"<AgendaItem {self.id} {self.title!r}>"

    @property
    def kind_label(self):
        return AGENDA_ITEM_LABELS[AgendaItemKind(self.kind)]


class EventDocument(db.Model):
    """A link to a document of an event (programme, slides, report)."""

    __tablename__ = "event_documents"
    __audit_label__ = _l("document d'événement")

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(
        ForeignKey("events.id", ondelete="CASCADE"), nullable=False, index=True
    )
    title: Mapped[str] = mapped_column(String(300), nullable=False)
    url: Mapped[str] = mapped_column(String(1000), nullable=False)

    event: Mapped[Event] = relationship(back_populates="documents")

    def __repr__(self) -> str:
        return f"<EventDocument {self.id} {self.title!r}>"


class CalendarFeed(db.Model):
    """A person's private calendar subscription; the token is the only credential."""

    __tablename__ = "calendar_feeds"
    __audit_label__ = _l("abonnement au calendrier")

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), nullable=False, unique=True
    )
    token: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    created_at: Mapped[datetime] = mapped_column(nullable=False, default=now_utc)

    user: Mapped[User] = relationship()

    def __repr__(self) -> str:
        return f"<CalendarFeed of user {self.user_id}>"
