"""Agenda operations: the generated timeline, and scheduling events. Callers commit."""

import logging
import secrets
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from parcours.accounts.models import User
from parcours.agenda import queries
from parcours.agenda.formatting import span
from parcours.agenda.models import (
    PER_TERRITORY_KINDS,
    AgendaItem,
    CalendarFeed,
    Event,
    EventDocument,
    EventKind,
    EventStatus,
)
from parcours.cohorts.models import Cohort, Territory, TerritoryStatus
from parcours.core.concurrency import insert_if_absent
from parcours.core.extensions import db
from parcours.core.i18n import format_date
from parcours.core.time import local_to_utc, now_utc
from parcours.curricula.schema import CollectiveSession, PlannedEvent

logger = logging.getLogger(__name__)


def _span(cohort: Cohort, item: CollectiveSession | PlannedEvent) -> tuple[datetime, datetime]:
    first_day = cohort.start_date + timedelta(days=item.offset_days)
    last_day = first_day + timedelta(days=item.duration_days - 1)
    return (
        local_to_utc(first_day, item.start_time, cohort.timezone),
        local_to_utc(last_day, item.end_time, cohort.timezone),
    )


def generate_timeline(cohort: Cohort) -> list[Event]:
    """Create the cohort-wide events its curriculum plans (sessions, comités, assessments)."""
    curriculum = cohort.curriculum
    events = []
    for session in curriculum.sessions:
        starts_at, ends_at = _span(cohort, session)
        events.append(
            Event(
                cohort=cohort,
                kind=EventKind.SESSION,
                code=session.code,
                title=session.title,
                description=session.description or "",
                starts_at=starts_at,
                ends_at=ends_at,
            )
        )
    for planned in curriculum.events:
        if planned.per_territory:
            continue
        starts_at, ends_at = _span(cohort, planned)
        events.append(
            Event(
                cohort=cohort,
                kind=planned.kind,
                code=planned.code,
                title=planned.title,
                description=planned.description or "",
                starts_at=starts_at,
                ends_at=ends_at,
            )
        )
    for moment in curriculum.assessment_moments:
        first_day = cohort.start_date + timedelta(days=moment.offset_days)
        events.append(
            Event(
                cohort=cohort,
                kind=EventKind.ASSESSMENT,
                code=moment.code,
                title=moment.name,
                starts_at=_midnight(first_day, cohort.timezone),
                ends_at=_midnight(first_day + timedelta(days=moment.window_days), cohort.timezone),
            )
        )
    db.session.add_all(events)
    db.session.flush()
    logger.info("Timeline of cohort %s generated: %d events", cohort.id, len(events))
    return events


def _midnight(day: date, tz: str) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=ZoneInfo(tz)).astimezone(ZoneInfo("UTC"))


def sync_territory_events(territory: Territory, changed_by: User | None = None) -> None:
    """Keep a territory's own events in line with its solicitation status.

    An accepted territory gets the per-territory events its curriculum plans (those it has
    not got yet). A territory that leaves the cohort keeps its history: events already held
    stay, and upcoming ones are cancelled (people are told, calendars show them cancelled),
    never deleted.
    """
    events = db.session.scalars(select(Event).where(Event.territory_id == territory.id)).all()
    if territory.status != TerritoryStatus.ACCEPTED:
        now = now_utc()
        for event in events:
            if event.status == EventStatus.PLANNED and event.starts_at > now:
                cancel_event(event, changed_by)
        return
    planned_codes = {event.code for event in events if event.status == EventStatus.PLANNED}
    cohort = territory.cohort
    for planned in cohort.curriculum.events:
        if not planned.per_territory or planned.code in planned_codes:
            continue
        starts_at, ends_at = _span(cohort, planned)
        db.session.add(
            Event(
                cohort=cohort,
                territory=territory,
                kind=planned.kind,
                code=planned.code,
                title=planned.title,
                description=planned.description or "",
                starts_at=starts_at,
                ends_at=ends_at,
            )
        )
    db.session.flush()


