"""Read calendars and e-mails back the way calendar and mail applications read them."""

import email
import email.policy
from datetime import datetime
from email.message import EmailMessage

from dateutil.rrule import rrulestr
from icalendar import Calendar

from parcours.core import mail


def occurrences(component) -> list[tuple[datetime, datetime]]:
    """Return the (start, end) of each occurrence of a VEVENT, its RRULE expanded."""
    start, end = component.decoded("DTSTART"), component.decoded("DTEND")
    if "RRULE" not in component:
        return [(start, end)]
    rule = rrulestr(component["RRULE"].to_ical().decode(), dtstart=start)
    return [(moment, moment + (end - start)) for moment in rule]


def received(app, message: mail.Message) -> EmailMessage:
    """Return ``message`` as its recipient's mail client parses it off the wire."""
    raw = mail.build_email(app, message).as_bytes()
    return email.message_from_bytes(raw, policy=email.policy.default)


def invitation(parsed: EmailMessage, filename: str = "evenement.ics") -> tuple[str, Calendar]:
    """Return the iMIP method and calendar of an e-mail, checking the parts clients look for.

    ``multipart/mixed`` opens with a ``multipart/alternative`` (the text, then the calendar
    with its method) and ends with the same file as an ``.ics`` attachment.
    """
    assert parsed.get_content_type() == "multipart/mixed"
    alternative, attachment = parsed.get_payload()
    assert alternative.get_content_type() == "multipart/alternative"
    text, calendar_part = alternative.get_payload()
    assert text.get_content_type() == "text/plain"
    assert calendar_part.get_content_type() == "text/calendar"
    assert calendar_part.get_content_disposition() is None  # shown inline, not as a file
    assert calendar_part.get_param("charset") == "UTF-8"
    method = calendar_part.get_param("method")
    assert attachment.get_content_disposition() == "attachment"
    assert attachment.get_filename() == filename
    data = calendar_part.get_payload(decode=True)
    assert attachment.get_payload(decode=True) == data
    calendar = Calendar.from_ical(data.decode("utf-8"))
    assert str(calendar["METHOD"]) == method  # RFC 6047: the part's method is the file's
    return method, calendar
