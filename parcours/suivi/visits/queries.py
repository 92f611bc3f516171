"""Read-side of field-visit reports: each page's data in a fixed number of queries."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Integer, String, cast, func, null, select, union_all
from sqlalchemy.orm import joinedload

from parcours.accounts.models import User
from parcours.agenda.models import Event, EventKind, EventStatus
from parcours.cohorts.models import Territory
from parcours.core.db import UTCDateTime
from parcours.core.extensions import db
from parcours.core.time import now_utc
from parcours.suivi.models import (
    ActionItem,
    Attachment,
    FieldVisitReport,
    StakeholderMet,
    Tag,
    TagKind,
)


def report_of_event(event_id: int) -> FieldVisitReport | None:
    """Return the report of a field visit, deleted or not, if it has one."""
    return db.session.scalar(select(FieldVisitReport).where(FieldVisitReport.event_id == event_id))


@dataclass(frozen=True)
class ReportRow:
    """A report as the territory's list shows it."""

    id: int
    visited_on: date
    places: str
    event_title: str | None
    stakeholders: int
    attachments: int
    deleted: bool


@dataclass(frozen=True)
class VisitToReport:
    """A field visit begun, not cancelled, that has no report yet."""

    id: int
    title: str
    starts_at: datetime
    ends_at: datetime


@dataclass(frozen=True)
class TerritoryVisits:
    reports: list[ReportRow]  # newest first
    to_report: list[VisitToReport]  # oldest first


def territory_visits(territory: Territory, *, with_deleted: bool) -> TerritoryVisits:
    """Return a territory's visit reports and its visits still to report, in one query.

    ``with_deleted`` adds the deleted reports (for the team, who may see them restored).
    The territory's field visits come with their report, if any; then the reports whose
    visit is gone (or that never had one).
    """
    people = (
        select(func.count(StakeholderMet.id))
        .where(StakeholderMet.report_id == FieldVisitReport.id)
        .scalar_subquery()
    )
    files = (
        select(func.count(Attachment.id))
        .where(Attachment.visit_report_id == FieldVisitReport.id, Attachment.removed_at.is_(None))
        .scalar_subquery()
    )
    report_columns = (
        FieldVisitReport.id,
        FieldVisitReport.visited_on,
        FieldVisitReport.places,
        FieldVisitReport.deleted_at,
        people,
        files,
    )
    with_visit = (
        select(*report_columns, Event.id, Event.title, Event.starts_at, Event.ends_at, Event.status)
        .select_from(Event)
        .outerjoin(FieldVisitReport, FieldVisitReport.event_id == Event.id)
        .where(Event.territory_id == territory.id, Event.kind == EventKind.FIELD_VISIT)
    )
    without_visit = select(
        *report_columns,
        cast(null(), Integer),
        cast(null(), String),
        cast(null(), UTCDateTime),
        cast(null(), UTCDateTime),
        cast(null(), String),
    ).where(FieldVisitReport.territory_id == territory.id, FieldVisitReport.event_id.is_(None))
    reports, to_report = [], []
    now = now_utc()
    for row in db.session.execute(union_all(with_visit, without_visit)):
        report_id, day, places, deleted_at, count, attached = row[:6]
        event_id, title, starts_at, ends_at, status = row[6:]
        if report_id is None:
            if status != EventStatus.CANCELLED and starts_at <= now:
                to_report.append(VisitToReport(event_id, title, starts_at, ends_at))
        elif deleted_at is None or with_deleted:
            reports.append(
                ReportRow(report_id, day, places, title, count, attached, deleted_at is not None)
            )
    reports.sort(key=lambda r: (r.visited_on, r.id), reverse=True)
    to_report.sort(key=lambda v: (v.starts_at, v.id))
    return TerritoryVisits(reports, to_report)


@dataclass(frozen=True)
class StakeholderGroup:
    """The people met of one type of partie prenante."""

    code: str
    label: str
    people: list[StakeholderMet]


@dataclass(frozen=True)
class ReportPage:
    """What a report's page shows besides the report itself."""

    groups: list[StakeholderGroup]
    thematics: list[str]  # names, in the curriculum's order
    competences: list[tuple[str, str]]  # (code, label), in the curriculum's order
    tags: list[Tag]
    written_by: User | None
    updated_by: User | None
    deleted_by: User | None


def report_page(report: FieldVisitReport) -> ReportPage:
    """Gather a report's people by type, its tags in the curriculum's words, and its authors."""
    curriculum = report.territory.cohort.curriculum
    tags = tags_of(report)
    people = defaultdict(list)
    for person in report.stakeholders:
        people[person.kind].append(person)
    groups = [
        StakeholderGroup(choice.code, choice.label, people.pop(choice.code))
        for choice in curriculum.stakeholders
        if choice.code in people
    ]
    # Types the curriculum no longer lists are still shown, under their code.
    groups += [StakeholderGroup(code, code, rows) for code, rows in people.items()]
    codes = {(tag.kind, tag.code) for tag in tags}
    names = _users({report.created_by_id, report.updated_by_id, report.deleted_by_id})
    return ReportPage(
        groups=groups,
        thematics=[t.name for t in curriculum.thematics if (TagKind.THEMATIC, t.code) in codes],
        competences=[
            (c.code, c.label)
            for c in curriculum.competences
            if (TagKind.COMPETENCE, c.code) in codes
        ],
        tags=tags,
        written_by=names.get(report.created_by_id),
        updated_by=names.get(report.updated_by_id),
        deleted_by=names.get(report.deleted_by_id),
    )


def items_of(report: FieldVisitReport) -> list[ActionItem]:
    """Return a report's action items, their owners loaded, in the order they were made."""
    return list(
        db.session.scalars(
            select(ActionItem)
            .where(ActionItem.visit_report_id == report.id)
            .options(joinedload(ActionItem.owner))
            .order_by(ActionItem.id)
        )
    )


def tags_of(report: FieldVisitReport) -> list[Tag]:
    """Return a report's thematic and competence tags."""
    return list(
        db.session.scalars(
            select(Tag).where(Tag.visit_report_id == report.id).order_by(Tag.kind, Tag.code)
        )
    )


def _users(ids: set[int | None]) -> dict[int, User]:
    wanted = {identifier for identifier in ids if identifier is not None}
    if not wanted:
        return {}
    return {user.id: user for user in db.session.scalars(select(User).where(User.id.in_(wanted)))}


def stored_report(report_id: int) -> FieldVisitReport | None:
    """Return a report with its territory and cohort, for the pages that load one by id."""
    return db.session.scalar(
        select(FieldVisitReport)
        .where(FieldVisitReport.id == report_id)
        .options(joinedload(FieldVisitReport.territory).joinedload(Territory.cohort))
    )
