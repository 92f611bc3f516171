"""Self-assessment campaigns and the answers given in them.

A **campaign** is one assessment moment of a cohort (T0, MID, END from the curriculum) once it
has been opened; its window is the agenda event of that moment, so the timeline and the
campaign never disagree. Before it opens, a moment has no campaign row at all.

Answers come from three **viewpoints**, kept side by side and never averaged: each
catalyseur's own (``self``), a binôme's agreed ``consensus`` for their territory, and the
coach's ``coach`` appréciation of the territory, per domain. Each answer is first a mutable
:class:`AssessmentDraft`; submitting it inserts an :class:`Assessment` with its ratings, which
are never changed or deleted afterwards (the mapper refuses, and so do database triggers, see
``immutability.py``). A coordinator reopening an answer starts a new draft; its submission is
the next revision, and every revision is kept.
"""

from datetime import date, datetime
from enum import StrEnum
from typing import ClassVar
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from parcours.accounts.models import User
from parcours.agenda.days import last_day
from parcours.agenda.models import Event
from parcours.cohorts.models import Cohort, Territory
from parcours.core.conflicts import version_column
from parcours.core.db import one_of
from parcours.core.extensions import db
from parcours.core.kept import keep_as_written
from parcours.core.time import now_utc
from parcours.curricula.models import CurriculumVersion


class Viewpoint(StrEnum):
    """Whose eyes an answer is seen through."""

    SELF = "self"
    CONSENSUS = "consensus"
    COACH = "coach"

    @property
    def label(self) -> str:
        return str(_VIEWPOINT_LABELS[self])

    @property
    def per_domain(self) -> bool:
        """The coach rates each domain; catalyseurs rate each competence."""
        return self is Viewpoint.COACH


_VIEWPOINT_LABELS = {
    Viewpoint.SELF: _l("Auto-évaluation"),
    Viewpoint.CONSENSUS: _l("Consensus du binôme"),
    Viewpoint.COACH: _l("Appréciation de l'accompagnateur"),
}


def subject_of(viewpoint: Viewpoint | str, *, territory_id: int, participant_id: int | None) -> str:
    """Name who an answer is about: a person for ``self``, a territory (per viewpoint) otherwise.

    One short key lets a plain unique constraint say « one draft and one revision number per
    subject and campaign » for the three viewpoints alike.
    """
    viewpoint = Viewpoint(viewpoint)
    if viewpoint is Viewpoint.SELF:
        if participant_id is None:
            raise ValueError("a self-assessment is about a participant")
        return f"u{participant_id}"
    # The consensus and the coach's appréciation are both about the territory: two subjects,
    # or the one-draft-per-subject key would make them one answer.
    if viewpoint is Viewpoint.COACH:
        return f"k{territory_id}"
    return f"t{territory_id}"


