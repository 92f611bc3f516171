"""Read-side of the agenda: a cohort's timeline, who is expected, events, feed addresses."""

from dataclasses import dataclass
from datetime import date, datetime
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from flask import current_app, has_request_context, request
from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from parcours.accounts.models import User
from parcours.agenda import ical
from parcours.agenda.models import CalendarFeed, Event, EventKind, EventLabels, EventStatus
from parcours.agenda.permissions import visible_events_clause
from parcours.cohorts.models import (
    Cohort,
    Membership,
    Role,
    Territory,
    TerritoryStatus,
    add_months,
)
from parcours.cohorts.permissions import can_manage_cohort
from parcours.core.extensions import db
from parcours.core.text import sort_key
from parcours.core.urls import absolute_url
from parcours.curricula.schema import natural_key


@dataclass(frozen=True)
class TimelineEntry(EventLabels):
    """One line of the timeline: a cohort event, or the events a curriculum plans per territory."""

    code: str
    kind: str
    title: str
    starts_at: datetime
    ends_at: datetime
    status: str = EventStatus.PLANNED
    territory_count: int = 0
    event_id: int | None = None


@dataclass(frozen=True)
class TimelinePhase:
    """A phase of the curriculum with its dates and its events: frozen, so that pages can keep
    its rendering (core/fragments.py)."""

    code: str
    name: str
    starts_on: date
    ends_on: date
    steps: tuple[str, ...]
    entries: tuple[TimelineEntry, ...] = ()


def cohort_timeline(
    cohort: Cohort, viewer: User, territory_id: int | None = None
) -> tuple[TimelinePhase, ...]:
    """Return the phases of ``cohort`` with the events ``viewer`` may see, in one query.

    Per-territory events are folded into one entry per curriculum code (the earliest start,
    the latest end, how many), except those of ``territory_id`` (a territory's page shows its
    own bilatérale with its real date).
    """
    # Per-territory events of other territories are only counted: fold them in SQL, one row per
    # curriculum code, instead of loading each of them (five per territory) to count it.
    shown = Event.territory_id.is_(None)
    if territory_id is not None:
        shown = or_(shown, Event.territory_id == territory_id)
    shown_id = case((shown, Event.id)).label("shown_id")
    rows = db.session.execute(
        select(
            shown_id,
            Event.code,
            func.min(Event.kind),
            func.min(Event.title),
            func.min(Event.status),
            func.min(Event.starts_at),
            func.max(Event.ends_at),
            func.count(),
        )
        .where(Event.cohort_id == cohort.id, visible_events_clause(viewer, [cohort.id]))
        .group_by(shown_id, Event.code)
    )
    entries = [
        TimelineEntry(
            code=code,
            kind=kind,
            title=title,
            starts_at=starts_at,
            ends_at=ends_at,
            # A folded line stands for several territories' meetings, not for one event.
            status=status if event_id is not None else "planned",
            territory_count=0 if event_id is not None else count,
            event_id=event_id,
        )
        for event_id, code, kind, title, status, starts_at, ends_at, count in rows
    ]
    ordered = sorted(entries, key=lambda e: (e.starts_at, natural_key(e.code), e.event_id or 0))
    phases = cohort.curriculum.phases
    bounds = [add_months(cohort.start_date, phase.end_month) for phase in phases]
    zone = ZoneInfo(cohort.timezone)
    by_phase: list[list[TimelineEntry]] = [[] for _ in phases]
    for entry in ordered:
        by_phase[_phase_index(bounds, entry.starts_at.astimezone(zone).date())].append(entry)
    return tuple(
        TimelinePhase(
            code=phase.code,
            name=phase.name,
            starts_on=add_months(cohort.start_date, phase.start_month),
            ends_on=ends_on,
            steps=tuple(phase.steps),
            entries=tuple(phase_entries),
        )
        for phase, ends_on, phase_entries in zip(phases, bounds, by_phase, strict=True)
    )


def _phase_index(bounds: list[date], day: date) -> int:
    """Return the index of the phase ``day`` falls in: the last one for a day after them all."""
    for index, ends_on in enumerate(bounds):
        if day < ends_on:
            return index
    return len(bounds) - 1


