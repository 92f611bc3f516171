"""E-mails about events: invitation, change of time or place, cancellation, reminders.

Each goes to every person the event expects, in that person's language, as a calendar
invitation mail clients understand (iMIP, RFC 6047): METHOD:REQUEST to add or update the
event, METHOD:CANCEL to remove it, addressed to the recipient, with the same UID and SEQUENCE
as their calendar feed, so that calendars update their copy rather than add another.
"""

import logging
from datetime import datetime, timedelta

from flask import render_template
from flask_babel import force_locale, ngettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from parcours.accounts.models import User
from parcours.agenda.formatting import span, span_between
from parcours.agenda.ical import (
    CalendarUser,
    Method,
    build_batch_message,
    build_message,
    mime_type,
)
from parcours.agenda.models import Event, EventStatus
from parcours.agenda.queries import (
    event_page_url,
    expected_people,
    load_details,
    organizer,
    uid_host,
)
from parcours.cohorts.models import Membership
from parcours.core.extensions import db
from parcours.core.time import now_utc
from parcours.outbox import mail

logger = logging.getLogger(__name__)

SUBJECTS = {
    "scheduled": _l("Invitation : %(title)s — %(when)s"),
    "moved": _l("Changement : %(title)s — %(when)s"),
    "cancelled": _l("Annulé : %(title)s — %(when)s"),
    # For someone the event no longer expects, it is cancelled all the same.
    "released": _l("Annulé : %(title)s — %(when)s"),
    "reminder-7d": _l("Dans une semaine : %(title)s — %(when)s"),
    "reminder-1d": _l("Demain : %(title)s — %(when)s"),
}

#: E-mails that take the event out of the recipient's calendar; the others add or update it.
REMOVING = ("cancelled", "released")

#: Reminders before an event, and the name of each.
REMINDERS = ((timedelta(days=7), "reminder-7d"), (timedelta(days=1), "reminder-1d"))


def _notify(
    event: Event, user: User, kind: str, *, name: str, dedup_key: str | None = None
) -> bool:
    # ``name``: as the cohort shows the person (typed by the coordinator until they accept),
    # since the cohort's e-mail log shows the message to its coordinators.
    method = Method.CANCEL if kind in REMOVING else Method.REQUEST
    with force_locale(user.locale):
        when = span(event)
        subject = str(SUBJECTS[kind]) % {"title": event.title, "when": when}
        body = render_template(
            "mail/event.txt",
            kind=kind,
            event=event,
            user=user,
            name=name,
            when=when,
            link=event_page_url(event),
        )
        ics = build_message(
            event,
            method=method,
            attendee=CalendarUser(email=user.email, name=name),
            organizer=organizer(),
            event_url=event_page_url,
            uid_host=uid_host(),
        )
    message = mail.Message(
        to=user.email,
        subject=subject,
        body=body,
        attachment_name="evenement.ics",
        attachment_type=mime_type(method),
        attachment=ics,
    )
    return mail.queue(message, cohort_id=event.cohort_id, dedup_key=dedup_key)


def _to(event: Event, kind: str, people: list[User]) -> int:
    # A self-assessment window is not a meeting: no invitation, notice or reminder.
    if not event.is_meeting:
        return 0
    names = _shown_names(event)
    sent = sum(
        _notify(event, user, kind, name=names.get(user.id, user.full_name)) for user in people
    )
    logger.info("Event %s: %s sent to %d people", event.id, kind, sent)
    return sent


def _shown_names(event: Event) -> dict[int, str]:
    """Return how the event's cohort names each of its people, by user id."""
    members = db.session.scalars(select(Membership).where(Membership.cohort_id == event.cohort_id))
    return {member.user_id: member.shown_name for member in members}


def expected_users(event: Event) -> list[User]:
    """Return the people ``event`` expects (the recipients of its e-mails)."""
    return [person.user for person in expected_people(event)]


def event_scheduled(event: Event) -> None:
    """Invite the people ``event`` expects."""
    _to(event, "scheduled", expected_users(event))


def event_changed(event: Event, before: list[User], *, moved: bool) -> None:
    """Tell people what an edit means for them.

    Those newly expected are invited, those no longer expected get a cancellation that takes
    it out of their calendar, and, if the time or place changed, the others get the update.
    The edit has raised SEQUENCE, so each of these supersedes what the person last received.
    """
    after = expected_users(event)
    before_ids = {user.id for user in before}
    after_ids = {user.id for user in after}
    _to(event, "scheduled", [u for u in after if u.id not in before_ids])
    _to(event, "released", [u for u in before if u.id not in after_ids])
    if moved:
        _to(event, "moved", [u for u in after if u.id in before_ids])


