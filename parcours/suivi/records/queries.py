"""Reading follow-up records: a territory's list, one record's page, what prepares the next one.

Every function takes what the reader may see into account through its ``team`` argument
(``permissions.sees_team_blocks``): summaries are built from ``FollowUpRecord.blocks``, so
no « accompagnement uniquement » text reaches the binôme through a list either. Each page
runs a fixed number of queries, whatever the number of records.
"""

from dataclasses import dataclass
from datetime import date, datetime
from html import unescape

import nh3
from sqlalchemy import exists, func, select
from sqlalchemy.orm import joinedload, selectinload

from parcours.accounts.models import User
from parcours.agenda.formatting import span
from parcours.agenda.models import Event, EventStatus
from parcours.cohorts.models import Territory
from parcours.core.extensions import db
from parcours.core.markdown import render
from parcours.core.time import now_utc
from parcours.suivi.models import RECORDED_KINDS, FollowUpRecord

#: The meetings a record is written for.
#: A summary in a list is at most this long.
SUMMARY_LENGTH = 240
#: The blocks a summary is taken from, the most telling first.
_SUMMARY_ORDER = ("decisions", "notes", "agenda", "team_notes")


def record_of_event(event: Event) -> FollowUpRecord | None:
    """Return the record of ``event``, deleted or not."""
    return db.session.scalar(select(FollowUpRecord).where(FollowUpRecord.event_id == event.id))


def plain_summary(text: str, length: int = SUMMARY_LENGTH) -> str:
    """Return a Markdown text as one line of plain text, cut at ``length`` characters."""
    plain = nh3.clean(str(render(text)), tags=set())  # the words, none of the markup
    words = " ".join(unescape(plain).split())
    if len(words) <= length:
        return words
    return words[: length - 1].rsplit(" ", 1)[0] + "…"


def summary(record: FollowUpRecord, *, team: bool) -> str:
    """Return the first lines a reader may read of ``record``: its decisions, else its notes…"""
    readable = {name: text for name, text, _visibility in record.blocks(team=team) if text.strip()}
    for name in _SUMMARY_ORDER:
        if name in readable:
            return plain_summary(readable[name])
    return ""


@dataclass(frozen=True)
class Listed:
    """A record as the territory's list shows it."""

    record: FollowUpRecord
    summary: str
    open_items: int
    items: int


def territory_records(territory: Territory, *, team: bool) -> list[Listed]:
    """Return the territory's records, newest first, each with its summary (two queries)."""
    records = db.session.scalars(
        select(FollowUpRecord)
        .where(FollowUpRecord.territory_id == territory.id, FollowUpRecord.deleted_at.is_(None))
        .options(joinedload(FollowUpRecord.event), selectinload(FollowUpRecord.action_items))
        .order_by(FollowUpRecord.held_on.desc(), FollowUpRecord.id.desc())
    ).all()
    return [
        Listed(
            record=record,
            summary=summary(record, team=team),
            open_items=sum(not item.is_done for item in record.action_items),
            items=len(record.action_items),
        )
        for record in records
    ]


def deleted_records(territory: Territory) -> list[FollowUpRecord]:
    """Return the territory's deleted records, last deleted first, with who deleted them."""
    return list(
        db.session.scalars(
            select(FollowUpRecord)
            .where(
                FollowUpRecord.territory_id == territory.id, FollowUpRecord.deleted_at.is_not(None)
            )
            .options(joinedload(FollowUpRecord.event))
            .order_by(FollowUpRecord.deleted_at.desc(), FollowUpRecord.id.desc())
        )
    )


def deleters(records: list[FollowUpRecord]) -> dict[int, str]:
    """Return the name of whoever deleted each record, by user id (one query)."""
    ids = {record.deleted_by_id for record in records if record.deleted_by_id}
    if not ids:
        return {}
    return dict(db.session.execute(select(User.id, User.full_name).where(User.id.in_(ids))).all())


def previous_record(
    territory: Territory, before: FollowUpRecord | None = None
) -> FollowUpRecord | None:
    """Return the territory's latest record (before ``before``, if given): its decisions lead
    the next meeting."""
    query = select(FollowUpRecord).where(
        FollowUpRecord.territory_id == territory.id, FollowUpRecord.deleted_at.is_(None)
    )
    if before is not None:
        query = query.where(
            (FollowUpRecord.held_on < before.held_on)
            | ((FollowUpRecord.held_on == before.held_on) & (FollowUpRecord.id < before.id))
        )
    return db.session.scalar(
        query.order_by(FollowUpRecord.held_on.desc(), FollowUpRecord.id.desc()).limit(1)
    )


