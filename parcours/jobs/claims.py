"""Claim a job's time slot: the first process to insert the row runs the slot, others skip it."""

import socket

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError

from parcours.core.extensions import db
from parcours.core.time import now_utc
from parcours.jobs.models import JobRun


def claim_slot(job: str, slot: str) -> bool:
    """Record that ``job`` runs for ``slot``; False if another process already did."""
    try:
        with db.session.begin_nested():
            db.session.add(JobRun(job=job, slot=slot, claimed_by=socket.gethostname()))
    except IntegrityError:
        return False
    return True


def finish_slot(job: str, slot: str) -> None:
    """Mark a claimed slot as done."""
    db.session.execute(
        update(JobRun).where(JobRun.job == job, JobRun.slot == slot).values(finished_at=now_utc())
    )
