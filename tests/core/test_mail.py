"""Outgoing e-mail is queued with the unit of work and sent only once it has committed."""

import logging
import re

import pytest

from parcours.core.extensions import db
from parcours.core.mail import build_email, new_message_id
from parcours.outbox import mail
from tests.agenda.calendars import invitation, received

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
    email = build_email(app, message)
    assert email["Subject"] == "Atelier Bcc: x@evil.example"
    assert email["Bcc"] is None
    (part,) = list(email.iter_attachments())
    assert part.get_filename() == "evenement.ics"
    assert part.get_content_type() == "text/calendar"
    assert part.get_payload(decode=True) == b"BEGIN:VCALENDAR"  # base64 on the wire


def test_the_e_mail_carries_the_message_id_it_was_queued_with(app):
    message = mail.Message(
        to="ana@example.org", subject="S", body="B", message_id="<4f1c9e0b@parcours.test>"
    )
    assert [received(app, message)["Message-ID"] for _ in range(2)] == [
        "<4f1c9e0b@parcours.test>"
    ] * 2
    assert message == mail.Message(to="ana@example.org", subject="S", body="B")
    fresh = build_email(app, mail.Message(to="ana@example.org", subject="S", body="B"))
    assert re.fullmatch(r"<[0-9a-f]{32}@parcours\.test>", fresh["Message-ID"])


def test_smtp_gets_the_rows_message_id_and_the_delivery_is_logged(make_app, caplog):
    handed = []

    class FakeSMTP:
        def __init__(self, host, port, timeout):
            pass

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def starttls(self):
            pass

        def send_message(self, email):
            handed.append(email)

    from sqlalchemy import select

    from parcours.outbox.models import OutboxMessage

    smtp_app = make_app(PARCOURS_MAIL_BACKEND="smtp", PARCOURS_SMTP_HOST="smtp.example")
    caplog.set_level(logging.INFO, logger="parcours")
    with pytest.MonkeyPatch.context() as patch, smtp_app.app_context():
        patch.setattr("parcours.core.mail.smtplib.SMTP", FakeSMTP)
        mail.queue(MESSAGE)
        db.session.commit()
        message_id = db.session.scalar(select(OutboxMessage.message_id))
    assert [email["Message-ID"] for email in handed] == [message_id]
    assert f"E-mail {message_id} sent to ana@example.org" in [
        r.getMessage() for r in caplog.records if r.name == "parcours.core.mail"
    ]


def test_without_a_public_address_the_message_id_is_at_the_senders_domain(make_app):
    sender = make_app(PARCOURS_BASE_URL="", PARCOURS_MAIL_FROM="Parcours <noreply@asso.example>")
    assert new_message_id(sender).endswith("@asso.example>")


def test_the_console_backend_logs_one_line_with_recipient_and_subject(make_app, caplog):
    console_app = make_app(PARCOURS_MAIL_BACKEND="console")
    invitation = mail.Message(
        to="ana@example.org",
        subject="Votre accès à Parcours —\nCohorte A",
        body="Ouvrez ce lien : http://parcours.test/invitation/secret-token",
    )
    caplog.set_level(logging.INFO, logger="parcours")
    with console_app.app_context():
        mail.queue(invitation)
        db.session.commit()
    lines = [r.getMessage() for r in caplog.records if r.name == "parcours.core.mail"]
    assert lines == ["E-mail to ana@example.org: Votre accès à Parcours — Cohorte A"]
    assert "secret-token" not in caplog.text  # the body (and its one-time link) stays out


def test_a_calendar_with_a_method_is_sent_as_an_invitation_mail_clients_read(app):
    ics = b"BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nEND:VCALENDAR\r\n"
    message = mail.Message(
        to="ana@example.org",
        subject="Invitation",
        body="Vous êtes attendue.",
        attachment_name="evenement.ics",
        attachment_type="text/calendar; method=REQUEST; charset=UTF-8",
        attachment=ics,
    )
    parsed = received(app, message)
    assert parsed["From"] == "Parcours <parcours@localhost>"
    assert [part.get_content_type() for part in parsed.walk()] == [
        "multipart/mixed",
        "multipart/alternative",
        "text/plain",
        "text/calendar",
        "application/ics",
    ]
    method, _calendar = invitation(parsed)
    assert method == "REQUEST"
    text = parsed.get_payload()[0].get_payload()[0]
    assert text.get_content() == "Vous êtes attendue.\n"
    # Base64 on the wire: no mail server rewraps the file's lines.
    leaves = [part for part in parsed.walk() if part.get_content_maintype() != "multipart"]
    assert [part["Content-Transfer-Encoding"] for part in leaves[1:]] == ["base64"] * 2


def test_the_outbox_keeps_the_method_of_a_calendar_attachment(ctx, outbox):
    from sqlalchemy import select

    from parcours.outbox.models import OutboxMessage

    content_type = "text/calendar; method=CANCEL; charset=UTF-8"
    message = mail.Message(
        to="ana@example.org",
        subject="Annulé",
        body="Annulé.",
        attachment_name="evenement.ics",
        attachment_type=content_type,
        attachment=b"BEGIN:VCALENDAR\r\nMETHOD:CANCEL\r\nEND:VCALENDAR\r\n",
    )
    mail.queue(message)
    db.session.commit()
    assert db.session.scalar(select(OutboxMessage.attachment_type)) == content_type
    assert outbox == [message]  # read back from the row, parameters included
