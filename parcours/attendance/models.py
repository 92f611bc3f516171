"""Attendance records per half-day, and the check-in codes shown in the room."""

from datetime import date, datetime
from enum import StrEnum
from typing import ClassVar

from flask_babel import lazy_gettext as _l
from sqlalchemy import Boolean, CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from parcours.accounts.models import User
from parcours.agenda.models import Event
from parcours.core.conflicts import version_column
from parcours.core.db import one_of
from parcours.core.extensions import db
from parcours.core.time import now_utc
from parcours.storage.models import StoredFile


class HalfDay(StrEnum):
    MORNING = "am"
    AFTERNOON = "pm"
    EVENING = "ev"


HALF_DAY_LABELS = {
    HalfDay.MORNING: _l("Matin"),
    HalfDay.AFTERNOON: _l("Après-midi"),
    HalfDay.EVENING: _l("Soir"),
}


class AttendanceStatus(StrEnum):
    PRESENT = "present"
    LATE = "late"
    EXCUSED = "excused"
    ABSENT = "absent"


STATUS_LABELS = {
    AttendanceStatus.PRESENT: _l("Présent·e"),
    AttendanceStatus.LATE: _l("En retard"),
    AttendanceStatus.EXCUSED: _l("Excusé·e"),
    AttendanceStatus.ABSENT: _l("Absent·e"),
}

#: Statuses that count as having attended.
ATTENDED = (AttendanceStatus.PRESENT, AttendanceStatus.LATE)


class Attendance(db.Model):
    """One person's presence at one half-day of an event."""

    __tablename__ = "attendances"
    __audit_label__ = _l("présence")
    __table_args__ = (
        UniqueConstraint("event_id", "user_id", "day", "half"),
        one_of("half", HalfDay),
        one_of("status", AttendanceStatus),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(
        ForeignKey("events.id", ondelete="CASCADE"), nullable=False, index=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True
    )
    day: Mapped[date] = mapped_column(nullable=False)
    half: Mapped[str] = mapped_column(String(2), nullable=False)
    status: Mapped[str] = mapped_column(String(10), nullable=False)
    comment: Mapped[str] = mapped_column(Text, nullable=False, default="")
    self_checked_in: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    recorded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    recorded_at: Mapped[datetime] = mapped_column(nullable=False, default=now_utc)
    # Two sheets saved at the same moment: the second one's UPDATE finds no row of the
    # version it read, instead of overwriting the first (core/conflicts.py).
    version: Mapped[int] = version_column()

    event: Mapped[Event] = relationship()
    recorded_by: Mapped[User | None] = relationship(foreign_keys=[recorded_by_id])

    __mapper_args__: ClassVar[dict] = {"version_id_col": version}
    user: Mapped[User] = relationship(foreign_keys=[user_id])

    def __repr__(self) -> str:
        return f"<Attendance {self.user_id} {self.day} {self.half} {self.status}>"

    @property
    def status_label(self):
        return STATUS_LABELS[AttendanceStatus(self.status)]


class CheckInCode(db.Model):
    """The short code shown in the room for one half-day; it only works during that half-day."""

    __tablename__ = "check_in_codes"
    __audit_label__ = _l("code de présence")
    __table_args__ = (
        UniqueConstraint("event_id", "day", "half"),
        one_of("half", HalfDay),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(
        ForeignKey("events.id", ondelete="CASCADE"), nullable=False, index=True
    )
    day: Mapped[date] = mapped_column(nullable=False)
    half: Mapped[str] = mapped_column(String(2), nullable=False)
    code: Mapped[str] = mapped_column(String(12), nullable=False)
    created_at: Mapped[datetime] = mapped_column(nullable=False, default=now_utc)

    def __repr__(self) -> str:
        return f"<CheckInCode {self.event_id} {self.day} {self.half}>"


class SignedSheet(db.Model):
    """A scan of the signed feuille d'émargement of an event, attached after it took place.

    Funders audit these: a removal keeps the row, and says who removed it and when. An event
    may have several (one per half-day, or per page).
    """

    __tablename__ = "signed_sheets"
    __audit_label__ = _l("feuille d'émargement signée")
    __table_args__ = (
        # Who removed it may be erased later (SET NULL); a remover without a time, never.
        CheckConstraint(
            "removed_by_id IS NULL OR removed_at IS NOT NULL", name="removal_has_a_time"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(
        ForeignKey("events.id", ondelete="CASCADE"), nullable=False, index=True
    )
    #: The scan itself; a stored file that is a proof is never deleted from under it.
    file_id: Mapped[int] = mapped_column(ForeignKey("stored_files.id"), nullable=False, unique=True)
    attached_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    attached_at: Mapped[datetime] = mapped_column(nullable=False, default=now_utc)
    removed_at: Mapped[datetime | None] = mapped_column(nullable=True)
    removed_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    # Two removals at once: the second finds the row changed, instead of rewriting who removed.
    version: Mapped[int] = version_column()

    event: Mapped[Event] = relationship()
    file: Mapped[StoredFile] = relationship()
    attached_by: Mapped[User | None] = relationship(foreign_keys=[attached_by_id])
    removed_by: Mapped[User | None] = relationship(foreign_keys=[removed_by_id])

    __mapper_args__: ClassVar[dict] = {"version_id_col": version}

    def __repr__(self) -> str:
        state = " removed" if self.removed_at is not None else ""
        return f"<SignedSheet {self.id} event {self.event_id} file {self.file_id}{state}>"

    @property
    def removed(self) -> bool:
        return self.removed_at is not None
