"""The outbox: rows written with the action, sent after commit, retried, never twice."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from parcours.core.extensions import db
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
    with db.engine.connect() as first, db.engine.connect() as second:
        assert outbox._claim(first, message.id, 0, T0) is True
        first.commit()
        assert outbox._claim(second, message.id, 0, T0) is False


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
