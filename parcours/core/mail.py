"""Outgoing e-mail, the transport: a message, the e-mail it becomes, and the backends.

Domains never send directly: they queue with :mod:`parcours.outbox.mail`, which records the
message with the change that causes it and hands it here after the commit. Backends: ``smtp``
when ``PARCOURS_SMTP_HOST`` is set, ``console`` (one log line per message) otherwise, and
``memory`` for tests.
"""

import logging
import smtplib
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from email.headerregistry import HeaderRegistry
from email.message import EmailMessage
from email.utils import parseaddr
from urllib.parse import urlsplit

from flask import Flask

logger = logging.getLogger(__name__)

_HEADERS = HeaderRegistry()


@dataclass(frozen=True)
class Message:
    to: str
    subject: str
    body: str
    attachment_name: str | None = None
    # The full content type, parameters included: "text/calendar; method=REQUEST; charset=UTF-8".
    attachment_type: str | None = None
    attachment: bytes | None = None
    # Given by the outbox when the message is queued, so that every attempt carries the same
    # one; not part of what the message says, so two equal messages still compare equal.
    message_id: str | None = field(default=None, compare=False)


def new_message_id(app: Flask) -> str:
    """Return a new, globally unique ``Message-ID`` (``<random@domain>``).

    The domain is the site's (``PARCOURS_BASE_URL``), else the sender's: a database reset
    restarts the row ids, so the left part is random rather than the row's id, lest a receiver
    drop a new message as the repeat of an old one.
    """
    domain = urlsplit(app.config["PARCOURS_BASE_URL"]).hostname
    if not domain:
        domain = parseaddr(app.config["PARCOURS_MAIL_FROM"])[1].rpartition("@")[2] or "localhost"
    return f"<{uuid.uuid4().hex}@{domain}>"


def build_email(app: Flask, message: Message) -> EmailMessage:
    """Turn a message into the e-mail handed to the SMTP server.

    A calendar file whose type names an iTIP method (``text/calendar; method=REQUEST``) makes
    the e-mail a calendar invitation (iMIP, RFC 6047), in the shape Google Calendar sends and
    the CalConnect guide recommends: ``multipart/mixed`` holding first a
    ``multipart/alternative`` (the text, then the calendar part with its method, which Gmail,
    Outlook and Apple Mail read as the invitation; Outlook looks only in this first part),
    then the same file as an ``application/ics`` attachment for mail readers that only open
    attachments.
    """
    email = EmailMessage()
    email["From"] = app.config["PARCOURS_MAIL_FROM"]
    email["To"] = message.to
    # A header cannot hold a line break; one typed into a title must not block the message.
    email["Subject"] = " ".join(message.subject.split())
    # Stable across attempts: a receiver that got the message before a crash can drop the
    # repeat (the outbox hands a message over again when it cannot know it was accepted).
    email["Message-ID"] = message.message_id or new_message_id(app)
    email.set_content(message.body)
    if message.attachment is None:
        return email
    content_type = _HEADERS("content-type", message.attachment_type or "application/octet-stream")
    params = dict(content_type.params)
    if content_type.content_type == "text/calendar" and "method" in params:
        email.add_alternative(
            message.attachment, maintype="text", subtype="calendar", params=params
        )
        email.add_attachment(
            message.attachment,
            maintype="application",
            subtype="ics",
            filename=message.attachment_name,
        )
        return email
    email.add_attachment(
        message.attachment,
        maintype=content_type.maintype,
        subtype=content_type.subtype,
        filename=message.attachment_name,
        params=params,
    )
    return email


def send_message(app: Flask, row: Mapping) -> None:
    """Hand one outbox row to the configured backend; raise if the transport fails."""
    message = Message(
        to=row["recipient"],
        subject=row["subject"],
        body=row["body"],
        attachment_name=row["attachment_name"],
        attachment_type=row["attachment_type"],
        attachment=row["attachment"],
        message_id=row["message_id"],
    )
    backend = app.config["PARCOURS_MAIL_BACKEND"]
    if backend == "memory":
        app.extensions.setdefault("parcours_mail_sent", []).append(message)
        return
    if backend == "console":
        # One line, without the body: bodies carry personal one-time links, and logs are kept
        # and shared. The body is on the cohort's outbox page.
        logger.info("E-mail to %s: %s", message.to, " ".join(message.subject.split()))
        return
    email = build_email(app, message)
    with smtplib.SMTP(
        app.config["PARCOURS_SMTP_HOST"], int(app.config["PARCOURS_SMTP_PORT"]), timeout=10
    ) as smtp:
        if app.config["PARCOURS_SMTP_STARTTLS"]:
            smtp.starttls()
        if app.config["PARCOURS_SMTP_USER"]:
            smtp.login(app.config["PARCOURS_SMTP_USER"], app.config["PARCOURS_SMTP_PASSWORD"])
        smtp.send_message(email)
    logger.info("E-mail %s sent to %s", email["Message-ID"], message.to)