def shift_cohort_events(cohort: Cohort, days: int, from_zone: str | None = None) -> None:
    """Move every event of ``cohort`` (and its programme) by ``days``.

    Wall-clock times stay: a session at 09:30 in ``from_zone`` (the cohort's zone before an
    edit) is at 09:30 in the cohort's zone afterwards.
    """
    old_zone = ZoneInfo(from_zone or cohort.timezone)
    new_zone = ZoneInfo(cohort.timezone)
    if not days and old_zone == new_zone:
        return

    def moved(moment: datetime) -> datetime:
        local = moment.astimezone(old_zone).replace(tzinfo=None) + timedelta(days=days)
        return local.replace(tzinfo=new_zone).astimezone(ZoneInfo("UTC"))

    events = db.session.scalars(
        select(Event).where(Event.cohort_id == cohort.id).options(selectinload(Event.items))
    )
    for event in events:
        event.starts_at, event.ends_at = moved(event.starts_at), moved(event.ends_at)
        for item in event.items:
            item.starts_at, item.ends_at = moved(item.starts_at), moved(item.ends_at)
        event.sequence += 1
        event.updated_at = now_utc()
    db.session.flush()


# Scheduling ----------------------------------------------------------------------------


class EventError(ValueError):
    """A refused event change; ``str()`` is translated, ``field`` names the form field.

    ``item`` is the position of a programme line in ``EventDraft.items`` when the error is
    that line's (``field`` then names the line's field).
    """

    def __init__(self, message: str, field: str | None = None, item: int | None = None):
        super().__init__(message)
        self.field = field
        self.item = item


@dataclass(frozen=True)
class ItemDraft:
    starts_at: datetime
    ends_at: datetime
    kind: str
    title: str
    speaker: str = ""


@dataclass(frozen=True)
class DocumentDraft:
    title: str
    url: str


@dataclass
class EventDraft:
    """What a form (or a script) says an event should be."""

    kind: str
    title: str
    starts_at: datetime
    ends_at: datetime
    territory: Territory | None = None
    description: str = ""
    venue_name: str = ""
    venue_address: str = ""
    access_notes: str = ""
    online_url: str = ""
    speakers: str = ""
    thematics: list[str] = field(default_factory=list)
    items: list[ItemDraft] = field(default_factory=list)
    documents: list[DocumentDraft] = field(default_factory=list)


#: Longest meeting (a self-assessment window is generated, not typed, and may be longer).
MAX_EVENT_LENGTH = timedelta(days=7)

#: Fields whose change calendar applications must see (they raise SEQUENCE).
_CALENDAR_FIELDS = (
    "kind",
    "title",
    "starts_at",
    "ends_at",
    "description",
    "venue_name",
    "venue_address",
    "access_notes",
    "online_url",
    "speakers",
    "thematics",
)
_PLACE_FIELDS = ("starts_at", "ends_at", "venue_name", "venue_address", "online_url")


def validate(cohort: Cohort, draft: EventDraft) -> None:
    """Refuse a draft that cannot be saved; raise the first EventError of problems()."""
    found = problems(cohort, draft)
    if found:
        raise found[0]


