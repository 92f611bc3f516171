"""Job slots: the first process to claim a slot runs it; every other one skips it."""

from sqlalchemy import func, select

from parcours.core.extensions import db
from parcours.jobs import claims
from parcours.jobs.models import JobRun


def test_a_job_slot_is_claimed_once(ctx):
    assert claims.claim_slot("reminders", "2026-05-04T08:00")
    assert not claims.claim_slot("reminders", "2026-05-04T08:00")
    assert claims.claim_slot("reminders", "2026-05-04T08:15")
    db.session.commit()
    assert db.session.scalar(select(func.count(JobRun.id))) == 2


def test_finishing_a_slot_records_when(ctx):
    assert claims.claim_slot("outbox", "2026-05-04T08:01")
    claims.finish_slot("outbox", "2026-05-04T08:01")
    db.session.commit()
    run = db.session.scalar(select(JobRun))
    assert (run.job, run.slot) == ("outbox", "2026-05-04T08:01")
    assert run.finished_at is not None and run.finished_at >= run.started_at
