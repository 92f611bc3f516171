"""``flask scheduler``: a dead claimer's slot is taken over, SIGTERM ends it cleanly."""

import json
import os
import queue
import signal
import subprocess
import sys
import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from parcours import jobs
from parcours.config import DEFAULTS
from parcours.core.extensions import db
from parcours.core.mail import send_message
from parcours.core.paths import ROOT
from parcours.core.time import advance, freeze
from parcours.jobs import claims
from parcours.jobs.cli import build_scheduler, stop_on_signals
from parcours.outbox import operations as outbox_operations
from parcours.outbox.models import OutboxMessage
from tests.agenda.test_notifications import _s1
from tests.core.conftest import STRONG_SECRET_KEY

JOB_LEASE = timedelta(seconds=DEFAULTS["PARCOURS_JOB_LEASE_SECONDS"])


def test_the_reminders_of_a_slot_whose_scheduler_died_are_sent_after_its_lease(app, world):
    with app.app_context():
        moment = _s1(world).starts_at - timedelta(hours=20)
    with freeze(moment):
        with app.app_context():
            # Another scheduler claimed the slot, then was killed before queueing anything.
            assert claims.claim_slot("reminders", jobs.slot_of(moment, jobs.REMINDERS_EVERY))
            db.session.commit()
        assert jobs.send_reminders(app) is None
        advance(JOB_LEASE)
        assert jobs.send_reminders(app) == 5
        assert jobs.send_reminders(app) is None, "then the slot is done"


def test_the_scheduler_tries_the_reminders_slot_again_within_a_lease(app):
    scheduler = build_scheduler(app, threading.Event())
    assert scheduler.get_job("reminders").trigger.interval <= JOB_LEASE
    assert scheduler.get_job("outbox").trigger.interval == jobs.OUTBOX_EVERY


def test_stale_attempts_are_pruned_once_per_hour(app):
    from parcours.accounts import throttle

    start = datetime(2026, 5, 4, 8, 5, tzinfo=UTC)
    with freeze(start):
        with app.app_context():
            throttle.take((throttle.LOGIN_CLIENT, "198.51.100.7"))
            db.session.commit()
        assert jobs.prune_attempts(app) == 0  # it still counts
    with freeze(start + timedelta(minutes=20)):
        assert jobs.prune_attempts(app) is None, "one run per hour"
    with freeze(start + timedelta(hours=1)):
        assert jobs.prune_attempts(app) == 1
    scheduler = build_scheduler(app, threading.Event())
    assert scheduler.get_job("prune-attempts").trigger.interval <= JOB_LEASE


@pytest.mark.commits  # the outbox delivers through its own session
def test_sigterm_lets_the_message_in_hand_go_then_stops_delivering(app, outbox, monkeypatch):
    stopping = threading.Event()

    def sigterm_while_sending(app, row):
        if not stopping.is_set():
            os.kill(os.getpid(), signal.SIGTERM)  # the process manager stops the service
            assert stopping.wait(5)
        send_message(app, row)

    monkeypatch.setattr(outbox_operations, "send_message", sigterm_while_sending)
    before = signal.getsignal(signal.SIGTERM)
    restore = stop_on_signals(stopping)
    try:
        with app.app_context():
            messages = [
                OutboxMessage(recipient=f"p{i}@example.org", subject="S", body="B")
                for i in range(3)
            ]
            db.session.add_all(messages)
            db.session.commit()
            due = messages[0].next_attempt_at + timedelta(seconds=1)
        with freeze(due):
            assert jobs.deliver_outbox(app, stopping.is_set) == (1, 0)
        with app.app_context():
            rows = db.session.execute(
                select(OutboxMessage.status, OutboxMessage.attempts).order_by(OutboxMessage.id)
            ).all()
    finally:
        restore()
    assert [tuple(row) for row in rows] == [("sent", 1), ("pending", 0), ("pending", 0)]
    assert [m.to for m in outbox] == ["p0@example.org"]
    assert signal.getsignal(signal.SIGTERM) is before, "the previous handler is back"


@pytest.mark.commits  # another process works on the test database
def test_the_scheduler_process_logs_its_runs_and_stops_cleanly_on_sigterm(
    app, database_url_for_tests
):
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("PARCOURS_") and key not in {"FLASK_DEBUG", "DATABASE_URL"}
    }
    environment.update(
        SECRET_KEY=STRONG_SECRET_KEY,
        DATABASE_URL=database_url_for_tests,
        PARCOURS_BASE_URL="http://parcours.test",
        PARCOURS_LOG_FORMAT="json",
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "parcours", "scheduler"],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    lines: queue.Queue[str] = queue.Queue()
    reader = threading.Thread(target=lambda: [lines.put(line) for line in process.stderr])
    reader.start()
    seen = []
    try:
        while not any("Reminders for slot" in line for line in seen):
            seen.append(lines.get(timeout=30))
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    reader.join()
    process.stderr.close()
    while not lines.empty():
        seen.append(lines.get())
    entries = [json.loads(line) for line in seen]  # one JSON object per line, nothing else
    messages = [(e["level"], e["logger"], e["message"]) for e in entries]
    assert messages[-1] == ("INFO", "parcours.jobs.cli", "Scheduler stopped")
    assert (
        "INFO",
        "parcours.jobs.cli",
        "Scheduler: SIGTERM received, stopping after the job in hand",
    ) in messages
    assert any(
        m.startswith("Reminders for slot ") and m.endswith(": 0 queued") for _l, _n, m in messages
    )