def problems(cohort: Cohort, draft: EventDraft) -> list[EventError]:
    """Return every reason to refuse a draft, each naming its field: all said at once."""
    found = []
    if draft.ends_at <= draft.starts_at:
        found.append(EventError(_("La fin doit être après le début."), "end_time"))
    elif EventKind(draft.kind).is_meeting and draft.ends_at - draft.starts_at > MAX_EVENT_LENGTH:
        found.append(
            EventError(
                _("Un événement dure au plus %(days)d jours.", days=MAX_EVENT_LENGTH.days),
                "end_date",
            )
        )
    if EventKind(draft.kind) in PER_TERRITORY_KINDS:
        if draft.territory is None:
            found.append(EventError(_("Choisissez le territoire concerné."), "territory"))
        elif draft.territory.cohort_id != cohort.id:
            found.append(EventError(_("Ce territoire n'appartient pas à la cohorte."), "territory"))
    elif draft.territory is not None:
        found.append(EventError(_("Ce type d'événement concerne toute la cohorte."), "territory"))
    known = {t.code for t in cohort.curriculum.thematics}
    if any(code not in known for code in draft.thematics):
        found.append(EventError(_("Thématique inconnue."), "thematics"))
    for index, item in enumerate(draft.items):
        if item.ends_at <= item.starts_at:
            found.append(
                EventError(
                    _("« %(title)s » : la fin doit être après le début.", title=item.title),
                    "end_time",
                    index,
                )
            )
        elif draft.ends_at > draft.starts_at and (
            item.starts_at < draft.starts_at or item.ends_at > draft.ends_at
        ):  # against an event that ends before it starts, every line would be « outside »
            found.append(
                EventError(
                    _("« %(title)s » sort des horaires de l'événement.", title=item.title),
                    "start_time" if item.starts_at < draft.starts_at else "end_time",
                    index,
                )
            )
    return found


def warnings(cohort: Cohort, draft: EventDraft, event: Event | None = None) -> list[str]:
    """Return what deserves a second look before saving: dates outside the cohort, clashes."""
    from parcours.agenda.queries import expected_people

    found = []
    zone = ZoneInfo(cohort.timezone)
    if (
        draft.starts_at.astimezone(zone).date() < cohort.start_date
        or draft.ends_at.astimezone(zone).date() > cohort.end_date
    ):
        found.append(
            _(
                "L'événement est en dehors des dates de la cohorte (du %(start)s au %(end)s).",
                start=format_date(cohort.start_date),
                end=format_date(cohort.end_date),
            )
        )
    if not EventKind(draft.kind).is_meeting:
        return found
    probe = Event(
        cohort_id=cohort.id,
        kind=draft.kind,
        territory=draft.territory,
        territory_id=draft.territory.id if draft.territory else None,
    )
    expected = {p.user.id: p.name for p in expected_people(probe)}
    if probe in db.session:  # never save the probe
        db.session.expunge(probe)
    overlapping = db.session.scalars(
        select(Event).where(
            Event.cohort_id == cohort.id,
            Event.status == EventStatus.PLANNED,
            Event.is_meeting,
            Event.starts_at < draft.ends_at,
            Event.ends_at > draft.starts_at,
            Event.id != (event.id if event is not None else -1),
        )
    ).all()
    for other in overlapping:
        shared = sorted(
            expected[p.user.id] for p in expected_people(other) if p.user.id in expected
        )
        if shared:
            found.append(
                _(
                    "Chevauche « %(title)s » (%(when)s) pour %(people)s.",
                    title=other.title,
                    when=span(other),
                    people=", ".join(shared[:5]) + ("…" if len(shared) > 5 else ""),
                )
            )
    return found


def _apply(event: Event, draft: EventDraft) -> None:
    event.kind = draft.kind
    event.title = draft.title.strip()
    event.starts_at = draft.starts_at
    event.ends_at = draft.ends_at
    event.territory = draft.territory
    for name in (
        "description",
        "venue_name",
        "venue_address",
        "access_notes",
        "online_url",
        "speakers",
    ):
        setattr(event, name, (getattr(draft, name) or "").strip())
    event.thematics = list(draft.thematics)
    event.items = [
        AgendaItem(
            starts_at=i.starts_at,
            ends_at=i.ends_at,
            kind=i.kind,
            title=i.title.strip(),
            speaker=i.speaker.strip(),
        )
        for i in sorted(draft.items, key=lambda i: i.starts_at)
    ]
    event.documents = [
        EventDocument(title=d.title.strip(), url=d.url.strip()) for d in draft.documents
    ]


