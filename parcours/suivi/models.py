"""Suivi: follow-up records, field-visit reports, the binôme's carnet de bord, dynamics.

Who may read what is decided in ``permissions.py`` only; these models say what each piece
of text is (its visibility), never who the reader is.
"""

from datetime import date, datetime
from enum import StrEnum
from typing import ClassVar

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from parcours.accounts.models import User
from parcours.agenda.models import Event, EventKind
from parcours.cohorts.models import Territory
from parcours.core.conflicts import version_column
from parcours.core.db import one_of
from parcours.core.extensions import db
from parcours.core.time import now_utc
from parcours.curricula.models import CurriculumVersion
from parcours.storage.models import StoredFile


class Visibility(StrEnum):
    """Who reads a block of a follow-up record."""

    TEAM = "team"  # accompagnement uniquement: the coach and those who run the cohort
    SHARED = "shared"  # partagé avec le binôme: and the territory's catalyseurs


VISIBILITY_LABELS = {
    Visibility.TEAM: _l("Accompagnement uniquement"),
    Visibility.SHARED: _l("Partagé avec le binôme"),
}

#: Said on screen beside every block, so that nobody writes for the wrong readers.
VISIBILITY_READERS = {
    Visibility.TEAM: _l("Lu par l'accompagnateur·rice et la coordination, jamais par le binôme."),
    Visibility.SHARED: _l("Lu par le binôme, l'accompagnateur·rice et la coordination."),
}


class MeetingMode(StrEnum):
    ONSITE = "onsite"
    VIDEO = "video"
    PHONE = "phone"


MODE_LABELS = {
    MeetingMode.ONSITE: _l("Présentiel"),
    MeetingMode.VIDEO: _l("Visio"),
    MeetingMode.PHONE: _l("Téléphone"),
}


class JournalVisibility(StrEnum):
    """Who reads an entry of the carnet de bord."""

    BINOME = "binome"  # notre binôme
    COACH = "coach"  # notre binôme et notre accompagnateur·rice
    COHORT = "cohort"  # toute la cohorte: a « belle histoire »


JOURNAL_VISIBILITY_LABELS = {
    JournalVisibility.BINOME: _l("Notre binôme"),
    JournalVisibility.COACH: _l("Notre binôme et notre accompagnateur·rice"),
    JournalVisibility.COHORT: _l("Toute la cohorte (belle histoire)"),
}


class DynamicsMoment(StrEnum):
    LAUNCH = "launch"
    MIDWAY = "midway"
    END = "end"


DYNAMICS_MOMENT_LABELS = {
    DynamicsMoment.LAUNCH: _l("Lancement"),
    DynamicsMoment.MIDWAY: _l("Mi-parcours"),
    DynamicsMoment.END: _l("Fin de parcours"),
}


class TagKind(StrEnum):
    THEMATIC = "thematic"
    COMPETENCE = "competence"


class SoftDeleted:
    """Deleting keeps the row, hidden, so that a coordinator can restore it."""

    deleted_at: Mapped[datetime | None] = mapped_column(nullable=True)
    deleted_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None


#: The meetings a follow-up record is written for (a field visit has its report instead).
RECORDED_KINDS = (EventKind.FOLLOW_UP, EventKind.BILATERAL)