def meetings_awaiting_a_record(territory: Territory, now: datetime | None = None) -> list[Event]:
    """Return the territory's follow-ups and bilatérales already begun that have no record."""
    return list(
        db.session.scalars(
            select(Event)
            .where(
                Event.territory_id == territory.id,
                Event.kind.in_(RECORDED_KINDS),
                Event.status == EventStatus.PLANNED,
                Event.starts_at <= (now or now_utc()),
                ~exists().where(FollowUpRecord.event_id == Event.id),
            )
            .order_by(Event.starts_at.desc())
        )
    )


@dataclass(frozen=True)
class UpcomingMeeting:
    """A follow-up ahead, as a menu offers it."""

    id: int
    label: str


def upcoming_follow_ups(territory: Territory, now: datetime | None = None) -> list[Event]:
    """Return the territory's follow-ups and bilatérales still ahead, soonest first."""
    return list(
        db.session.scalars(
            select(Event)
            .where(
                Event.territory_id == territory.id,
                Event.kind.in_(RECORDED_KINDS),
                Event.status == EventStatus.PLANNED,
                Event.starts_at > (now or now_utc()),
            )
            .options(joinedload(Event.cohort))
            .order_by(Event.starts_at, Event.id)
        )
    )


def upcoming_choices(events: list[Event]) -> list[UpcomingMeeting]:
    """Name each upcoming meeting by its title and its time, for a menu."""
    return [UpcomingMeeting(event.id, f"{event.title} — {span(event)}") for event in events]


def participants(record: FollowUpRecord) -> list[User]:
    """Return the people ticked as present, by name (one query)."""
    if not record.participant_ids:
        return []
    return list(
        db.session.scalars(
            select(User).where(User.id.in_(record.participant_ids)).order_by(User.search_key)
        )
    )


def authors(record: FollowUpRecord) -> dict[int, str]:
    """Return the names of who wrote and last changed ``record``, by id (one query)."""
    ids = {record.created_by_id, record.updated_by_id, record.deleted_by_id} - {None}
    if not ids:
        return {}
    return dict(db.session.execute(select(User.id, User.full_name).where(User.id.in_(ids))).all())


@dataclass(frozen=True)
class TerritorySuivi:
    """What the territory's page says of its suivi."""

    records: int
    last_id: int | None
    last_on: date | None
    open_items: int
    overdue_items: int
    next_id: int | None
    next_title: str | None
    next_starts_at: datetime | None


def territory_suivi(
    territory: Territory, today: date, now: datetime | None = None
) -> TerritorySuivi:
    """Sum up the territory's suivi in one statement (its page has a query budget): how many
    records and the last one, its open and late items, its next follow-up."""
    from parcours.suivi.actions.queries import alive_clause
    from parcours.suivi.models import ActionItem

    alive = (FollowUpRecord.territory_id == territory.id) & FollowUpRecord.deleted_at.is_(None)
    last = (
        select(FollowUpRecord.id)
        # A record prepared ahead of its meeting is not the last one yet.
        .where(alive, FollowUpRecord.held_on <= today)
        .order_by(FollowUpRecord.held_on.desc(), FollowUpRecord.id.desc())
        .limit(1)
    )
    upcoming = (
        select(Event.id)
        .where(
            Event.territory_id == territory.id,
            Event.kind.in_(RECORDED_KINDS),
            Event.status == EventStatus.PLANNED,
            Event.starts_at > (now or now_utc()),
        )
        .order_by(Event.starts_at, Event.id)
        .limit(1)
    )
    still_open = (
        (ActionItem.territory_id == territory.id) & ActionItem.done_at.is_(None) & alive_clause()
    )
    items = select(func.count(ActionItem.id)).where(still_open)
    row = db.session.execute(
        select(
            select(func.count(FollowUpRecord.id)).where(alive).scalar_subquery(),
            last.scalar_subquery(),
            last.with_only_columns(FollowUpRecord.held_on).scalar_subquery(),
            items.scalar_subquery(),
            items.where(ActionItem.due_on < today).scalar_subquery(),
            upcoming.scalar_subquery(),
            upcoming.with_only_columns(Event.title).scalar_subquery(),
            upcoming.with_only_columns(Event.starts_at).scalar_subquery(),
        )
    ).one()
    records, last_id, last_on, open_items, overdue, next_id, next_title, next_starts_at = row
    return TerritorySuivi(
        records=records or 0,
        last_id=last_id,
        last_on=last_on,
        open_items=open_items or 0,
        overdue_items=overdue or 0,
        next_id=next_id,
        next_title=next_title,
        next_starts_at=next_starts_at,
    )


def record_items(record: FollowUpRecord) -> list:
    """Return the record's action items, owner and territory loaded (one query)."""
    from parcours.suivi.models import ActionItem

    return list(
        db.session.scalars(
            select(ActionItem)
            .where(ActionItem.record_id == record.id)
            .options(joinedload(ActionItem.owner), joinedload(ActionItem.territory))
            .order_by(ActionItem.id)
        )
    )
