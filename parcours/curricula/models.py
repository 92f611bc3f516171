"""Curricula and their versions. A cohort points at the version it started with."""

from datetime import datetime
from functools import cached_property

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from parcours.core.extensions import db
from parcours.core.time import now_utc
from parcours.curricula.schema import CurriculumDocument


class Curriculum(db.Model):
    __tablename__ = "curricula"

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
    __table_args__ = (UniqueConstraint("curriculum_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    curriculum_id: Mapped[int] = mapped_column(ForeignKey("curricula.id"), nullable=False)
    number: Mapped[int] = mapped_column(nullable=False)
    content_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    source_name: Mapped[str] = mapped_column(String(300), nullable=False)
    data: Mapped[dict] = mapped_column(JSON, nullable=False)
    loaded_at: Mapped[datetime] = mapped_column(nullable=False, default=now_utc)

    curriculum: Mapped[Curriculum] = relationship(back_populates="versions")

    def __repr__(self) -> str:
        return f"<CurriculumVersion {self.curriculum_id} v{self.number}>"

    @cached_property
    def document(self) -> CurriculumDocument:
        """The validated content, typed."""
        return CurriculumDocument.model_validate(self.data)

    @property
    def label(self) -> str:
        return f"{self.document.programme.name} (v{self.number})"
