"""The outbox: rows written with the action, sent after commit, retried, never twice in a lease."""

import re
import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from parcours.config import DEFAULTS
from parcours.core.extensions import db
from parcours.core.mail import send_message
from parcours.core.time import advance, freeze
from parcours.outbox import mail
from parcours.outbox import operations as outbox
from parcours.outbox.models import OutboxMessage
from tests.conftest import app_config

# Delivery reads and claims the rows through its own session, as in production: the rows must
# really be committed for it (and for the second sender) to see them.
pytestmark = pytest.mark.commits


@pytest.fixture
def outbox_sent(outbox):
    """The memory backend's sent list (``outbox`` is the module under test here)."""
    return outbox


MESSAGE = mail.Message(
    to="ana@example.org",
    subject="Bonjour",
    body="Un message.",
    attachment_name="a.ics",
    attachment_type="text/calendar",
    attachment=b"BEGIN:VCALENDAR",
)
T0 = datetime(2026, 5, 4, 8, 0, tzinfo=UTC)


def _rows():
    return db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()


def test_a_message_is_a_row_sent_after_commit_with_its_attachment(ctx, outbox_sent):
    assert mail.queue(MESSAGE, cohort_id=None)
    assert outbox_sent == []
    db.session.commit()
    assert outbox_sent == [MESSAGE]
    (row,) = _rows()
    assert (row.status, row.attempts, row.attachment) == ("sent", 1, b"BEGIN:VCALENDAR")
    assert row.sent_at is not None


def test_a_rollback_leaves_no_row_and_sends_nothing(ctx, outbox_sent):
    mail.queue(MESSAGE)
    db.session.rollback()
    db.session.commit()
    assert outbox_sent == [] and _rows() == []


def test_a_failed_attempt_is_retried_with_backoff_then_given_up(app, database_url_for_tests):
    from parcours import create_app

    broken = create_app(
        app_config(
            database_url_for_tests,
            PARCOURS_MAIL_BACKEND="smtp",
            PARCOURS_SMTP_HOST="127.0.0.1",
            PARCOURS_SMTP_PORT=1,
        )
    )
    with freeze(T0), broken.app_context():
        mail.queue(MESSAGE)
        db.session.commit()
        (row,) = _rows()
        assert (row.status, row.attempts) == ("pending", 1)
        assert row.next_attempt_at == T0 + outbox.BACKOFF[0]
        assert outbox.deliver() == (0, 0), "not due yet"
        for attempt, wait in enumerate(outbox.BACKOFF, start=1):
            db.session.expire_all()
            advance(wait)
            assert outbox.deliver() == (0, 1)
            db.session.expire_all()
            row = db.session.get(OutboxMessage, row.id)
            assert row.attempts == attempt + 1
        assert row.status == "failed"
        advance(timedelta(days=2))
        assert outbox.deliver() == (0, 0)
        db.session.remove()
    with broken.app_context():
        db.engine.dispose()


def test_a_retry_succeeds_once_the_server_is_back(app, outbox_sent):
    with freeze(T0), app.app_context():
        message = OutboxMessage(
            recipient="bob@example.org", subject="Re", body="B", attempts=1, next_attempt_at=T0
        )
        db.session.add(message)
        db.session.commit()
        assert outbox.deliver() == (1, 0)
        assert outbox.deliver() == (0, 0)
        db.session.expire_all()
        assert db.session.get(OutboxMessage, message.id).status == "sent"
    assert [m.to for m in outbox_sent] == ["bob@example.org"]


def test_an_attempt_is_claimed_by_one_sender_only(ctx):
    message = OutboxMessage(recipient="c@example.org", subject="S", body="B", next_attempt_at=T0)
    db.session.add(message)
    db.session.commit()
    lease = {"lease": timedelta(minutes=2), "claimer": "test:1"}
    with db.engine.connect() as first, db.engine.connect() as second:
        assert outbox._claim(first, message.id, 0, T0, **lease) is True
        first.commit()
        assert outbox._claim(second, message.id, 0, T0, **lease) is False


def test_a_dedup_key_queues_a_message_once(ctx, outbox_sent):
    assert mail.queue(MESSAGE, dedup_key="reminder:1")
    assert not mail.queue(MESSAGE, dedup_key="reminder:1")
    db.session.commit()
    assert not mail.queue(MESSAGE, dedup_key="reminder:1")
    db.session.commit()
    assert len(outbox_sent) == 1
    assert db.session.scalar(select(func.count(OutboxMessage.id))) == 1


def test_a_batch_is_left_to_the_scheduler_and_a_line_break_never_blocks_a_message(
    app, database_url_for_tests
):
    from parcours import create_app

    limited = create_app(app_config(database_url_for_tests, PARCOURS_MAIL_INLINE_LIMIT=2))
    sent = limited.extensions.setdefault("parcours_mail_sent", [])
    with freeze(T0), limited.app_context():
        mail.queue(mail.Message(to="a@example.org", subject="Seul\r\nBcc: x@evil", body="B"))
        db.session.commit()
        assert [m.to for m in sent] == ["a@example.org"]
        for n in range(3):
            mail.queue(mail.Message(to=f"p{n}@example.org", subject="Lot", body="B"))
        db.session.commit()
        assert len(sent) == 1, "a batch of three waits for the scheduler"
        advance(outbox.FIRST_ATTEMPT_GRACE)
        assert outbox.deliver() == (3, 0)
        db.session.remove()
    with limited.app_context():
        db.engine.dispose()


