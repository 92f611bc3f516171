"""Surveys, the Comité d'orientation's report packs, and end-of-programme attestations.

A **survey** is one of the curriculum's survey templates run for a cohort: the « à chaud »
one once per collective session (its row names the session's event), the final evaluation
once. Its questions are copied from the template when the survey is prepared or opened, so
that a later version of the curriculum never changes what was asked; a coordinator may add
questions of the cohort's own before it opens.

**Anonymous** surveys keep answers with no link to their author: a :class:`SurveyResponse`
then has no respondent and no time, and the separate :class:`SurveyInvitation` says only
« has answered », for reminders. Invitations are all written when the survey opens, so the
order of rows cannot tell who answered when either.

A **pack** is one generated version of a committee meeting's report: the PDF bytes, a
pseudonymised PDF, the data both were drawn from (JSON), the application version and the
SHA-256 of each file, frozen (kept as written, like submitted self-assessments). Regenerating
adds the next version. An **attestation** de fin de parcours is frozen the same way; its
token makes the public verification link.
"""

from datetime import datetime
from enum import StrEnum
from typing import ClassVar

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from parcours.accounts.models import User
from parcours.agenda.models import AgendaItem, Event
from parcours.cohorts.models import Cohort, Territory
from parcours.core.conflicts import version_column
from parcours.core.db import one_of
from parcours.core.extensions import db
from parcours.core.kept import keep_as_written
from parcours.core.time import now_utc
from parcours.curricula.models import CurriculumVersion
from parcours.curricula.schema import PackKind, QuestionKind, SurveyKind

#: Below this many answers, an anonymous survey's figures are hidden (they could re-identify).
MIN_ANONYMOUS_ANSWERS = 5


class Consent(StrEnum):
    """What the author of a testimony allows."""

    NAMED = "named"
    ANONYMOUS = "anonymous"
    REFUSED = "refused"

    @property
    def label(self) -> str:
        return str(_CONSENT_LABELS[self])

    @property
    def publishable(self) -> bool:
        return self is not Consent.REFUSED


_CONSENT_LABELS = {
    Consent.NAMED: _l("Publiable sous mon nom"),
    Consent.ANONYMOUS: _l("Publiable de façon anonyme"),
    Consent.REFUSED: _l("Ne pas publier"),
}


