"""Events of a cohort's timeline."""

from datetime import datetime
from enum import StrEnum

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from parcours.cohorts.models import Cohort, Territory
from parcours.core.extensions import db
from parcours.core.time import now_utc


class EventKind(StrEnum):
    SESSION = "session"
    BILATERAL = "bilateral"
    FOLLOW_UP = "follow_up"
    FIELD_VISIT = "field_visit"
    COMMITTEE = "committee"
    ASSESSMENT = "assessment"
    OTHER = "other"


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


class Event(db.Model):
    __tablename__ = "events"
    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        CheckConstraint("kind IN ({})".format(", ".join(f"'{k}'" for k in EventKind)), name="kind"),
        CheckConstraint("status IN ('planned', 'cancelled')", name="status"),
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
    status: Mapped[str] = mapped_column(String(20), nullable=False, default="planned")
    created_at: Mapped[datetime] = mapped_column(nullable=False, default=now_utc)

    cohort: Mapped[Cohort] = relationship()
    territory: Mapped[Territory | None] = relationship()

    def __repr__(self) -> str:
        return f"<Event {self.id} {self.kind} {self.title!r}>"

    @property
    def kind_label(self):
        return KIND_LABELS[EventKind(self.kind)]