@dataclass(frozen=True)
class ExpectedPerson:
    """Someone an event expects, with the territory they represent (None for staff)."""

    user: User
    territory: Territory | None
    role: Role
    # As the cohort shows them: as typed by the coordinator until they accept.
    name: str = ""
    organisation: str = ""


def expected_people(event: Event) -> list[ExpectedPerson]:
    """Return who is expected at ``event``: participants first, grouped by territory.

    Collective events expect the catalyseurs of every accepted territory; a territory's events
    expect its catalyseurs and coach; a comité expects the Comité d'orientation. Coordinators
    are expected at every event except a coach's follow-up or visit.
    """
    query = (
        select(Membership)
        .join(Membership.user)
        .outerjoin(Membership.territory)
        .where(
            Membership.cohort_id == event.cohort_id,
            # An erased person stays expected where they took part (the event began before
            # the erasure), so that the cohort's figures do not change; nowhere after.
            User.active.is_(True) if event.starts_at is None else User.counts_at(event.starts_at),
        )
        .options(selectinload(Membership.user), selectinload(Membership.territory))
    )
    kind = EventKind(event.kind)
    if event.territory_id is not None:
        roles_wanted = [Membership.territory_id == event.territory_id]
        coach_id = event.territory.coach_id if event.territory else None
        if coach_id:
            roles_wanted.append(and_(Membership.role == Role.COACH, Membership.user_id == coach_id))
        if kind == EventKind.BILATERAL:
            roles_wanted.append(Membership.role == Role.COORDINATOR)
    elif kind == EventKind.COMMITTEE:
        roles_wanted = [Membership.role.in_((Role.COMMITTEE, Role.COORDINATOR))]
    else:
        roles_wanted = [
            and_(Membership.role == Role.CATALYSEUR, Territory.status == TerritoryStatus.ACCEPTED),
            Membership.role.in_((Role.COORDINATOR, Role.COACH)),
        ]
    members = db.session.scalars(query.where(or_(*roles_wanted))).all()
    people = [
        ExpectedPerson(
            user=m.user,
            territory=m.territory,
            role=Role(m.role),
            name=m.shown_name,
            organisation=m.shown_organisation,
        )
        for m in members
    ]
    return sorted(
        people,
        key=lambda p: (
            p.role != Role.CATALYSEUR,
            sort_key(p.territory.name) if p.territory else "",
            sort_key(p.name),
        ),
    )


def expected_participants(event: Event) -> list[ExpectedPerson]:
    """Return the catalyseurs (or committee members) expected, without the staff."""
    staff = (Role.COORDINATOR, Role.COACH)
    return [p for p in expected_people(event) if p.role not in staff]


def events_for(
    user: User,
    *,
    cohort_ids: list[int] | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
    as_participant: bool = False,
) -> list[Event]:
    """Return the events ``user`` may see, in time order, with cohort and territory loaded."""
    query = (
        select(Event)
        .where(visible_events_clause(user, cohort_ids, as_participant=as_participant))
        # Many-to-one: joined into the same query rather than two more.
        .options(joinedload(Event.cohort), joinedload(Event.territory))
        .order_by(Event.starts_at, Event.id)
    )
    if start is not None:
        query = query.where(Event.ends_at > start)
    if end is not None:
        query = query.where(Event.starts_at < end)
    return list(db.session.scalars(query))


# Calendar feeds and links ------------------------------------------------------------------


def feed_of(user: User) -> CalendarFeed | None:
    """Return the calendar feed of ``user``, if they have one (every account gets one)."""
    return db.session.scalar(select(CalendarFeed).where(CalendarFeed.user_id == user.id))


def feed_by_token(token: str) -> CalendarFeed | None:
    """Return the feed a calendar application asks for, if its owner's account is active."""
    return db.session.scalar(
        select(CalendarFeed)
        .join(CalendarFeed.user)
        .where(CalendarFeed.token == token, User.active.is_(True))
    )


def feed_urls(feed: CalendarFeed) -> dict[str, str]:
    """Return the ``https`` and ``webcal`` forms of the address of ``feed``."""
    url = absolute_url("agenda.calendar_feed", token=feed.token)
    return {"https": url, "webcal": "webcal://" + url.split("://", 1)[1]}