class Survey(db.Model):
    """A survey template run for a cohort (for one collective session, or the final one)."""

    __tablename__ = "surveys"
    __audit_label__ = _l("questionnaire")
    __table_args__ = (
        UniqueConstraint("cohort_id", "key"),
        one_of("kind", SurveyKind),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(
        ForeignKey("cohorts.id", ondelete="CASCADE"), nullable=False
    )
    #: Which template of the curriculum, in which version, the questions were copied from.
    template_code: Mapped[str] = mapped_column(String(32), nullable=False)
    curriculum_version_id: Mapped[int] = mapped_column(
        ForeignKey("curriculum_versions.id"), nullable=False
    )
    kind: Mapped[str] = mapped_column(String(10), nullable=False)
    #: One survey per template and session: "A_CHAUD@<event id>", or the template's code.
    key: Mapped[str] = mapped_column(String(80), nullable=False)
    #: The collective session an « à chaud » survey is about.
    event_id: Mapped[int | None] = mapped_column(
        ForeignKey("events.id", ondelete="CASCADE"), nullable=True
    )
    title: Mapped[str] = mapped_column(String(300), nullable=False)
    introduction: Mapped[str] = mapped_column(Text, nullable=False, default="")
    anonymous: Mapped[bool] = mapped_column(Boolean, nullable=False)
    #: None until the survey opens (the scheduler, or a coordinator earlier).
    opened_at: Mapped[datetime | None] = mapped_column(nullable=True)
    opened_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    #: Set on opening: the end of the answering window, and when the one reminder goes out.
    closes_at: Mapped[datetime | None] = mapped_column(nullable=True)
    remind_at: Mapped[datetime | None] = mapped_column(nullable=True)
    #: A coordinator closing the survey before the end of its window.
    closed_at: Mapped[datetime | None] = mapped_column(nullable=True)
    created_at: Mapped[datetime] = mapped_column(nullable=False, default=now_utc)
    version: Mapped[int] = version_column()

    __mapper_args__: ClassVar[dict] = {"version_id_col": version}

    cohort: Mapped[Cohort] = relationship()
    curriculum_version: Mapped[CurriculumVersion] = relationship()
    event: Mapped[Event | None] = relationship()
    opened_by: Mapped[User | None] = relationship()
    questions: Mapped[list["SurveyQuestion"]] = relationship(
        back_populates="survey", order_by="SurveyQuestion.position", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<Survey {self.id} cohort={self.cohort_id} {self.key}>"

    @property
    def kind_enum(self) -> SurveyKind:
        return SurveyKind(self.kind)

    def is_open(self, now: datetime) -> bool:
        """Tell whether participants may answer at ``now``."""
        return self.opened_at is not None and self.closed_at is None and now < self.closes_at

    def is_prepared(self) -> bool:
        """Tell whether it has not opened yet (a coordinator may still add questions)."""
        return self.opened_at is None

    @property
    def keeps_drafts(self) -> bool:
        """Whether answers may wait as a draft: never when anonymous (a draft has an author)."""
        return not self.anonymous


class SurveyQuestion(db.Model):
    """One question of a survey, copied from its template or added by a coordinator."""

    __tablename__ = "survey_questions"
    __audit_label__ = _l("question de questionnaire")
    __table_args__ = (
        UniqueConstraint("survey_id", "code"),
        one_of("kind", QuestionKind),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(
        ForeignKey("surveys.id", ondelete="CASCADE"), nullable=False
    )
    position: Mapped[int] = mapped_column(nullable=False)
    #: The template's code; "UTILITE.12" for the copy about agenda item 12; "C1"… for added ones.
    code: Mapped[str] = mapped_column(String(64), nullable=False)
    kind: Mapped[str] = mapped_column(String(12), nullable=False)
    text: Mapped[str] = mapped_column(String(500), nullable=False)
    help: Mapped[str] = mapped_column(String(500), nullable=False, default="")
    theme: Mapped[str] = mapped_column(String(300), nullable=False, default="")
    #: A scale's labels, lowest first (answers are 1…n).
    labels: Mapped[list] = mapped_column(JSON, nullable=False, default=list)
    #: A choice's options: [{"code": …, "label": …}].
    choices: Mapped[list] = mapped_column(JSON, nullable=False, default=list)
    allow_decline: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    required: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    #: The agenda item a per-item question is about.
    agenda_item_id: Mapped[int | None] = mapped_column(
        ForeignKey("agenda_items.id", ondelete="SET NULL"), nullable=True
    )
    #: Who added it to this cohort's survey; None for the template's questions.
    added_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )

    survey: Mapped[Survey] = relationship(back_populates="questions")
    agenda_item: Mapped[AgendaItem | None] = relationship()
    added_by: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<SurveyQuestion {self.id} {self.code}>"

    @property
    def kind_enum(self) -> QuestionKind:
        return QuestionKind(self.kind)


class SurveyInvitation(db.Model):
    """Who is asked to answer, and whether they have: all that links a person to a survey."""

    __tablename__ = "survey_invitations"
    __audit_label__ = _l("invitation à un questionnaire")
    __table_args__ = (UniqueConstraint("survey_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(
        ForeignKey("surveys.id", ondelete="CASCADE"), nullable=False
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), nullable=False)
    # No time: with one, an anonymous answer could be matched to its author by its moment.
    answered: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    version: Mapped[int] = version_column()

    __mapper_args__: ClassVar[dict] = {"version_id_col": version}

    survey: Mapped[Survey] = relationship()
    user: Mapped[User] = relationship()

    def __repr__(self) -> str:
        return f"<SurveyInvitation {self.survey_id} user={self.user_id} {self.answered}>"


class SurveyResponse(db.Model):
    """One person's answers to a survey; anonymous ones say nothing of who or when."""

    __tablename__ = "survey_responses"
    __audit_label__ = _l("réponse à un questionnaire")
    __table_args__ = (UniqueConstraint("survey_id", "respondent_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(
        ForeignKey("surveys.id", ondelete="CASCADE"), nullable=False
    )
    #: None in an anonymous survey (several NULLs never collide in the unique key).
    respondent_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    territory_id: Mapped[int | None] = mapped_column(
        ForeignKey("territories.id", ondelete="SET NULL"), nullable=True
    )
    submitted_at: Mapped[datetime | None] = mapped_column(nullable=True)

    survey: Mapped[Survey] = relationship()
    respondent: Mapped[User | None] = relationship()
    territory: Mapped[Territory | None] = relationship()
    answers: Mapped[list["SurveyAnswer"]] = relationship(
        back_populates="response", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<SurveyResponse {self.id} survey={self.survey_id}>"


class SurveyAnswer(db.Model):
    """The answer to one question: a scale point, choices, a text, or « je ne souhaite pas »."""

    __tablename__ = "survey_answers"
    __audit_label__ = _l("réponse à une question")
    __table_args__ = (
        UniqueConstraint("response_id", "question_id"),
        one_of("consent", Consent),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(
        ForeignKey("survey_responses.id", ondelete="CASCADE"), nullable=False
    )
    question_id: Mapped[int] = mapped_column(
        ForeignKey("survey_questions.id", ondelete="CASCADE"), nullable=False, index=True
    )
    declined: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    #: A scale's point, 1…n.
    number: Mapped[int | None] = mapped_column(nullable=True)
    #: The codes chosen (one for a single choice).
    choices: Mapped[list] = mapped_column(JSON, nullable=False, default=list)
    text: Mapped[str] = mapped_column(Text, nullable=False, default="")
    #: A testimony's consent to publication.
    consent: Mapped[str | None] = mapped_column(String(10), nullable=True)
    consent_withdrawn_at: Mapped[datetime | None] = mapped_column(nullable=True)

    response: Mapped[SurveyResponse] = relationship(back_populates="answers")
    question: Mapped[SurveyQuestion] = relationship()

    def __repr__(self) -> str:
        return f"<SurveyAnswer {self.id} q={self.question_id}>"


class SurveyMailingKind(StrEnum):
    OPENING = "opening"
    REMINDER = "reminder"


class SurveyMailing(db.Model):
    """A survey's opening e-mail or its one reminder: the unique key sends each once."""

    __tablename__ = "survey_mailings"
    __audit_label__ = _l("envoi d'un questionnaire")
    __table_args__ = (
        UniqueConstraint("survey_id", "kind"),
        one_of("kind", SurveyMailingKind),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(
        ForeignKey("surveys.id", ondelete="CASCADE"), nullable=False
    )
    kind: Mapped[str] = mapped_column(String(10), nullable=False)
    sent_at: Mapped[datetime] = mapped_column(nullable=False, default=now_utc)
    recipients: Mapped[int] = mapped_column(nullable=False, default=0)

    survey: Mapped[Survey] = relationship()

    def __repr__(self) -> str:
        return f"<SurveyMailing {self.survey_id} {self.kind}>"


class PackEditorial(db.Model):
    """What the coordinator writes for a pack before generating it; copied into each version."""

    __tablename__ = "pack_editorials"
    __audit_label__ = _l("éditorial d'un dossier")
    __table_args__ = (UniqueConstraint("cohort_id", "kind"), one_of("kind", PackKind))

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(
        ForeignKey("cohorts.id", ondelete="CASCADE"), nullable=False
    )
    kind: Mapped[str] = mapped_column(String(10), nullable=False)
    highlights: Mapped[str] = mapped_column(Text, nullable=False, default="")
    concerns: Mapped[str] = mapped_column(Text, nullable=False, default="")
    recommendations: Mapped[str] = mapped_column(Text, nullable=False, default="")
    updated_at: Mapped[datetime] = mapped_column(nullable=False, default=now_utc)
    updated_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    version: Mapped[int] = version_column()

    __mapper_args__: ClassVar[dict] = {"version_id_col": version}

    cohort: Mapped[Cohort] = relationship()
    updated_by: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<PackEditorial cohort={self.cohort_id} {self.kind}>"


class CommitteePack(db.Model):
    """One generated version of a committee meeting's report pack, frozen at generation."""

    __tablename__ = "committee_packs"
    __audit_label__ = _l("dossier du comité")
    __table_args__ = (UniqueConstraint("cohort_id", "kind", "number"), one_of("kind", PackKind))

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(
        ForeignKey("cohorts.id", ondelete="CASCADE"), nullable=False
    )
    kind: Mapped[str] = mapped_column(String(10), nullable=False)
    #: 1, 2…: regenerating adds the next version and keeps the earlier ones.
    number: Mapped[int] = mapped_column(nullable=False)
    generated_at: Mapped[datetime] = mapped_column(nullable=False, default=now_utc)
    generated_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    app_version: Mapped[str] = mapped_column(String(40), nullable=False)
    #: The data both PDFs were drawn from, as gathered (dates as ISO strings).
    snapshot: Mapped[dict] = deferred(mapped_column(JSON, nullable=False))
    pdf: Mapped[bytes] = deferred(mapped_column(LargeBinary, nullable=False))
    sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    pages: Mapped[int] = mapped_column(nullable=False)
    #: For sharing beyond the committee: territory codes, no names, small cells hidden.
    pseudonymised_pdf: Mapped[bytes] = deferred(mapped_column(LargeBinary, nullable=False))
    pseudonymised_sha256: Mapped[str] = mapped_column(String(64), nullable=False)

    cohort: Mapped[Cohort] = relationship()
    generated_by: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<CommitteePack {self.id} cohort={self.cohort_id} {self.kind} v{self.number}>"

    @property
    def kind_enum(self) -> PackKind:
        return PackKind(self.kind)


class PackVariant(StrEnum):
    FULL = "full"
    PSEUDONYMISED = "pseudonymised"


class PackDownload(db.Model):
    """Who downloaded which pack, in which variant, when."""

    __tablename__ = "pack_downloads"
    __audit_label__ = _l("téléchargement d'un dossier")
    __table_args__ = (one_of("variant", PackVariant),)

    id: Mapped[int] = mapped_column(primary_key=True)
    pack_id: Mapped[int] = mapped_column(
        ForeignKey("committee_packs.id", ondelete="CASCADE"), nullable=False, index=True
    )
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    variant: Mapped[str] = mapped_column(String(16), nullable=False)
    downloaded_at: Mapped[datetime] = mapped_column(nullable=False, default=now_utc)

    pack: Mapped[CommitteePack] = relationship()
    user: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<PackDownload pack={self.pack_id} user={self.user_id} {self.variant}>"


class PackErasure(db.Model):
    """A person erased after a frozen pack was generated: the pack is kept as written (its
    PDFs still hold what they held), and this row says so wherever the pack is listed."""

    __tablename__ = "pack_erasures"
    __audit_label__ = _l("effacement dans un dossier")
    __table_args__ = (UniqueConstraint("pack_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    pack_id: Mapped[int] = mapped_column(
        ForeignKey("committee_packs.id", ondelete="CASCADE"), nullable=False, index=True
    )
    #: The anonymised account: it names no one, and it is never deleted.
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True
    )
    erased_at: Mapped[datetime] = mapped_column(nullable=False, default=now_utc)

    def __repr__(self) -> str:
        return f"<PackErasure pack={self.pack_id} user={self.user_id}>"


class TerritoryCode(db.Model):
    """A territory's code in pseudonymised documents (T01…), given once, kept for the cohort."""

    __tablename__ = "territory_codes"
    __audit_label__ = _l("code de territoire")
    __table_args__ = (UniqueConstraint("cohort_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(
        ForeignKey("cohorts.id", ondelete="CASCADE"), nullable=False
    )
    territory_id: Mapped[int] = mapped_column(
        ForeignKey("territories.id", ondelete="CASCADE"), nullable=False, unique=True
    )
    code: Mapped[str] = mapped_column(String(8), nullable=False)

    def __repr__(self) -> str:
        return f"<TerritoryCode {self.territory_id} {self.code}>"


class FinalAttestation(db.Model):
    """An attestation de fin de parcours as issued: its bytes and their SHA-256, frozen."""

    __tablename__ = "final_attestations"
    __audit_label__ = _l("attestation de fin de parcours")
    __table_args__ = (UniqueConstraint("cohort_id", "user_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(
        ForeignKey("cohorts.id", ondelete="CASCADE"), nullable=False
    )
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    #: Reissuing (after a corrected attendance) adds the next number; earlier ones stay valid.
    number: Mapped[int] = mapped_column(nullable=False, default=1)
    #: The secret part of the public verification link (and of its QR code).
    token: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    issued_at: Mapped[datetime] = mapped_column(nullable=False, default=now_utc)
    issued_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    pdf: Mapped[bytes] = deferred(mapped_column(LargeBinary, nullable=False))
    sha256: Mapped[str] = mapped_column(String(64), nullable=False)

    cohort: Mapped[Cohort] = relationship()
    user: Mapped[User | None] = relationship(foreign_keys=[user_id])
    issued_by: Mapped[User | None] = relationship(foreign_keys=[issued_by_id])

    def __repr__(self) -> str:
        return f"<FinalAttestation {self.id} cohort={self.cohort_id} user={self.user_id}>"


#: Frozen once written: a pack and an attestation are what was generated, for good.
KEPT_TABLES = ("committee_packs", "final_attestations")
for _model in (CommitteePack, FinalAttestation):
    keep_as_written(_model)