class FollowUpRecord(SoftDeleted, db.Model):
    """The compte rendu of a follow-up or bilatérale meeting with one territory."""

    __tablename__ = "follow_up_records"
    __audit_label__ = _l("compte rendu de suivi")
    __table_args__ = (
        one_of("mode", MeetingMode),
        one_of("agenda_visibility", Visibility),
        one_of("notes_visibility", Visibility),
        one_of("decisions_visibility", Visibility),
        # One record per meeting: a second one would split what was said in two.
        UniqueConstraint("event_id"),
        Index("ix_follow_up_records_territory_id_held_on", "territory_id", "held_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    territory_id: Mapped[int] = mapped_column(
        ForeignKey("territories.id", ondelete="CASCADE"), nullable=False
    )
    #: The follow-up or bilatérale event; empty for an unplanned call.
    event_id: Mapped[int | None] = mapped_column(
        ForeignKey("events.id", ondelete="SET NULL"), nullable=True
    )
    #: The local day the meeting took place.
    held_on: Mapped[date] = mapped_column(nullable=False)
    mode: Mapped[str] = mapped_column(String(20), nullable=False, default=MeetingMode.VIDEO)
    #: Who took part among the territory's catalyseurs and its coach (user ids).
    participant_ids: Mapped[list] = mapped_column(JSON, nullable=False, default=list)
    other_participants: Mapped[str] = mapped_column(Text, nullable=False, default="")
    # Each block of text says who reads it (Markdown, rendered by core.markdown).
    agenda: Mapped[str] = mapped_column(Text, nullable=False, default="")
    agenda_visibility: Mapped[str] = mapped_column(
        String(10), nullable=False, default=Visibility.SHARED
    )
    notes: Mapped[str] = mapped_column(Text, nullable=False, default="")
    notes_visibility: Mapped[str] = mapped_column(
        String(10), nullable=False, default=Visibility.SHARED
    )
    decisions: Mapped[str] = mapped_column(Text, nullable=False, default="")
    decisions_visibility: Mapped[str] = mapped_column(
        String(10), nullable=False, default=Visibility.SHARED
    )
    #: Always « accompagnement uniquement »: the coach's own reading of the meeting.
    team_notes: Mapped[str] = mapped_column(Text, nullable=False, default="")
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    created_at: Mapped[datetime] = mapped_column(nullable=False, default=now_utc)
    updated_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    updated_at: Mapped[datetime] = mapped_column(nullable=False, default=now_utc)
    #: The next follow-up agreed in this meeting (« prochain rendez-vous »), if any.
    next_event_id: Mapped[int | None] = mapped_column(
        ForeignKey("events.id", ondelete="SET NULL"), nullable=True
    )
    version: Mapped[int] = version_column()

    __mapper_args__: ClassVar[dict] = {"version_id_col": version}

    territory: Mapped[Territory] = relationship()
    event: Mapped[Event | None] = relationship(foreign_keys=[event_id])
    next_event: Mapped[Event | None] = relationship(foreign_keys=[next_event_id])
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    updated_by: Mapped[User | None] = relationship(foreign_keys=[updated_by_id])
    action_items: Mapped[list["ActionItem"]] = relationship(
        back_populates="record", order_by="ActionItem.id"
    )

    def __repr__(self) -> str:
        return f"<FollowUpRecord {self.id} territory={self.territory_id} {self.held_on}>"

    def blocks(self, *, team: bool) -> list[tuple[str, str, Visibility]]:
        """Return the (name, text, visibility) blocks a reader sees; ``team`` for the coach's side.

        The one place that drops « accompagnement uniquement » text for the binôme: pages,
        e-mails and exports all read the record through it.
        """
        found = [
            ("agenda", self.agenda, Visibility(self.agenda_visibility)),
            ("notes", self.notes, Visibility(self.notes_visibility)),
            ("decisions", self.decisions, Visibility(self.decisions_visibility)),
            ("team_notes", self.team_notes, Visibility.TEAM),
        ]
        return [block for block in found if team or block[2] is Visibility.SHARED]


class FieldVisitReport(SoftDeleted, db.Model):
    """The compte rendu of a field visit: whom it met, what it saw, what to do next.

    Read by the territory's binôme, its coach and those who run the cohort.
    """

    __tablename__ = "field_visit_reports"
    __audit_label__ = _l("compte rendu de visite")
    __table_args__ = (UniqueConstraint("event_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    territory_id: Mapped[int] = mapped_column(
        ForeignKey("territories.id", ondelete="CASCADE"), nullable=False, index=True
    )
    event_id: Mapped[int | None] = mapped_column(
        ForeignKey("events.id", ondelete="SET NULL"), nullable=True
    )
    visited_on: Mapped[date] = mapped_column(nullable=False)
    places: Mapped[str] = mapped_column(Text, nullable=False, default="")
    observed: Mapped[str] = mapped_column(Text, nullable=False, default="")
    what_works: Mapped[str] = mapped_column(Text, nullable=False, default="")
    difficulties: Mapped[str] = mapped_column(Text, nullable=False, default="")
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    created_at: Mapped[datetime] = mapped_column(nullable=False, default=now_utc)
    updated_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    updated_at: Mapped[datetime] = mapped_column(nullable=False, default=now_utc)
    version: Mapped[int] = version_column()

    __mapper_args__: ClassVar[dict] = {"version_id_col": version}

    territory: Mapped[Territory] = relationship()
    event: Mapped[Event | None] = relationship()
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    stakeholders: Mapped[list["StakeholderMet"]] = relationship(
        back_populates="report", order_by="StakeholderMet.id", cascade="all, delete-orphan"
    )
    action_items: Mapped[list["ActionItem"]] = relationship(
        back_populates="visit_report", order_by="ActionItem.id"
    )

    def __repr__(self) -> str:
        return f"<FieldVisitReport {self.id} territory={self.territory_id} {self.visited_on}>"


class StakeholderMet(db.Model):
    """A person met during a field visit, by type of partie prenante (curriculum code)."""

    __tablename__ = "field_visit_stakeholders"
    __audit_label__ = _l("acteur rencontré")

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(
        ForeignKey("field_visit_reports.id", ondelete="CASCADE"), nullable=False, index=True
    )
    kind: Mapped[str] = mapped_column(String(32), nullable=False)
    name: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    organisation: Mapped[str] = mapped_column(String(200), nullable=False, default="")

    report: Mapped[FieldVisitReport] = relationship(back_populates="stakeholders")

    def __repr__(self) -> str:
        return f"<StakeholderMet {self.id} {self.kind} {self.name!r}>"


class ActionItem(db.Model):
    """Something to do after a meeting or a visit: what, who, by when, done or not.

    Action items are read by everyone who reads their territory's suivi: the binôme ticks its
    own, so none is « accompagnement uniquement ».
    """

    __tablename__ = "action_items"
    __audit_label__ = _l("action")
    __table_args__ = (
        CheckConstraint(
            "(record_id IS NULL) OR (visit_report_id IS NULL)", name="one_source_at_most"
        ),
        Index("ix_action_items_owner_id_done_at", "owner_id", "done_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    territory_id: Mapped[int] = mapped_column(
        ForeignKey("territories.id", ondelete="CASCADE"), nullable=False, index=True
    )
    record_id: Mapped[int | None] = mapped_column(
        ForeignKey("follow_up_records.id", ondelete="CASCADE"), nullable=True, index=True
    )
    visit_report_id: Mapped[int | None] = mapped_column(
        ForeignKey("field_visit_reports.id", ondelete="CASCADE"), nullable=True, index=True
    )
    title: Mapped[str] = mapped_column(String(500), nullable=False)
    #: A catalyseur of the territory or its coach.
    owner_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    due_on: Mapped[date | None] = mapped_column(nullable=True)
    done_at: Mapped[datetime | None] = mapped_column(nullable=True)
    done_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    #: When the owner was told of it by e-mail (the outbox message is queued once).
    owner_notified_at: Mapped[datetime | None] = mapped_column(nullable=True)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    created_at: Mapped[datetime] = mapped_column(nullable=False, default=now_utc)
    version: Mapped[int] = version_column()

    __mapper_args__: ClassVar[dict] = {"version_id_col": version}

    territory: Mapped[Territory] = relationship()
    record: Mapped[FollowUpRecord | None] = relationship(back_populates="action_items")
    visit_report: Mapped[FieldVisitReport | None] = relationship(back_populates="action_items")
    owner: Mapped[User | None] = relationship(foreign_keys=[owner_id])
    done_by: Mapped[User | None] = relationship(foreign_keys=[done_by_id])

    def __repr__(self) -> str:
        return f"<ActionItem {self.id} {self.title!r}>"

    @property
    def is_done(self) -> bool:
        return self.done_at is not None

    def is_overdue(self, today: date) -> bool:
        """Tell whether the item is late on ``today`` (the reader's local day)."""
        return not self.is_done and self.due_on is not None and self.due_on < today


class JournalEntry(SoftDeleted, db.Model):
    """An entry of a binôme's carnet de bord (« se conter »)."""

    __tablename__ = "journal_entries"
    __audit_label__ = _l("entrée du carnet de bord")
    __table_args__ = (
        one_of("visibility", JournalVisibility),
        Index("ix_journal_entries_territory_id_written_on", "territory_id", "written_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    territory_id: Mapped[int] = mapped_column(
        ForeignKey("territories.id", ondelete="CASCADE"), nullable=False
    )
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    written_on: Mapped[date] = mapped_column(nullable=False)
    title: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    what_we_did: Mapped[str] = mapped_column(Text, nullable=False, default="")
    what_we_learned: Mapped[str] = mapped_column(Text, nullable=False, default="")
    what_we_try_next: Mapped[str] = mapped_column(Text, nullable=False, default="")
    visibility: Mapped[str] = mapped_column(
        String(10), nullable=False, default=JournalVisibility.COACH
    )
    #: When the binôme last made it a « belle histoire » (the consent to the cohort reading it);
    #: kept after it stops being one.
    shared_at: Mapped[datetime | None] = mapped_column(nullable=True)
    #: When its author withdrew that consent from « Mes données » (it went back to the binôme
    #: and its coach); cleared if the binôme shares it again.
    consent_withdrawn_at: Mapped[datetime | None] = mapped_column(nullable=True)
    created_at: Mapped[datetime] = mapped_column(nullable=False, default=now_utc)
    updated_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    updated_at: Mapped[datetime] = mapped_column(nullable=False, default=now_utc)
    version: Mapped[int] = version_column()

    __mapper_args__: ClassVar[dict] = {"version_id_col": version}

    territory: Mapped[Territory] = relationship()
    author: Mapped[User | None] = relationship(foreign_keys=[author_id])

    @property
    def is_belle_histoire(self) -> bool:
        """Tell whether the cohort reads it now (its binôme's consent stands)."""
        return self.visibility == JournalVisibility.COHORT

    def __repr__(self) -> str:
        return f"<JournalEntry {self.id} territory={self.territory_id} {self.written_on}>"


class Tag(db.Model):
    """A thematic or a competence of the curriculum that a journal entry or visit report names.

    Competences are named by code *and* curriculum version, so that a self-assessment can
    offer as evidence the entries tagged with the very competence it asks about.
    """

    __tablename__ = "suivi_tags"
    __audit_label__ = _l("étiquette")
    __table_args__ = (
        one_of("kind", TagKind),
        CheckConstraint(
            "(journal_entry_id IS NULL) <> (visit_report_id IS NULL)", name="exactly_one_source"
        ),
        UniqueConstraint("journal_entry_id", "visit_report_id", "kind", "code"),
        Index(
            "ix_suivi_tags_curriculum_version_id_kind_code", "curriculum_version_id", "kind", "code"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    curriculum_version_id: Mapped[int] = mapped_column(
        ForeignKey("curriculum_versions.id"), nullable=False
    )
    kind: Mapped[str] = mapped_column(String(20), nullable=False)
    code: Mapped[str] = mapped_column(String(32), nullable=False)
    journal_entry_id: Mapped[int | None] = mapped_column(
        ForeignKey("journal_entries.id", ondelete="CASCADE"), nullable=True, index=True
    )
    visit_report_id: Mapped[int | None] = mapped_column(
        ForeignKey("field_visit_reports.id", ondelete="CASCADE"), nullable=True, index=True
    )

    curriculum_version: Mapped[CurriculumVersion] = relationship()

    def __repr__(self) -> str:
        return f"<Tag {self.kind} {self.code}>"


class Attachment(db.Model):
    """A stored file attached to a follow-up record, a visit report or a journal entry.

    Read by exactly those who read what it is attached to.
    """

    __tablename__ = "suivi_attachments"
    __audit_label__ = _l("pièce jointe")
    __table_args__ = (
        CheckConstraint(
            "(CASE WHEN record_id IS NULL THEN 0 ELSE 1 END"
            " + CASE WHEN visit_report_id IS NULL THEN 0 ELSE 1 END"
            " + CASE WHEN journal_entry_id IS NULL THEN 0 ELSE 1 END) = 1",
            name="exactly_one_owner",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    file_id: Mapped[int] = mapped_column(ForeignKey("stored_files.id"), nullable=False)
    record_id: Mapped[int | None] = mapped_column(
        ForeignKey("follow_up_records.id", ondelete="CASCADE"), nullable=True, index=True
    )
    visit_report_id: Mapped[int | None] = mapped_column(
        ForeignKey("field_visit_reports.id", ondelete="CASCADE"), nullable=True, index=True
    )
    journal_entry_id: Mapped[int | None] = mapped_column(
        ForeignKey("journal_entries.id", ondelete="CASCADE"), nullable=True, index=True
    )
    added_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    added_at: Mapped[datetime] = mapped_column(nullable=False, default=now_utc)
    removed_at: Mapped[datetime | None] = mapped_column(nullable=True)
    removed_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )

    file: Mapped[StoredFile] = relationship()
    added_by: Mapped[User | None] = relationship(foreign_keys=[added_by_id])

    def __repr__(self) -> str:
        return f"<Attachment {self.id} file={self.file_id}>"


class DynamicsSnapshot(db.Model):
    """The territorial dynamics as recorded on one day: kept, never overwritten.

    Codes refer to the lists of the cohort's curriculum version (``[dynamics]``), whose
    maturity scale gives ``maturity`` its meaning.
    """

    __tablename__ = "territorial_dynamics"
    __audit_label__ = _l("relevé de dynamique")
    __table_args__ = (
        one_of("moment", DynamicsMoment),
        CheckConstraint("maturity >= 0", name="maturity_not_negative"),
        Index("ix_territorial_dynamics_territory_id_recorded_at", "territory_id", "recorded_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    territory_id: Mapped[int] = mapped_column(
        ForeignKey("territories.id", ondelete="CASCADE"), nullable=False
    )
    curriculum_version_id: Mapped[int] = mapped_column(
        ForeignKey("curriculum_versions.id"), nullable=False
    )
    moment: Mapped[str] = mapped_column(String(10), nullable=False)
    recorded_on: Mapped[date] = mapped_column(nullable=False)
    recorded_at: Mapped[datetime] = mapped_column(nullable=False, default=now_utc)
    recorded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    maturity: Mapped[int] = mapped_column(nullable=False)
    forms: Mapped[list] = mapped_column(JSON, nullable=False, default=list)
    fragilities: Mapped[list] = mapped_column(JSON, nullable=False, default=list)
    partnerships: Mapped[list] = mapped_column(JSON, nullable=False, default=list)
    comment: Mapped[str] = mapped_column(Text, nullable=False, default="")

    territory: Mapped[Territory] = relationship()
    recorded_by: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<DynamicsSnapshot {self.id} territory={self.territory_id} {self.moment}>"


class FormDraft(db.Model):
    """What someone typed in a suivi form that could not be saved: posted after the idle timeout.

    Long notes do not fit in a cookie, so the text waits here, for the person the form was
    rendered for (a signed token in the form says who), until they log in again and see it.
    """

    __tablename__ = "suivi_drafts"
    __audit_label__ = _l("brouillon")
    __table_args__ = (UniqueConstraint("user_id", "form_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), nullable=False)
    #: Which form, for which object: "record:new:12", "journal:34"…
    form_key: Mapped[str] = mapped_column(String(100), nullable=False)
    data: Mapped[dict] = mapped_column(JSON, nullable=False, default=dict)
    saved_at: Mapped[datetime] = mapped_column(nullable=False, default=now_utc)

    def __repr__(self) -> str:
        return f"<FormDraft {self.id} {self.form_key}>"