def person_released(event: Event, user: User) -> None:
    """Take ``event`` out of the calendar of ``user`` alone, who is no longer expected."""
    _to(event, "released", [user])


def person_invited(event: Event, user: User) -> None:
    """Invite ``user`` alone to ``event`` (someone back in the cohort)."""
    _to(event, "scheduled", [user])


def event_cancelled(event: Event) -> None:
    """Tell the people ``event`` expected that it is cancelled."""
    _to(event, "cancelled", expected_users(event))


#: When an event moved from and to: its (starts_at, ends_at) before the move, by event id.
Before = dict[int, tuple[datetime, datetime]]


def events_moved(events: list[Event], before: Before) -> int:
    """Tell each person, in one e-mail, every meeting of theirs that moved; return how many.

    A batch of moves (a planning table saved, a cohort's start date changed) is one notice
    per person, not one per event: the e-mail lists each move (from, to) and its calendar
    file holds one VEVENT per moved meeting, whose raised SEQUENCE updates their copy. A
    meeting already over is not announced: nobody's calendar needs it any more.
    """
    now = now_utc()
    told = [
        event
        for event in events
        if event.is_meeting
        and not event.is_cancelled
        and event.ends_at > now
        and before.get(event.id, (event.starts_at, event.ends_at))
        != (event.starts_at, event.ends_at)
    ]
    if not told:
        return 0
    load_details(told)
    people: dict[int, tuple[User, str, int, list[Event]]] = {}
    names: dict[int, dict[int, str]] = {}
    for event in told:
        if event.cohort_id not in names:
            names[event.cohort_id] = _shown_names(event)
        for person in expected_people(event):
            user = person.user
            entry = people.setdefault(
                user.id,
                (user, names[event.cohort_id].get(user.id, person.name), event.cohort_id, []),
            )
            entry[3].append(event)
    for user, name, cohort_id, moved in people.values():
        _notify_moves(user, name, cohort_id, moved, before)
    logger.info("%d events moved: one notice to each of %d people", len(told), len(people))
    return len(people)


def _notify_moves(
    user: User, name: str, cohort_id: int, events: list[Event], before: Before
) -> None:
    events = sorted(events, key=lambda event: (event.starts_at, event.id))
    with force_locale(user.locale):
        moves = [
            {
                "event": event,
                "was": span_between(event, *before[event.id]),
                "now": span(event),
                "link": event_page_url(event),
            }
            for event in events
        ]
        subject = ngettext(
            "Changement de calendrier : %(num)d rendez-vous déplacé",
            "Changement de calendrier : %(num)d rendez-vous déplacés",
            len(events),
        )
        body = render_template("mail/events_moved.txt", name=name, moves=moves)
        ics = build_batch_message(
            events,
            attendee=CalendarUser(email=user.email, name=name),
            organizer=organizer(),
            event_url=event_page_url,
            uid_host=uid_host(),
        )
    mail.queue(
        mail.Message(
            to=user.email,
            subject=subject,
            body=body,
            attachment_name="evenements.ics",
            attachment_type=mime_type(Method.REQUEST),
            attachment=ics,
        ),
        cohort_id=cohort_id,
    )


def reminder_key(event: Event, kind: str, user: User) -> str:
    """Return the key that makes one reminder unique: event, its date, which one, to whom."""
    return f"{kind}:{event.id}:{event.starts_at:%Y%m%dT%H%M}:{user.id}"


def send_due_reminders(now: datetime | None = None) -> int:
    """Queue every reminder due at ``now`` that was not queued yet; return how many.

    A reminder is due once its moment (7 days, 1 day before) has passed, if the event
    already existed then and has not started; the 7-day one is dropped once the 1-day one is
    due. Keys make a second run, a retry or a second scheduler queue nothing more.
    """
    now = now or now_utc()
    events = db.session.scalars(
        select(Event)
        .where(
            Event.status == EventStatus.PLANNED,
            Event.is_meeting,
            Event.starts_at > now,
            Event.starts_at <= now + REMINDERS[0][0],
        )
        .options(
            selectinload(Event.cohort),
            selectinload(Event.territory),
            selectinload(Event.items),
            selectinload(Event.documents),
        )
        .order_by(Event.starts_at)
    ).all()
    queued = 0
    for event in events:
        kind = _due_reminder(event, now)
        if kind is None:
            continue
        for person in expected_people(event):
            key = reminder_key(event, kind, person.user)
            if _notify(event, person.user, kind, name=person.name, dedup_key=key):
                queued += 1
    logger.info("Reminders: %d queued", queued)
    return queued


def _due_reminder(event: Event, now: datetime) -> str | None:
    for before, kind in reversed(REMINDERS):  # the nearest reminder wins
        moment = event.starts_at - before
        if now >= moment:
            return kind if event.created_at <= moment else None
    return None
