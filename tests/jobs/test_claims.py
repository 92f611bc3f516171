"""Job slots: the first process to claim a slot runs it; others skip it while its lease runs."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from parcours.config import DEFAULTS
from parcours.core.extensions import db
from parcours.core.time import advance, freeze
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


LEASE = timedelta(seconds=DEFAULTS["PARCOURS_JOB_LEASE_SECONDS"])
T0 = datetime(2026, 5, 4, 8, 0, tzinfo=UTC)


def _run(slot: str) -> JobRun:
    db.session.expire_all()
    return db.session.scalar(select(JobRun).where(JobRun.slot == slot))


def test_a_slot_whose_claimer_died_is_taken_over_once_its_lease_has_run_out(ctx):
    with freeze(T0):
        assert claims.claim_slot("reminders", "2026-05-04T08:00")
        db.session.commit()  # then the claimer dies: the slot is never finished
        assert _run("2026-05-04T08:00").lease_until == T0 + LEASE
        advance(LEASE - timedelta(seconds=1))
        assert not claims.claim_slot("reminders", "2026-05-04T08:00"), "its lease still runs"
        advance(timedelta(seconds=1))
        assert claims.claim_slot("reminders", "2026-05-04T08:00")
        db.session.commit()
        run = _run("2026-05-04T08:00")
        assert (run.started_at, run.lease_until) == (T0 + LEASE, T0 + 2 * LEASE)
        assert not claims.claim_slot("reminders", "2026-05-04T08:00"), "the new claim holds"
        claims.finish_slot("reminders", "2026-05-04T08:00")
        db.session.commit()
        advance(timedelta(days=1))
        assert not claims.claim_slot("reminders", "2026-05-04T08:00"), "a finished slot is done"
    assert db.session.scalar(select(func.count(JobRun.id))) == 1