def _snapshot(event: Event) -> tuple:
    items = tuple((i.starts_at, i.ends_at, i.kind, i.title, i.speaker) for i in event.items)
    documents = tuple((d.title, d.url) for d in event.documents)
    fields = tuple(
        tuple(v) if isinstance(v := getattr(event, name), list) else v for name in _CALENDAR_FIELDS
    )
    return (*fields, event.territory_id, items, documents)


def create_event(cohort: Cohort, draft: EventDraft, created_by: User) -> Event:
    """Schedule a new event and invite the people it expects."""
    from parcours.agenda import notifications

    validate(cohort, draft)
    event = Event(cohort=cohort, created_by=created_by, sequence=0, status=EventStatus.PLANNED)
    _apply(event, draft)
    db.session.add(event)
    db.session.flush()
    notifications.event_scheduled(event)
    logger.info("Event %s created in cohort %s by user %s", event.id, cohort.id, created_by.id)
    return event


def update_event(event: Event, draft: EventDraft, changed_by: User) -> bool:
    """Change an event; return True if anything changed (SEQUENCE then grows)."""
    from parcours.agenda import notifications

    if event.is_cancelled:
        raise EventError(_("Un événement annulé ne peut plus être modifié."))
    validate(event.cohort, draft)
    moves = (draft.starts_at, draft.ends_at) != (event.starts_at, event.ends_at)
    if moves and event.dates_frozen:
        raise EventError(
            _(
                "Des présences sont déjà relevées pour cet événement : ses dates ne peuvent "
                "plus changer. Annulez-le et programmez-en un autre si besoin."
            ),
            "start_date",
        )
    before = _snapshot(event)
    place_before = tuple(getattr(event, name) for name in _PLACE_FIELDS)
    people_before = notifications.expected_users(event)
    _apply(event, draft)
    db.session.flush()
    # Who is expected follows from the kind and the territory, both in the snapshot: a change
    # of audience always raises SEQUENCE, so the cancellation sent to someone no longer
    # expected outranks the invitation they had.
    if _snapshot(event) == before:
        return False
    event.sequence += 1
    event.updated_at = now_utc()
    db.session.flush()
    moved = tuple(getattr(event, name) for name in _PLACE_FIELDS) != place_before
    notifications.event_changed(event, people_before, moved=moved)
    logger.info(
        "Event %s updated by user %s (sequence %s)", event.id, changed_by.id, event.sequence
    )
    return True


def cancel_event(event: Event, cancelled_by: User | None) -> None:
    """Cancel an event: it stays visible as cancelled and everyone expected is told."""
    from parcours.agenda import notifications

    if event.is_cancelled:
        raise EventError(_("Cet événement est déjà annulé."))
    event.status = EventStatus.CANCELLED
    event.cancelled_at = event.updated_at = now_utc()
    event.sequence += 1
    db.session.flush()
    notifications.event_cancelled(event)
    logger.info(
        "Event %s cancelled by user %s", event.id, cancelled_by.id if cancelled_by else None
    )


# Calendar feeds ----------------------------------------------------------------------------


def feed_for(user: User) -> CalendarFeed:
    """Return the calendar feed of ``user``, creating it on first use.

    Several first requests may arrive at once (« Obtenir mon adresse » clicked twice): one
    creates the feed, the others wait for it and get it.
    """
    feed = queries.feed_of(user)
    if feed is None:
        if insert_if_absent(
            CalendarFeed, conflict=("user_id",), user_id=user.id, token=_new_token()
        ):
            logger.info("Calendar feed created for user %s", user.id)
        feed = queries.feed_of(user)
    return feed


def regenerate_feed(user: User) -> CalendarFeed:
    """Give ``user`` a new feed token; the old URL stops working."""
    feed = feed_for(user)
    feed.token = _new_token()
    db.session.flush()
    logger.info("Calendar feed of user %s regenerated", user.id)
    return feed


def _new_token() -> str:
    return secrets.token_urlsafe(32)
