"""Agenda operations: the generated timeline, and scheduling events. Callers commit."""

import logging
import secrets
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from parcours.accounts.models import User
from parcours.agenda import queries, slots
from parcours.agenda.days import meeting_days
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
from parcours.audit import operations as audit
from parcours.audit.models import AuditAction
from parcours.cohorts.models import Cohort, Territory, TerritoryStatus
from parcours.core.concurrency import insert_if_absent
from parcours.core.extensions import db
from parcours.core.i18n import format_date
from parcours.core.time import local_to_utc, now_utc
from parcours.curricula.schema import CollectiveSession, PlannedEvent

logger = logging.getLogger(__name__)


def _span(
    cohort: Cohort, item: CollectiveSession | PlannedEvent, first_day: date
) -> tuple[datetime, datetime]:
    last_day = first_day + timedelta(days=item.duration_days - 1)
    return (
        local_to_utc(first_day, item.start_time, cohort.timezone),
        local_to_utc(last_day, item.end_time, cohort.timezone),
    )


def _working_day(cohort: Cohort, offset_days: int, length: int = 1) -> date:
    """Return the day an offset lands on, moved to working days: any start weekday works."""
    calendar = cohort.curriculum.calendar
    return slots.first_working_days(
        cohort.start_date + timedelta(days=offset_days), calendar, length
    )


def generate_timeline(cohort: Cohort) -> list[Event]:
    """Create the cohort-wide events its curriculum plans (sessions, comités, assessments).

    Each lands on working days (a weekend or public holiday moves it to the next one), and a
    comité fed by a self-assessment meets only once that assessment has closed.
    """
    curriculum = cohort.curriculum
    events = []
    for session in curriculum.sessions:
        starts_at, ends_at = _span(
            cohort, session, _working_day(cohort, session.offset_days, session.duration_days)
        )
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
    # Moving an assessment's opening to a working day may move its close past its comité.
    closes: dict[str, date] = {}
    for moment in curriculum.assessment_moments:
        first_day = _working_day(cohort, moment.offset_days)
        closes_on = first_day + timedelta(days=moment.window_days)
        if moment.feeds:
            closes[moment.feeds] = max(closes.get(moment.feeds, closes_on), closes_on)
        events.append(
            Event(
                cohort=cohort,
                kind=EventKind.ASSESSMENT,
                code=moment.code,
                title=moment.name,
                starts_at=_midnight(first_day, cohort.timezone),
                ends_at=_midnight(closes_on, cohort.timezone),
            )
        )
    for planned in curriculum.events:
        if planned.per_territory:
            continue
        first_day = _working_day(cohort, planned.offset_days, planned.duration_days)
        if planned.code in closes and first_day < closes[planned.code]:
            first_day = slots.first_working_days(
                closes[planned.code], curriculum.calendar, planned.duration_days
            )
        starts_at, ends_at = _span(cohort, planned, first_day)
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
    events.sort(key=lambda event: (event.starts_at, event.code))
    db.session.add_all(events)
    db.session.flush()
    logger.info("Timeline of cohort %s generated: %d events", cohort.id, len(events))
    return events


def _midnight(day: date, tz: str) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=ZoneInfo(tz)).astimezone(ZoneInfo("UTC"))


