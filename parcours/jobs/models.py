"""The claims that make each scheduled job run once per time slot, whatever the processes."""

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from parcours.core.changes import bookkeeping
from parcours.core.extensions import db
from parcours.core.time import now_utc


@bookkeeping  # a slot claimed or finished is on no page: it keeps the pages kept
class JobRun(db.Model):
    """A scheduled job's claim on one time slot: the unique key lets one process win."""

    __tablename__ = "job_runs"
    __audit_label__ = _l("tâche planifiée")
    __table_args__ = (UniqueConstraint("job", "slot"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    job: Mapped[str] = mapped_column(String(100), nullable=False)
    slot: Mapped[str] = mapped_column(String(100), nullable=False)
    claimed_by: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    started_at: Mapped[datetime] = mapped_column(nullable=False, default=now_utc)
    finished_at: Mapped[datetime | None] = mapped_column(nullable=True)
    # Until when the claimer holds the slot; once past, an unfinished slot is taken over
    # (its claimer died). Empty on claims written before leases existed.
    lease_until: Mapped[datetime | None] = mapped_column(nullable=True)

    def __repr__(self) -> str:
        return f"<JobRun {self.job} {self.slot}>"