class AssessmentCampaign(db.Model):
    """An assessment moment of a cohort, opened: its window is its agenda event's."""

    __tablename__ = "assessment_campaigns"
    __audit_label__ = _l("campagne d'auto-évaluation")
    __table_args__ = (UniqueConstraint("cohort_id", "moment_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(
        ForeignKey("cohorts.id", ondelete="CASCADE"), nullable=False
    )
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id"), nullable=False, unique=True)
    #: The curriculum's code of the moment (T0, MID, END), which the event carries too.
    moment_code: Mapped[str] = mapped_column(String(32), nullable=False)
    opened_at: Mapped[datetime] = mapped_column(nullable=False, default=now_utc)
    #: None when the scheduler opened it on its date.
    opened_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    #: Set when a coordinator closed it before the end of its window.
    closed_at: Mapped[datetime | None] = mapped_column(nullable=True)
    closed_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    version: Mapped[int] = version_column()

    __mapper_args__: ClassVar[dict] = {"version_id_col": version}

    cohort: Mapped[Cohort] = relationship()
    event: Mapped[Event] = relationship(lazy="joined", innerjoin=True)
    opened_by: Mapped[User | None] = relationship(foreign_keys=[opened_by_id])
    closed_by: Mapped[User | None] = relationship(foreign_keys=[closed_by_id])

    def __repr__(self) -> str:
        return f"<AssessmentCampaign {self.id} cohort={self.cohort_id} {self.moment_code}>"

    @property
    def title(self) -> str:
        return self.event.title

    @property
    def closes_at(self) -> datetime:
        """When answering stops: the end of the window, or the early closure."""
        if self.closed_at is not None and self.closed_at < self.event.ends_at:
            return self.closed_at
        return self.event.ends_at

    @property
    def last_day(self) -> date:
        """The last local day one may answer (the cohort's time zone): the day before the
        window's end, or the day of an early closure."""
        zone = self.cohort.timezone
        if self.closes_at != self.event.ends_at:  # closed early: the closing day was the last
            return self.closes_at.astimezone(ZoneInfo(zone)).date()
        return last_day(self.event.ends_at, zone)

    def is_open(self, now: datetime) -> bool:
        """Tell whether participants may answer at ``now``."""
        return self.closed_at is None and now < self.event.ends_at


class MailingKind(StrEnum):
    OPENING = "opening"
    #: Three days before the last day of the window.
    BEFORE_CLOSE = "before_close"
    LAST_DAY = "last_day"
    #: A coordinator's « relancer » button, at most once per day.
    MANUAL = "manual"


class CampaignMailing(db.Model):
    """One e-mailing of a campaign (its opening, a reminder): claimed once per kind and day.

    The unique key is what makes a reminder go out exactly once, whichever of several
    scheduler processes (or a coordinator's button pressed twice) gets there first.
    """

    __tablename__ = "assessment_mailings"
    __audit_label__ = _l("envoi d'une campagne")
    __table_args__ = (
        UniqueConstraint("campaign_id", "kind", "day"),
        one_of("kind", MailingKind),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("assessment_campaigns.id", ondelete="CASCADE"), nullable=False
    )
    kind: Mapped[str] = mapped_column(String(20), nullable=False)
    #: The local day (the cohort's time zone) the mailing is for.
    day: Mapped[date] = mapped_column(nullable=False)
    sent_at: Mapped[datetime] = mapped_column(nullable=False, default=now_utc)
    sent_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    recipients: Mapped[int] = mapped_column(nullable=False, default=0)

    campaign: Mapped[AssessmentCampaign] = relationship()
    sent_by: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<CampaignMailing {self.campaign_id} {self.kind} {self.day}>"


class _Answer:
    """What a draft and a submitted answer both say about who and what they concern."""

    @property
    def viewpoint_enum(self) -> Viewpoint:
        return Viewpoint(self.viewpoint)


class AssessmentDraft(_Answer, db.Model):
    """An answer being written: changed freely until it is submitted (then it is deleted).

    ``data`` holds what the form holds: ``{"ratings": {code: {"level": int | None,
    "unknown": bool, "comment": str, "evidence": [...]}}, "comment": str, "share": bool}``; see
    ``answers.py``, the one place that reads and writes it.
    """

    __tablename__ = "assessment_drafts"
    __audit_label__ = _l("brouillon d'auto-évaluation")
    __table_args__ = (
        UniqueConstraint("campaign_id", "subject"),
        one_of("viewpoint", Viewpoint),
        CheckConstraint(
            "(viewpoint = 'self') = (participant_id IS NOT NULL)", name="participant_if_self"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("assessment_campaigns.id", ondelete="CASCADE"), nullable=False
    )
    viewpoint: Mapped[str] = mapped_column(String(20), nullable=False)
    subject: Mapped[str] = mapped_column(String(24), nullable=False)
    territory_id: Mapped[int] = mapped_column(
        ForeignKey("territories.id", ondelete="CASCADE"), nullable=False
    )
    participant_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), nullable=True
    )
    data: Mapped[dict] = mapped_column(JSON, nullable=False, default=dict)
    #: The submitted revision a coordinator reopened, which this draft will follow.
    revises_id: Mapped[int | None] = mapped_column(
        ForeignKey("assessments.id", ondelete="CASCADE"), nullable=True
    )
    reopened_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    #: A consensus: the partner who confirmed this very content (any change clears it).
    confirmed_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    created_at: Mapped[datetime] = mapped_column(nullable=False, default=now_utc)
    updated_at: Mapped[datetime] = mapped_column(nullable=False, default=now_utc)
    updated_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    version: Mapped[int] = version_column()

    __mapper_args__: ClassVar[dict] = {"version_id_col": version}

    campaign: Mapped[AssessmentCampaign] = relationship()
    territory: Mapped[Territory] = relationship()
    participant: Mapped[User | None] = relationship(foreign_keys=[participant_id])
    revises: Mapped["Assessment | None"] = relationship()
    reopened_by: Mapped[User | None] = relationship(foreign_keys=[reopened_by_id])
    confirmed_by: Mapped[User | None] = relationship(foreign_keys=[confirmed_by_id])
    updated_by: Mapped[User | None] = relationship(foreign_keys=[updated_by_id])

    def __repr__(self) -> str:
        return f"<AssessmentDraft {self.id} campaign={self.campaign_id} {self.subject}>"