def _busy(cohort: Cohort) -> slots.Busy:
    """Return what the cohort's planned meetings already take: whole days, or time slots."""
    days: set[date] = set()
    intervals = []
    planned = db.session.execute(
        select(Event.territory_id, Event.starts_at, Event.ends_at).where(
            Event.cohort_id == cohort.id,
            Event.status == EventStatus.PLANNED,
            Event.is_meeting,
        )
    )
    for territory_id, starts_at, ends_at in planned:
        if territory_id is None:
            # The whole cohort meets (a session, a comité): nobody's own meeting that day.
            days.update(d.day for d in meeting_days(starts_at, ends_at, cohort.timezone))
        else:
            intervals.append((_aware(starts_at), _aware(ends_at)))
    return slots.Busy(frozenset(days), tuple(sorted(intervals)))


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def sync_territory_events(territory: Territory, changed_by: User | None = None) -> None:
    """Keep a territory's own events in line with its solicitation status.

    An accepted territory gets the per-territory events its curriculum plans (those it has
    not got yet), each in a free slot of its window (slots.py): on a working day with no
    collective session or comité, apart from every other territory's meeting. A territory
    that leaves the cohort keeps its history: events already held stay, and upcoming ones
    are cancelled (people are told, calendars show them cancelled), never deleted.
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
    missing = [
        planned
        for planned in cohort.curriculum.events
        if planned.per_territory and planned.code not in planned_codes
    ]
    if not missing:
        return
    busy = _busy(cohort)
    for planned in missing:
        taken = db.session.scalar(
            select(func.count(Event.id)).where(
                Event.cohort_id == cohort.id,
                Event.code == planned.code,
                Event.territory_id.is_not(None),
                Event.status == EventStatus.PLANNED,
            )
        )
        starts_at, ends_at = slots.find_slot(
            planned,
            first_day=cohort.start_date + timedelta(days=planned.offset_days),
            zone=cohort.timezone,
            calendar=cohort.curriculum.calendar,
            busy=busy,
            position=taken,
            target=cohort.target_territories,
        )
        busy = busy.with_interval(starts_at, ends_at)
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


def shifted(moment: datetime, days: int, old_zone: str, new_zone: str) -> datetime:
    """Return ``moment`` ``days`` later at the same wall-clock time, from one zone to another."""
    local = moment.astimezone(ZoneInfo(old_zone)).replace(tzinfo=None) + timedelta(days=days)
    return local.replace(tzinfo=ZoneInfo(new_zone)).astimezone(ZoneInfo("UTC"))


def shift_cohort_events(cohort: Cohort, days: int, from_zone: str | None = None) -> None:
    """Move every event of ``cohort`` (and its programme) by ``days``.

    Wall-clock times stay: a session at 09:30 in ``from_zone`` (the cohort's zone before an
    edit) is at 09:30 in the cohort's zone afterwards.
    """
    old_zone, new_zone = from_zone or cohort.timezone, cohort.timezone
    if not days and old_zone == new_zone:
        return

    def moved(moment: datetime) -> datetime:
        return shifted(moment, days, old_zone, new_zone)

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


def sends_notices(draft: EventDraft) -> bool:
    """Tell whether saving ``draft`` tells people: an event over is kept as a record, silently."""
    return draft.ends_at > now_utc()


def carry_items(event: Event, draft: EventDraft) -> EventDraft:
    """Move the programme lines the form left as stored by as much as the event's start moved.

    The offset is taken on the wall clock of the cohort's zone, so that a line at 10:00 stays
    at 10:00 across a change of daylight saving time. A line whose times were typed anew (or
    added) is kept as typed. Apply once per save: it compares the draft with what is stored.
    """
    zone = ZoneInfo(event.cohort.timezone)

    def local(moment: datetime) -> datetime:
        return moment.astimezone(zone).replace(tzinfo=None)

    offset = local(draft.starts_at) - local(event.starts_at)
    if not offset:
        return draft
    stored = {(item.starts_at, item.ends_at) for item in event.items}

    def moved(moment: datetime) -> datetime:
        return (local(moment) + offset).replace(tzinfo=zone).astimezone(ZoneInfo("UTC"))

    items = [
        replace(item, starts_at=moved(item.starts_at), ends_at=moved(item.ends_at))
        if (item.starts_at, item.ends_at) in stored
        else item
        for item in draft.items
    ]
    return replace(draft, items=items)


def warnings(cohort: Cohort, draft: EventDraft, event: Event | None = None) -> list[str]:
    """Return what deserves a second look before saving: a past event, dates, clashes."""
    from parcours.agenda.queries import expected_people

    found = []
    if not sends_notices(draft):
        found.append(
            _(
                "Cet événement est terminé : les modifications sont enregistrées pour mémoire, "
                "sans avis de changement aux personnes attendues."
            )
            if event is not None
            else _(
                "Cet événement est dans le passé : il est enregistré pour mémoire, "
                "personne n'y est invité."
            )
        )
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
    """Schedule a new event and invite the people it expects (none to one already over)."""
    from parcours.agenda import notifications

    validate(cohort, draft)
    event = Event(cohort=cohort, created_by=created_by, sequence=0, status=EventStatus.PLANNED)
    _apply(event, draft)
    db.session.add(event)
    db.session.flush()
    if sends_notices(draft):
        notifications.event_scheduled(event)
    logger.info("Event %s created in cohort %s by user %s", event.id, cohort.id, created_by.id)
    return event


def update_event(event: Event, draft: EventDraft, changed_by: User) -> bool:
    """Change an event; return True if anything changed (SEQUENCE then grows).

    People are told unless the event, as saved, is over (see :func:`sends_notices`). The
    draft's programme lines are saved as they are: pass it through :func:`carry_items` first
    for them to follow a move of the event.
    """
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
    if sends_notices(draft):
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
    audit.record(
        AuditAction.RECORD_DELETED,
        actor=cancelled_by,
        cohort=event.cohort_id,
        target=event,
        details={"cancelled": True},
    )
    notifications.event_cancelled(event)
    logger.info(
        "Event %s cancelled by user %s", event.id, cancelled_by.id if cancelled_by else None
    )


# People leaving and coming back -----------------------------------------------------------


def upcoming_events_of(user: User, cohort: Cohort) -> list[Event]:
    """Return the meetings of ``cohort`` not over yet that expect ``user``, in time order."""
    from parcours.agenda.notifications import expected_users

    events = db.session.scalars(
        select(Event)
        .where(
            Event.cohort_id == cohort.id,
            Event.status == EventStatus.PLANNED,
            Event.is_meeting,
            Event.ends_at > now_utc(),
        )
        .order_by(Event.starts_at)
    ).all()
    return [e for e in events if any(person.id == user.id for person in expected_users(e))]


def _raise_sequence(events: list[Event]) -> None:
    # Whom an event expects changed: the notice outranks what the person last received.
    for event in events:
        event.sequence += 1
        event.updated_at = now_utc()
    db.session.flush()


def release_member(user: User, cohort: Cohort) -> list[Event]:
    """Cancel, for ``user`` only, the upcoming meetings of ``cohort`` they were invited to."""
    from parcours.agenda import notifications

    events = upcoming_events_of(user, cohort)
    _raise_sequence(events)
    for event in events:
        notifications.person_released(event, user)
    logger.info("User %s released from %d events of cohort %s", user.id, len(events), cohort.id)
    return events


def invite_member_again(user: User, cohort: Cohort) -> list[Event]:
    """Invite ``user`` again to the upcoming meetings of ``cohort`` that expect them."""
    from parcours.agenda import notifications

    events = upcoming_events_of(user, cohort)
    _raise_sequence(events)
    for event in events:
        notifications.person_invited(event, user)
    logger.info("User %s invited again to %d events of cohort %s", user.id, len(events), cohort.id)
    return events


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
