"""Outgoing e-mail is queued with the unit of work and sent only once it has committed."""

import pytest

from parcours.core import mail
from parcours.core.extensions import db

# Delivery after a real commit, through its own session and connection, as in production.
pytestmark = pytest.mark.commits

MESSAGE = mail.Message(to="ana@example.org", subject="Bonjour", body="Un message.")
OTHER = mail.Message(to="bob@example.org", subject="Salut", body="Un autre message.")


def test_a_queued_message_is_delivered_only_after_commit(ctx, outbox):
    mail.queue(MESSAGE)
    db.session.flush()
    assert outbox == []
    db.session.commit()
    assert outbox == [MESSAGE]
    db.session.commit()
    assert outbox == [MESSAGE], "a message is sent once"


def test_a_rollback_drops_the_queued_messages(ctx, outbox):
    mail.queue(MESSAGE)
    db.session.rollback()
    db.session.commit()
    assert outbox == []
    mail.queue(OTHER)
    db.session.commit()
    assert outbox == [OTHER]


def test_suppressed_messages_are_dropped_until_the_next_commit(ctx, outbox):
    mail.suppress_until_commit()
    mail.queue(MESSAGE)
    db.session.commit()
    assert outbox == []
    mail.queue(OTHER)
    db.session.commit()
    assert outbox == [OTHER]


def test_sent_messages_returns_the_memory_outbox(ctx, outbox):
    mail.queue(MESSAGE)
    db.session.commit()
    assert mail.sent_messages() == [MESSAGE]


def test_a_mail_server_failure_does_not_undo_the_commit(app, make_app):
    from sqlalchemy import select

    from parcours.outbox.models import OutboxMessage

    smtp_app = make_app(
        PARCOURS_MAIL_BACKEND="smtp", PARCOURS_SMTP_HOST="127.0.0.1", PARCOURS_SMTP_PORT=1
    )
    with smtp_app.app_context():
        mail.queue(MESSAGE)
        db.session.commit()  # connection refused: kept for a retry, not raised
        row = db.session.scalar(select(OutboxMessage))
        assert (row.recipient, row.status, row.attempts) == ("ana@example.org", "pending", 1)
        assert "Connection refused" in row.last_error or "ConnectionRefused" in row.last_error


def test_creating_more_apps_does_not_send_twice(app, make_app, outbox):
    make_app()
    make_app()
    with app.app_context():
        mail.queue(MESSAGE)
        db.session.commit()
    assert outbox == [MESSAGE]


def test_a_message_queued_before_any_query_is_dropped_on_rollback(app, outbox):
    with app.app_context():
        assert not db.session().in_transaction()
        mail.queue(MESSAGE)
        db.session.rollback()
        db.session.commit()
    assert outbox == []


def test_closing_the_session_without_commit_drops_the_queued_messages(ctx, outbox):
    mail.queue(MESSAGE)
    db.session.close()
    db.session.commit()
    assert outbox == []


def test_a_savepoint_rollback_drops_only_the_messages_queued_inside_it(ctx, outbox):
    mail.queue(MESSAGE)
    savepoint = db.session.begin_nested()
    mail.queue(OTHER)
    savepoint.rollback()
    released = db.session.begin_nested()
    kept = mail.Message(to="carla@example.org", subject="Ciao", body="Gardé.")
    mail.queue(kept)
    released.commit()
    assert outbox == []
    db.session.commit()
    assert outbox == [MESSAGE, kept]


def test_the_smtp_message_carries_the_attachment_and_no_line_break_in_headers(app):
    message = mail.Message(
        to="ana@example.org",
        subject="Atelier\r\nBcc: x@evil.example",
        body="Corps",
        attachment_name="evenement.ics",
        attachment_type="text/calendar",
        attachment=b"BEGIN:VCALENDAR",
    )
    email = mail.build_email(app, message)
    assert email["Subject"] == "Atelier Bcc: x@evil.example"
    assert email["Bcc"] is None
    (part,) = list(email.iter_attachments())
    assert part.get_filename() == "evenement.ics"
    assert part.get_content_type() == "text/calendar"
    assert part.get_payload(decode=True) == b"BEGIN:VCALENDAR"  # base64 on the wire