class Assessment(_Answer, db.Model):
    """A submitted answer: one revision, frozen with its ratings and their evidence."""

    __tablename__ = "assessments"
    __audit_label__ = _l("auto-évaluation")
    __table_args__ = (
        UniqueConstraint("campaign_id", "subject", "revision"),
        one_of("viewpoint", Viewpoint),
        CheckConstraint("revision >= 1", name="revision_positive"),
        CheckConstraint(
            "(viewpoint = 'self') = (participant_id IS NOT NULL)", name="participant_if_self"
        ),
        Index("ix_assessments_campaign_id_viewpoint", "campaign_id", "viewpoint"),
        Index("ix_assessments_territory_id", "territory_id"),
        Index("ix_assessments_participant_id", "participant_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("assessment_campaigns.id", ondelete="CASCADE"), nullable=False
    )
    #: The version of the referential the codes of the ratings refer to.
    curriculum_version_id: Mapped[int] = mapped_column(
        ForeignKey("curriculum_versions.id"), nullable=False
    )
    viewpoint: Mapped[str] = mapped_column(String(20), nullable=False)
    subject: Mapped[str] = mapped_column(String(24), nullable=False)
    territory_id: Mapped[int] = mapped_column(
        ForeignKey("territories.id", ondelete="CASCADE"), nullable=False
    )
    participant_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), nullable=True
    )
    revision: Mapped[int] = mapped_column(nullable=False, default=1)
    comment: Mapped[str] = mapped_column(Text, nullable=False, default="")
    #: A self-assessment: whether the binôme partner may read these individual answers.
    shared_with_partner: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    submitted_at: Mapped[datetime] = mapped_column(nullable=False, default=now_utc)
    submitted_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    #: A consensus: the partner who confirmed first (``submitted_by`` confirmed second).
    confirmed_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    #: From revision 2 on: the coordinator who reopened the previous one.
    reopened_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )

    campaign: Mapped[AssessmentCampaign] = relationship()
    curriculum_version: Mapped[CurriculumVersion] = relationship()
    territory: Mapped[Territory] = relationship()
    participant: Mapped[User | None] = relationship(foreign_keys=[participant_id])
    submitted_by: Mapped[User | None] = relationship(foreign_keys=[submitted_by_id])
    confirmed_by: Mapped[User | None] = relationship(foreign_keys=[confirmed_by_id])
    reopened_by: Mapped[User | None] = relationship(foreign_keys=[reopened_by_id])
    ratings: Mapped[list["AssessmentRating"]] = relationship(
        back_populates="assessment", order_by="AssessmentRating.id"
    )

    def __repr__(self) -> str:
        return f"<Assessment {self.id} campaign={self.campaign_id} {self.subject} r{self.revision}>"


class AssessmentRating(db.Model):
    """One level given in a submitted answer: a competence (``self``, ``consensus``) or a
    domain (``coach``). ``level`` is None for « je ne sais pas »."""

    __tablename__ = "assessment_ratings"
    __audit_label__ = _l("niveau d'une compétence")
    __table_args__ = (
        UniqueConstraint("assessment_id", "code"),
        # Within any scale a curriculum may define (0–10); the version's own scale is checked
        # when the answer is submitted.
        CheckConstraint("level IS NULL OR (level >= 0 AND level <= 10)", name="level_in_scale"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("assessments.id", ondelete="CASCADE"), nullable=False
    )
    code: Mapped[str] = mapped_column(String(32), nullable=False)
    level: Mapped[int | None] = mapped_column(nullable=True)
    comment: Mapped[str] = mapped_column(Text, nullable=False, default="")

    assessment: Mapped[Assessment] = relationship(back_populates="ratings")
    evidence: Mapped[list["AssessmentEvidence"]] = relationship(
        back_populates="rating", order_by="AssessmentEvidence.id"
    )

    def __repr__(self) -> str:
        return f"<AssessmentRating {self.assessment_id} {self.code}={self.level}>"


class AssessmentEvidence(db.Model):
    """What a participant points to in support of a rating: a journal entry, a field-visit
    report or a link. Its title is kept as it read at submission."""

    __tablename__ = "assessment_evidence"
    __audit_label__ = _l("preuve d'une compétence")
    __table_args__ = (
        CheckConstraint(
            "(CASE WHEN journal_entry_id IS NULL THEN 0 ELSE 1 END"
            " + CASE WHEN visit_report_id IS NULL THEN 0 ELSE 1 END"
            " + CASE WHEN url = '' THEN 0 ELSE 1 END) = 1",
            name="exactly_one_source",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    rating_id: Mapped[int] = mapped_column(
        ForeignKey("assessment_ratings.id", ondelete="CASCADE"), nullable=False, index=True
    )
    journal_entry_id: Mapped[int | None] = mapped_column(
        ForeignKey("journal_entries.id"), nullable=True
    )
    visit_report_id: Mapped[int | None] = mapped_column(
        ForeignKey("field_visit_reports.id"), nullable=True
    )
    url: Mapped[str] = mapped_column(String(1000), nullable=False, default="")
    title: Mapped[str] = mapped_column(String(300), nullable=False)

    rating: Mapped[AssessmentRating] = relationship(back_populates="evidence")

    def __repr__(self) -> str:
        return f"<AssessmentEvidence {self.id} rating={self.rating_id}>"

    @property
    def kind(self) -> str:
        if self.journal_entry_id is not None:
            return "journal"
        if self.visit_report_id is not None:
            return "visit"
        return "link"


#: The tables whose rows are never changed nor deleted once written.
KEPT_TABLES = ("assessments", "assessment_ratings", "assessment_evidence")

for _model in (Assessment, AssessmentRating, AssessmentEvidence):
    keep_as_written(_model)
