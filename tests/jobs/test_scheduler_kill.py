"""Two scheduler processes, the first killed (SIGKILL) in the middle of its outbox run.

Each run's e-mails go through SMTP to a sink on loopback that holds the sender still at a
chosen step of one message, so the kill lands exactly there: before the server has the
message, or after it accepted it but before the sender marked it sent. The second process,
started once the first one's lease is over, must send what is left; the outbox gives « at
least once, under one Message-ID »: nothing is lost, and only the message in flight when the
server had already accepted it can arrive twice, with the same Message-ID.
"""

import email
import os
import signal
import socketserver
import subprocess
import sys
import threading
import time
from collections import Counter

import pytest
from sqlalchemy import select

from parcours.core.extensions import db
from parcours.core.paths import ROOT
from parcours.core.time import now_utc
from parcours.outbox.models import MessageStatus, OutboxMessage
from tests.core.conftest import STRONG_SECRET_KEY

MESSAGES = 6
#: The sink accepts this many messages, then holds the sender on the next one.
ACCEPTED_BEFORE_HOLD = 2
WAIT = 30  # seconds: the most any step may take on a busy machine before the test fails


class _Sink(socketserver.ThreadingTCPServer):
    """A loopback SMTP server that keeps each message it accepts, and holds one sender.

    ``hold_at`` is the step of message number ``ACCEPTED_BEFORE_HOLD + 1`` at which the
    sender is left waiting for an answer: ``"data"`` (its DATA command: the server has
    nothing yet) or ``"quit"`` (its QUIT, after the message was accepted with a 250).
    """

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, hold_at: str) -> None:
        super().__init__(("127.0.0.1", 0), _SmtpHandler)
        self.hold_at = hold_at
        self.received: list[bytes] = []
        self.connections = 0
        self.changed = threading.Condition()
        self.holding = False
        self.release = threading.Event()

    def hold(self) -> None:
        with self.changed:
            self.holding = True
            self.changed.notify_all()
        self.release.wait(WAIT)

    def wait_for(self, condition) -> None:
        with self.changed:
            assert self.changed.wait_for(condition, timeout=WAIT), "the sink waited in vain"


class _SmtpHandler(socketserver.StreamRequestHandler):
    def reply(self, line: str) -> None:
        self.wfile.write(line.encode() + b"\r\n")

    def handle(self) -> None:
        sink: _Sink = self.server
        with sink.changed:
            sink.connections += 1
            held = sink.connections == ACCEPTED_BEFORE_HOLD + 1
        self.reply("220 sink ESMTP")
        while line := self.rfile.readline():
            verb = line[:4].upper()
            if verb in (b"EHLO", b"HELO"):
                self.reply("250 sink")
            elif verb == b"DATA":
                if held and sink.hold_at == "data":
                    sink.hold()
                    return  # the sender is killed meanwhile
                self.reply("354 go ahead")
                lines = []
                while (data := self.rfile.readline()) not in (b".\r\n", b""):
                    lines.append(data[1:] if data.startswith(b"..") else data)
                with sink.changed:
                    sink.received.append(b"".join(lines))
                    sink.changed.notify_all()
                self.reply("250 accepted")
            elif verb == b"QUIT":
                if held and sink.hold_at == "quit":
                    sink.hold()
                    return
                self.reply("221 bye")
                return
            else:  # MAIL, RCPT, RSET, NOOP
                self.reply("250 ok")


def _scheduler(database_url: str, port: int, lease_seconds: int) -> subprocess.Popen:
    """Start ``flask scheduler --once`` sending through the sink, with a short mail lease."""
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("PARCOURS_") and key not in {"FLASK_DEBUG", "DATABASE_URL"}
    }
    environment.update(
        SECRET_KEY=STRONG_SECRET_KEY,
        DATABASE_URL=database_url,
        PARCOURS_BASE_URL="http://parcours.test",
        PARCOURS_SMTP_HOST="127.0.0.1",
        PARCOURS_SMTP_PORT=str(port),
        PARCOURS_SMTP_STARTTLS="false",
        PARCOURS_MAIL_LEASE_SECONDS=str(lease_seconds),
        PARCOURS_LOG_LEVEL="WARNING",
    )
    return subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "parcours", "scheduler", "--once"],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _rows(app) -> list[OutboxMessage]:
    with app.app_context():
        rows = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
        db.session.expunge_all()
        db.session.rollback()
        return rows


@pytest.mark.commits  # other processes work on the test database
@pytest.mark.parametrize(
    ("hold_at", "repeated"),
    [
        pytest.param("data", False, id="killed-before-the-server-had-it"),
        pytest.param("quit", True, id="killed-after-the-server-accepted-it"),
    ],
)
def test_a_scheduler_killed_mid_run_loses_nothing_and_repeats_only_the_message_in_flight(
    app, database_url_for_tests, hold_at, repeated
):
    with app.app_context():
        db.session.add_all(
            OutboxMessage(recipient=f"p{i}@example.org", subject=f"Message {i}", body="Bonjour.")
            for i in range(MESSAGES)
        )
        db.session.commit()
    sink = _Sink(hold_at)
    server = threading.Thread(target=sink.serve_forever, daemon=True)
    server.start()
    port = sink.server_address[1]
    first = second = None
    try:
        first = _scheduler(database_url_for_tests, port, lease_seconds=2)
        sink.wait_for(lambda: sink.holding)  # the first process waits on message 3
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=WAIT)
        sink.release.set()
        assert len(sink.received) == ACCEPTED_BEFORE_HOLD + repeated
        rows = _rows(app)
        in_flight = rows[ACCEPTED_BEFORE_HOLD]
        assert [row.status for row in rows] == (
            [MessageStatus.SENT] * ACCEPTED_BEFORE_HOLD
            + [MessageStatus.SENDING]
            + [MessageStatus.PENDING] * (MESSAGES - ACCEPTED_BEFORE_HOLD - 1)
        )
        # Nobody may take the message in flight over before the dead claimer's lease ends.
        time.sleep(max(0.0, (in_flight.lease_until - now_utc()).total_seconds()) + 0.2)
        second = _scheduler(database_url_for_tests, port, lease_seconds=1)
        output, errors = second.communicate(timeout=WAIT)
        assert second.returncode == 0, errors
        assert f"e-mails envoyés : {MESSAGES - ACCEPTED_BEFORE_HOLD}," in output
    finally:
        sink.release.set()
        for process in (first, second):
            if process is not None and process.poll() is None:
                process.kill()
            if process is not None:
                process.communicate()
        sink.shutdown()
        sink.server_close()

    rows = _rows(app)
    assert {row.status for row in rows} == {MessageStatus.SENT}, "nothing lost"
    assert len({row.message_id for row in rows}) == MESSAGES
    received = Counter(email.message_from_bytes(raw)["Message-ID"] for raw in sink.received)
    expected = Counter(row.message_id for row in rows)
    if repeated:
        expected[in_flight.message_id] += 1  # the one the server had when the sender died
    assert received == expected
    claimers = [row.claimed_by.rpartition(":")[2] for row in rows]
    assert claimers == [str(first.pid)] * ACCEPTED_BEFORE_HOLD + [str(second.pid)] * (
        MESSAGES - ACCEPTED_BEFORE_HOLD
    )
    assert [row.attempts for row in rows] == [1] * ACCEPTED_BEFORE_HOLD + [2] + [1] * (
        MESSAGES - ACCEPTED_BEFORE_HOLD - 1
    )