def event_page_url(event: Event) -> str:
    """Return the absolute URL of the page of ``event``."""
    return absolute_url("agenda.event", event_id=event.id)


def uid_host() -> str:
    """Return the domain of event UIDs: the public address's, so that it never changes."""
    base_url = current_app.config.get("PARCOURS_BASE_URL") or (
        request.host_url if has_request_context() else ""
    )
    return urlsplit(base_url).hostname or "parcours"


def organizer() -> ical.CalendarUser:
    """Return the organiser of every event in calendars: the programme's sender address."""
    return ical.organizer_from(current_app.config["PARCOURS_MAIL_FROM"])


def load_details(events: list[Event]) -> None:
    """Load the agenda items and documents of ``events`` in two queries, whatever their number."""
    if events:
        db.session.scalars(
            select(Event)
            .where(Event.id.in_([event.id for event in events]))
            .options(selectinload(Event.items), selectinload(Event.documents))
        ).all()


def schedulable_territories(user: User, cohort: Cohort) -> list[Territory]:
    """Return the engaged territories ``user`` may schedule meetings for in ``cohort``."""
    query = select(Territory).where(
        Territory.cohort_id == cohort.id, Territory.status == TerritoryStatus.ACCEPTED
    )
    if not can_manage_cohort(user, cohort):
        query = query.where(Territory.coach_id == user.id)
    return list(db.session.scalars(query.order_by(Territory.name)))


def cohort_has_frozen_dates(cohort: Cohort) -> bool:
    """Tell whether attendance is recorded at some event of ``cohort`` (its dates stay)."""
    frozen = select(Event.id).where(Event.cohort_id == cohort.id, Event.dates_frozen)
    return db.session.scalar(frozen.limit(1)) is not None


@dataclass(frozen=True)
class ListedCohort:
    id: int
    timezone: str


@dataclass(frozen=True)
class ListedTerritory:
    id: int
    name: str


@dataclass(frozen=True)
class ListedEvent(EventLabels):
    """An event as lists show it (read-only): what the event_row macro and ``span`` read."""

    id: int
    kind: str
    title: str
    starts_at: datetime
    ends_at: datetime
    status: str
    venue_name: str
    cohort: ListedCohort
    territory: ListedTerritory | None


def event_list_for(
    user: User, *, cohort_ids: list[int] | None = None, as_participant: bool = False
) -> list[ListedEvent]:
    """Return what events_for() returns, as rows for a list: « Mon agenda » lists them all.

    Rows rather than ORM objects: the page only reads them, and loading a cohort's seventy
    events with their cohort and territory as objects was most of the page's time.
    """
    rows = db.session.execute(
        select(
            Event.id,
            Event.kind,
            Event.title,
            Event.starts_at,
            Event.ends_at,
            Event.status,
            Event.venue_name,
            Event.cohort_id,
            Cohort.timezone,
            Event.territory_id,
            Territory.name.label("territory_name"),
        )
        .join(Cohort, Cohort.id == Event.cohort_id)
        .outerjoin(Territory, Territory.id == Event.territory_id)
        .where(visible_events_clause(user, cohort_ids, as_participant=as_participant))
        .order_by(Event.starts_at, Event.id)
    )
    cohorts: dict[int, ListedCohort] = {}
    territories: dict[int, ListedTerritory] = {}
    listed = []
    for row in rows:
        cohort = cohorts.get(row.cohort_id)
        if cohort is None:
            cohort = cohorts[row.cohort_id] = ListedCohort(row.cohort_id, row.timezone)
        territory = None
        if row.territory_id is not None:
            territory = territories.get(row.territory_id)
            if territory is None:
                territory = ListedTerritory(row.territory_id, row.territory_name)
                territories[row.territory_id] = territory
        listed.append(
            ListedEvent(
                id=row.id,
                kind=row.kind,
                title=row.title,
                starts_at=row.starts_at,
                ends_at=row.ends_at,
                status=row.status,
                venue_name=row.venue_name,
                cohort=cohort,
                territory=territory,
            )
        )
    return listed
