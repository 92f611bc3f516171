"""The bytes of every uploaded file, with the SHA-256 that proves they did not change."""

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from parcours.core.extensions import db
from parcours.core.time import now_utc


class StoredFile(db.Model):
    """One uploaded file (or the thumbnail made from one).

    The bytes live in the database itself: every web worker and host reads the same rows, a
    backup of the database holds the files too, and no shared folder has to be mounted. They
    are deferred, so that listing files never loads their content.
    """

    __tablename__ = "stored_files"
    __audit_label__ = _l("fichier")
    __table_args__ = (
        CheckConstraint("size >= 0", name="size_not_negative"),
        CheckConstraint("length(sha256) = 64", name="sha256_hex"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The name the uploader's computer gave it, shown and offered back on download.
    filename: Mapped[str] = mapped_column(String(255), nullable=False)
    #: Read from the content (magic bytes), never from the name or the browser's claim.
    content_type: Mapped[str] = mapped_column(String(100), nullable=False)
    size: Mapped[int] = mapped_column(nullable=False)
    sha256: Mapped[str] = mapped_column(String(64), nullable=False, index=True)
    data: Mapped[bytes] = deferred(mapped_column(LargeBinary, nullable=False))
    #: A small JPEG of an image, shown on the page instead of the full photo.
    thumbnail_id: Mapped[int | None] = mapped_column(
        ForeignKey("stored_files.id", ondelete="SET NULL"), nullable=True
    )
    uploaded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    uploaded_at: Mapped[datetime] = mapped_column(nullable=False, default=now_utc)

    thumbnail: Mapped["StoredFile | None"] = relationship(remote_side=[id])

    def __repr__(self) -> str:
        return f"<StoredFile {self.id} {self.filename!r} {self.content_type}>"

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")