LEASE = timedelta(seconds=DEFAULTS["PARCOURS_MAIL_LEASE_SECONDS"])


class _Killed(BaseException):
    """The process ends (SIGKILL, power cut): no handler, no rollback, no « sent »."""


def _add(n: int = 1) -> list[int]:
    messages = [
        OutboxMessage(recipient=f"p{i}@example.org", subject="S", body="B", next_attempt_at=T0)
        for i in range(n)
    ]
    db.session.add_all(messages)
    db.session.commit()
    return [message.id for message in messages]


def _status(message_id: int) -> OutboxMessage:
    db.session.expire_all()
    return db.session.get(OutboxMessage, message_id)


def test_a_message_is_given_its_message_id_once_at_the_site_domain(ctx, outbox_sent):
    mail.queue(MESSAGE)
    mail.queue(MESSAGE)
    db.session.commit()
    first, second = _rows()
    assert re.fullmatch(r"<[0-9a-f]{32}@parcours\.test>", first.message_id)
    assert first.message_id != second.message_id
    assert [m.message_id for m in outbox_sent] == [first.message_id, second.message_id]


def test_a_retry_carries_the_same_message_id(app, monkeypatch):
    handed_over = []

    def flaky(app, row):
        handed_over.append(row["message_id"])
        if len(handed_over) == 1:
            raise OSError("connection reset")
        send_message(app, row)

    monkeypatch.setattr(outbox, "send_message", flaky)
    with freeze(T0), app.app_context():
        (message_id,) = _add()
        assert outbox.deliver() == (0, 1)
        advance(outbox.BACKOFF[0])
        assert outbox.deliver() == (1, 0)
        row = _status(message_id)
        assert (row.status, row.attempts, row.lease_until) == ("sent", 2, None)
    assert handed_over == [row.message_id, row.message_id]


def test_a_message_handed_over_by_a_process_that_died_goes_again_after_the_lease_only(
    app, outbox_sent, monkeypatch
):
    received = []

    def accepted_then_killed(app, row):
        received.append(row["message_id"])  # the SMTP server has the message
        raise _Killed

    with freeze(T0), app.app_context():
        (message_id,) = _add()
        monkeypatch.setattr(outbox, "send_message", accepted_then_killed)
        with pytest.raises(_Killed):
            outbox.deliver()
        row = _status(message_id)
        assert (row.status, row.attempts, row.lease_until) == ("sending", 1, T0 + LEASE)
        assert re.fullmatch(r".+:\d+", row.claimed_by), "host:pid of the claimer"
        monkeypatch.setattr(outbox, "send_message", send_message)
        advance(LEASE - timedelta(seconds=1))
        assert outbox.deliver() == (0, 0), "the lease still runs"
        assert outbox.deliver([message_id]) == (0, 0), "also for the sending process's own call"
        advance(timedelta(seconds=1))
        assert outbox.deliver() == (1, 0)
        row = _status(message_id)
        assert (row.status, row.attempts) == ("sent", 2)
    assert [m.message_id for m in outbox_sent] == received == [row.message_id]


def test_no_second_deliverer_sends_a_message_while_another_is_sending_it(
    app, outbox_sent, monkeypatch
):
    during = []

    def slow(app, row):
        # Meanwhile, the scheduler and the web process that queued it both try.
        during.append((outbox.deliver(), outbox.deliver([row["id"]])))
        send_message(app, row)

    monkeypatch.setattr(outbox, "send_message", slow)
    with freeze(T0), app.app_context():
        (message_id,) = _add()
        assert outbox.deliver() == (1, 0)
        assert _status(message_id).status == "sent"
    assert during == [((0, 0), (0, 0))]
    assert len(outbox_sent) == 1


def test_two_schedulers_at_once_send_each_message_once(app, database_url_for_tests):
    from parcours import create_app

    schedulers = [create_app(app_config(database_url_for_tests)) for _ in range(2)]
    with app.app_context():
        ids = _add(8)
    results, barrier = [], threading.Barrier(2)

    def run(scheduler_app):
        with scheduler_app.app_context():
            barrier.wait()
            results.append(outbox.deliver())

    with freeze(T0):
        threads = [threading.Thread(target=run, args=(a,)) for a in schedulers]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    sent = [m.to for a in schedulers for m in a.extensions.get("parcours_mail_sent", [])]
    assert sorted(sent) == sorted(f"p{i}@example.org" for i in range(8))
    assert sum(s for s, _f in results) == 8
    with app.app_context():
        assert {_status(i).status for i in ids} == {"sent"}
    for scheduler_app in schedulers:
        with scheduler_app.app_context():
            db.engine.dispose()


def test_delivery_stops_before_the_next_message_when_asked(app, outbox_sent):
    with freeze(T0), app.app_context():
        ids = _add(3)
        assert outbox.deliver(stop=lambda: len(outbox_sent) >= 1) == (1, 0)
        assert [_status(i).status for i in ids] == ["sent", "pending", "pending"]
        assert _status(ids[1]).attempts == 0


@pytest.mark.parametrize("key", ["PARCOURS_MAIL_LEASE_SECONDS", "PARCOURS_JOB_LEASE_SECONDS"])
@pytest.mark.parametrize("value", ["deux minutes", 0, -5, 1.5, True])
def test_a_lease_that_is_not_a_number_of_seconds_stops_the_start(
    database_url_for_tests, key, value
):
    from parcours import create_app
    from parcours.config import ConfigurationError

    with pytest.raises(ConfigurationError, match=key):
        create_app(app_config(database_url_for_tests, **{key: value}))
