"""Curricula and their versions. A cohort points at the version it started with."""

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from parcours.core.extensions import db
from parcours.core.time import now_utc
from parcours.curricula.schema import CurriculumDocument

#: Validated documents by content hash. A hash names one content for good, so the cache is
#: never stale, and it holds one entry per curriculum version ever loaded: a handful.
_DOCUMENTS: dict[str, CurriculumDocument] = {}


def document_of(version: "CurriculumVersion") -> CurriculumDocument:
    """Return the validated content of ``version``, parsed once per process."""
    document = _DOCUMENTS.get(version.content_hash)
    if document is None:
        # The documents are frozen models: sharing one between requests and threads is safe.
        document = CurriculumDocument.model_validate(version.data)
        _DOCUMENTS[version.content_hash] = document
    return document


class Curriculum(db.Model):
    __tablename__ = "curricula"
    __audit_label__ = _l("programme")

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True, nullable=False)
    name: Mapped[str] = mapped_column(String(300), nullable=False)
    created_at: Mapped[datetime] = mapped_column(nullable=False, default=now_utc)

    versions: Mapped[list["CurriculumVersion"]] = relationship(
        back_populates="curriculum", order_by="CurriculumVersion.number"
    )

    def __repr__(self) -> str:
        return f"<Curriculum {self.slug}>"


class CurriculumVersion(db.Model):
    """One loaded state of a curriculum file; never changed once a cohort uses it."""

    __tablename__ = "curriculum_versions"
    __audit_label__ = _l("version de programme")
    __table_args__ = (UniqueConstraint("curriculum_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    curriculum_id: Mapped[int] = mapped_column(ForeignKey("curricula.id"), nullable=False)
    number: Mapped[int] = mapped_column(nullable=False)
    content_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    source_name: Mapped[str] = mapped_column(String(300), nullable=False)
    # Read through ``document``, which validates it once per process: pages never load it.
    data: Mapped[dict] = mapped_column(JSON, nullable=False, deferred=True)
    loaded_at: Mapped[datetime] = mapped_column(nullable=False, default=now_utc)

    curriculum: Mapped[Curriculum] = relationship(back_populates="versions")

    def __repr__(self) -> str:
        return f"<CurriculumVersion {self.curriculum_id} v{self.number}>"

    @property
    def document(self) -> CurriculumDocument:
        """The validated content, typed."""
        return document_of(self)

    @property
    def label(self) -> str:
        return f"{self.document.programme.name} (v{self.number})"
