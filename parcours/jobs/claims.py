"""Claim a job's time slot: one process runs a slot; a dead claimer's slot is taken over.

The first process to insert the (job, slot) row holds the slot until its lease ends. A
claimer that dies leaves the slot unfinished: once the lease is over, the next process to try
takes it over, rather than leaving its work to the next slot.
"""

from datetime import timedelta

from flask import current_app
from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError

from parcours.core.concurrency import savepoint
from parcours.core.extensions import db
from parcours.core.process import process_name
from parcours.core.time import now_utc
from parcours.jobs.models import JobRun


def claim_slot(job: str, slot: str) -> bool:
    """Record that this process runs ``job`` for ``slot``; False if another one holds it.

    Held means finished, or claimed by a process whose lease has not run out yet.
    """
    now = now_utc()
    lease_until = now + timedelta(seconds=int(current_app.config["PARCOURS_JOB_LEASE_SECONDS"]))
    claimer = process_name()
    claimed = db.session.scalar(select(JobRun.id).where(JobRun.job == job, JobRun.slot == slot))
    if claimed is None:
        try:
            with savepoint():
                db.session.add(
                    JobRun(
                        job=job,
                        slot=slot,
                        claimed_by=claimer,
                        started_at=now,
                        lease_until=lease_until,
                    )
                )
        except IntegrityError:
            return False  # another process claimed it this very moment
        return True
    # Looked up first rather than inserted blindly: the slot is tried every minute, and
    # PostgreSQL would log each refused INSERT. Take it over only if its claimer stopped
    # before finishing and its lease has run out; two processes trying at once cannot both
    # match the condition.
    taken = db.session.execute(
        update(JobRun)
        .where(
            JobRun.id == claimed,
            JobRun.finished_at.is_(None),
            or_(JobRun.lease_until.is_(None), JobRun.lease_until <= now),
        )
        .values(claimed_by=claimer, started_at=now, lease_until=lease_until)
        .execution_options(synchronize_session=False)
    )
    return taken.rowcount == 1


def finish_slot(job: str, slot: str) -> None:
    """Mark a claimed slot as done."""
    db.session.execute(
        update(JobRun)
        .where(JobRun.job == job, JobRun.slot == slot)
        .values(finished_at=now_utc(), lease_until=None)
    )
