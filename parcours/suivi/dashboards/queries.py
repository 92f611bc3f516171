"""The dashboards' figures: one row per territory, gathered in one statement whatever the data.

Each figure comes from a grouped subquery (GROUP BY, or ROW_NUMBER() over a window, which
SQLite and PostgreSQL both run), joined to the territories the viewer follows: never a query
per territory. The rows are plain data; sorting and filtering them is done here too, so that
views and templates only show them.
"""

import functools
from collections import Counter
from dataclasses import dataclass, replace
from datetime import date, datetime

from flask import current_app
from sqlalchemy import Date, bindparam, case, func, literal, select
from sqlalchemy.orm import aliased

from parcours.accounts.models import User
from parcours.agenda.models import KIND_LABELS, EventKind, EventStatus
from parcours.agenda.models import Event as AgendaEvent
from parcours.cohorts.models import Cohort, Role, Territory, TerritoryStatus
from parcours.cohorts.queries import cohort_members
from parcours.core.extensions import db
from parcours.core.time import now_utc
from parcours.suivi import permissions as can
from parcours.suivi.actions.queries import local_today
from parcours.suivi.dynamics.queries import MOMENT_RANK, maturity_label
from parcours.suivi.models import (
    ActionItem,
    DynamicsMoment,
    DynamicsSnapshot,
    FieldVisitReport,
    FollowUpRecord,
    JournalEntry,
)

#: The meetings « prochain rendez-vous » looks for.
MEETING_KINDS = (EventKind.FOLLOW_UP, EventKind.BILATERAL, EventKind.FIELD_VISIT)

#: ``coach`` query value of the territories nobody follows.
NO_COACH = "none"


@dataclass(frozen=True)
class NextMeeting:
    event_id: int
    kind: str
    title: str
    starts_at: datetime

    @property
    def kind_label(self):
        return KIND_LABELS[EventKind(self.kind)]


@dataclass(frozen=True)
class TerritorySuivi:
    """One territory's line of a dashboard."""

    territory_id: int
    name: str
    coach_id: int | None
    coach_name: str | None
    last_record_on: date | None
    days_since_record: int | None
    #: No follow-up record for more than the configured days (counted from the cohort's start
    #: while there is none).
    stale: bool
    next_meeting: NextMeeting | None
    open_items: int
    overdue_items: int
    last_entry_on: date | None
    maturity: int | None  # the latest moment recorded
    maturity_label: str | None
    launch_maturity: int | None


def stale_days() -> int:
    """Return N of « sans suivi depuis plus de N jours » (``PARCOURS_SUIVI_STALE_DAYS``)."""
    return current_app.config["PARCOURS_SUIVI_STALE_DAYS"]


def is_stale(last_record_on: date | None, today: date, start: date, days: int) -> bool:
    """Tell whether a territory has gone more than ``days`` without a follow-up record.

    Without any record, the days count from the cohort's start: a cohort that has not started
    has no territory behind.
    """
    since = last_record_on or start
    return since <= today and (today - since).days > days


# The statement ----------------------------------------------------------------------------
#
# Built once per process for each kind of reader (a statement this size takes longer to build
# than to run), with the reader's ids, the cohort, today and now as bound parameters.


def _scope(reading: can.CohortReading):
    """The accepted territories of the cohort whose suivi the reader follows, as a CTE of ids."""
    return (
        select(Territory.id.label("id"))
        .where(
            Territory.cohort_id == bindparam("cohort_id"),
            Territory.status == TerritoryStatus.ACCEPTED,
            can.followed_territories_clause(
                reading,
                user_id=bindparam("user_id"),
                own_territory_id=bindparam("own_territory_id"),
            ),
        )
        .cte("scope")
    )


def _records(scope):
    return (
        select(
            FollowUpRecord.territory_id.label("territory_id"),
            func.max(FollowUpRecord.held_on).label("last_on"),
        )
        .join(scope, scope.c.id == FollowUpRecord.territory_id)
        # A record prepared ahead of its meeting is not the latest follow-up yet.
        .where(
            FollowUpRecord.deleted_at.is_(None),
            FollowUpRecord.held_on <= bindparam("today", type_=Date),
        )
        .group_by(FollowUpRecord.territory_id)
        .subquery("records")
    )


def _items(scope):
    """Open and overdue action items, leaving out those of a deleted record or report."""
    record = aliased(FollowUpRecord)
    report = aliased(FieldVisitReport)
    overdue = case((ActionItem.due_on < bindparam("today", type_=Date), 1), else_=0)
    return (
        select(
            ActionItem.territory_id.label("territory_id"),
            func.count(ActionItem.id).label("open"),
            func.sum(overdue).label("overdue"),
        )
        .join(scope, scope.c.id == ActionItem.territory_id)
        .outerjoin(record, record.id == ActionItem.record_id)
        .outerjoin(report, report.id == ActionItem.visit_report_id)
        .where(
            ActionItem.done_at.is_(None),
            record.deleted_at.is_(None),
            report.deleted_at.is_(None),
        )
        .group_by(ActionItem.territory_id)
        .subquery("items")
    )


def _entries(scope, reading: can.CohortReading):
    """The last journal entry the reader may read, per territory."""
    return (
        select(
            JournalEntry.territory_id.label("territory_id"),
            func.max(JournalEntry.written_on).label("last_on"),
        )
        .join(scope, scope.c.id == JournalEntry.territory_id)
        .join(Territory, Territory.id == JournalEntry.territory_id)
        .where(
            can.journal_reading_clause(
                reading,
                user_id=bindparam("user_id"),
                own_territory_id=bindparam("own_territory_id"),
            )
        )
        .group_by(JournalEntry.territory_id)
        .subquery("entries")
    )


def _meetings(scope):
    """Each territory's next follow-up, bilatérale or field visit (one not over yet)."""
    ranked = (
        select(
            AgendaEvent.territory_id.label("territory_id"),
            AgendaEvent.id.label("id"),
            AgendaEvent.kind.label("kind"),
            AgendaEvent.title.label("title"),
            AgendaEvent.starts_at.label("starts_at"),
            func.row_number()
            .over(
                partition_by=AgendaEvent.territory_id,
                order_by=(AgendaEvent.starts_at, AgendaEvent.id),
            )
            .label("rank"),
        )
        .join(scope, scope.c.id == AgendaEvent.territory_id)
        .where(
            AgendaEvent.cohort_id == bindparam("cohort_id"),
            AgendaEvent.kind.in_([kind.value for kind in MEETING_KINDS]),
            AgendaEvent.status == EventStatus.PLANNED,
            AgendaEvent.ends_at > bindparam("now"),
        )
        .subquery("ranked_meetings")
    )
    return select(ranked).where(ranked.c.rank == 1).subquery("meetings")


def _dynamics(scope):
    """Per territory: the maturity of its latest moment recorded, and at launch.

    The latest recording of each moment counts (a correction is a new recording).
    """
    by_moment = (
        select(
            DynamicsSnapshot.territory_id.label("territory_id"),
            DynamicsSnapshot.moment.label("moment"),
            DynamicsSnapshot.maturity.label("maturity"),
            func.row_number()
            .over(
                partition_by=(DynamicsSnapshot.territory_id, DynamicsSnapshot.moment),
                order_by=(DynamicsSnapshot.recorded_at.desc(), DynamicsSnapshot.id.desc()),
            )
            .label("rank"),
        )
        .join(scope, scope.c.id == DynamicsSnapshot.territory_id)
        .subquery("by_moment")
    )
    moment_rank = case(
        *((by_moment.c.moment == moment.value, rank) for moment, rank in MOMENT_RANK.items()),
        else_=literal(-1),
    )
    counting = (
        select(
            by_moment.c.territory_id,
            by_moment.c.moment,
            by_moment.c.maturity,
            func.row_number()
            .over(partition_by=by_moment.c.territory_id, order_by=moment_rank.desc())
            .label("latest"),
        )
        .where(by_moment.c.rank == 1)
        .subquery("counting")
    )
    return (
        select(
            counting.c.territory_id,
            func.max(case((counting.c.latest == 1, counting.c.maturity))).label("latest"),
            func.max(
                case((counting.c.moment == DynamicsMoment.LAUNCH.value, counting.c.maturity))
            ).label("launch"),
        )
        .group_by(counting.c.territory_id)
        .subquery("dynamics")
    )


@functools.cache
def _statement(scope: can.Scope, own: bool, cohort_entries: bool):
    # The reading's shape decides the SQL; its values are bound at each execution.
    reading = can.CohortReading(
        user_id=0, scope=scope, own_territory_id=0 if own else None, cohort_entries=cohort_entries
    )
    followed = _scope(reading)
    records = _records(followed)
    items = _items(followed)
    entries = _entries(followed, reading)
    meetings = _meetings(followed)
    dynamics = _dynamics(followed)
    return (
        select(
            Territory.id,
            Territory.name,
            Territory.coach_id,
            records.c.last_on.label("last_record_on"),
            func.coalesce(items.c.open, 0).label("open_items"),
            func.coalesce(items.c.overdue, 0).label("overdue_items"),
            entries.c.last_on.label("last_entry_on"),
            meetings.c.id.label("meeting_id"),
            meetings.c.kind.label("meeting_kind"),
            meetings.c.title.label("meeting_title"),
            meetings.c.starts_at.label("meeting_starts_at"),
            dynamics.c.latest.label("maturity"),
            dynamics.c.launch.label("launch_maturity"),
        )
        .join(followed, followed.c.id == Territory.id)
        .outerjoin(records, records.c.territory_id == Territory.id)
        .outerjoin(items, items.c.territory_id == Territory.id)
        .outerjoin(entries, entries.c.territory_id == Territory.id)
        .outerjoin(meetings, meetings.c.territory_id == Territory.id)
        .outerjoin(dynamics, dynamics.c.territory_id == Territory.id)
        .order_by(Territory.name, Territory.id)
    )


def territory_rows(
    cohort: Cohort, viewer: User, *, now: datetime | None = None, coached: bool = False
) -> list:
    """Return the dashboard rows of the accepted territories whose suivi ``viewer`` follows.

    ``coached``: only those ``viewer`` coaches (« Mes territoires », even for an administrator
    who also coaches). One statement, whatever the number of territories, records, items,
    entries and events. Ordered by territory name.
    """
    reading = can.cohort_reading(viewer, cohort)
    if reading is None:
        return []
    if coached:
        reading = replace(reading, scope=can.Scope.COACHED)
    now = now or now_utc()
    statement = _statement(
        reading.scope, reading.own_territory_id is not None, reading.cohort_entries
    )
    parameters = {
        "cohort_id": cohort.id,
        "user_id": reading.user_id,
        "own_territory_id": reading.own_territory_id,
        "today": local_today(cohort, now),
        "now": now,
    }
    return list(db.session.execute(statement, parameters))


def build_lines(
    cohort: Cohort,
    rows,
    *,
    today: date,
    days: int,
    coach_names: dict[int, str] | None = None,
) -> list[TerritorySuivi]:
    """Turn the statement's rows into dashboard lines (pure: no database)."""
    coach_names = coach_names or {}
    curriculum = cohort.curriculum
    lines = []
    for row in rows:
        last = row.last_record_on
        meeting = (
            NextMeeting(row.meeting_id, row.meeting_kind, row.meeting_title, row.meeting_starts_at)
            if row.meeting_id is not None
            else None
        )
        lines.append(
            TerritorySuivi(
                territory_id=row.id,
                name=row.name,
                coach_id=row.coach_id,
                coach_name=coach_names.get(row.coach_id) if row.coach_id is not None else None,
                last_record_on=last,
                days_since_record=(today - last).days if last is not None else None,
                stale=is_stale(last, today, cohort.start_date, days),
                next_meeting=meeting,
                open_items=int(row.open_items),
                overdue_items=int(row.overdue_items),
                last_entry_on=row.last_entry_on,
                maturity=row.maturity,
                maturity_label=maturity_label(curriculum, row.maturity),
                launch_maturity=row.launch_maturity,
            )
        )
    return lines


# The coach's dashboard --------------------------------------------------------------------


@dataclass(frozen=True)
class CoachDashboard:
    today: date
    stale_days: int
    lines: tuple[TerritorySuivi, ...]


def coach_dashboard(cohort: Cohort, coach: User) -> CoachDashboard:
    """Return the suivi figures of the territories ``coach`` follows in ``cohort``."""
    today = local_today(cohort)
    days = stale_days()
    rows = territory_rows(cohort, coach, coached=True)
    lines = build_lines(cohort, rows, today=today, days=days)
    return CoachDashboard(today=today, stale_days=days, lines=tuple(lines))


# The coordinator's dashboard --------------------------------------------------------------


@dataclass(frozen=True)
class Sort:
    """A column the cohort's page sorts on, and how."""

    key: str
    descending: bool

    @property
    def value(self) -> str:
        """The ``sort`` query value that asks for this order."""
        return f"-{self.key}" if self.descending else self.key

    def toggled(self, key: str) -> "Sort":
        """Return the order a click on column ``key`` asks for: that column, or reversed."""
        if key == self.key:
            return Sort(key, not self.descending)
        return Sort(key, False)


_FAR = 10**9


def _never_first(day: date | None) -> int:
    # A territory never followed comes first when the oldest come first.
    return day.toordinal() if day is not None else -_FAR


def _none_last(moment) -> tuple:
    return (moment is None, moment.starts_at if moment is not None else None)


#: How each column sorts, in its natural order (the most in need of attention first where it
#: makes sense: the oldest suivi, the most items overdue, the lowest maturity).
SORT_KEYS = {
    "territory": lambda line: line.name.casefold(),
    "coach": lambda line: (line.coach_name is None, (line.coach_name or "").casefold()),
    "last_record": lambda line: _never_first(line.last_record_on),
    "next_meeting": lambda line: _none_last(line.next_meeting),
    "open_items": lambda line: -line.open_items,
    "overdue_items": lambda line: -line.overdue_items,
    "last_entry": lambda line: _never_first(line.last_entry_on),
    "maturity": lambda line: line.maturity if line.maturity is not None else -1,
}
DEFAULT_SORT = Sort("territory", False)


def parse_sort(value: str | None) -> Sort:
    """Read the ``sort`` query value (« last_record », « -overdue_items »); unknown: default."""
    value = (value or "").strip()
    descending = value.startswith("-")
    key = value[1:] if descending else value
    if key not in SORT_KEYS:
        return DEFAULT_SORT
    return Sort(key, descending)


def sorted_lines(lines, sort: Sort) -> list[TerritorySuivi]:
    """Return ``lines`` in ``sort``'s order, ties by territory name."""
    by_name = sorted(lines, key=SORT_KEYS["territory"])
    return sorted(by_name, key=SORT_KEYS[sort.key], reverse=sort.descending)


@dataclass(frozen=True)
class CoachSummary:
    """One coach's line: how many territories, how many behind, how many items overdue."""

    coach_id: int | None  # None: the territories nobody follows
    name: str | None
    territories: int
    stale: int
    overdue_items: int

    @property
    def filter_value(self) -> str:
        return str(self.coach_id) if self.coach_id is not None else NO_COACH


@dataclass(frozen=True)
class MaturityCount:
    """How many territories stand at a level, at launch and at their latest recording."""

    value: int | None  # None: not recorded yet
    label: str | None
    at_launch: int
    latest: int


@dataclass(frozen=True)
class CohortDashboard:
    today: date
    stale_days: int
    sort: Sort
    coach_filter: str | None  # a coach's id, NO_COACH, or None for everyone
    lines: tuple[TerritorySuivi, ...]  # filtered and sorted
    coaches: tuple[CoachSummary, ...]
    maturity: tuple[MaturityCount, ...]  # of the lines shown

    @property
    def filtered_coach(self) -> CoachSummary | None:
        return next((c for c in self.coaches if c.filter_value == self.coach_filter), None)


def _summaries(lines, coaches: list[tuple[int, str]]) -> tuple[CoachSummary, ...]:
    summaries = []
    for coach_id, name in [*coaches, (None, None)]:
        mine = [line for line in lines if line.coach_id == coach_id]
        if coach_id is None and not mine:
            continue
        summaries.append(
            CoachSummary(
                coach_id=coach_id,
                name=name,
                territories=len(mine),
                stale=sum(1 for line in mine if line.stale),
                overdue_items=sum(line.overdue_items for line in mine),
            )
        )
    return tuple(summaries)


def maturity_distribution(cohort: Cohort, lines) -> tuple[MaturityCount, ...]:
    """Count the territories per maturity level, at launch and at their latest recording."""
    launch = Counter(line.launch_maturity for line in lines)
    latest = Counter(line.maturity for line in lines)
    counts = [
        MaturityCount(level.value, level.label, launch[level.value], latest[level.value])
        for level in cohort.curriculum.maturity.levels
    ]
    if launch[None] or latest[None]:
        counts.append(MaturityCount(None, None, launch[None], latest[None]))
    return tuple(counts)


def _coach_filter(value: str | None, coaches: list[tuple[int, str]]) -> str | None:
    if value == NO_COACH:
        return NO_COACH
    known = {str(coach_id) for coach_id, _name in coaches}
    return value if value in known else None


def cohort_dashboard(
    cohort: Cohort, viewer: User, *, sort: str | None = None, coach: str | None = None
) -> CohortDashboard:
    """Return the suivi of every engaged territory of ``cohort``, per coach, sorted.

    Two statements whatever the data: the cohort's coaches, then the figures.
    """
    today = local_today(cohort)
    days = stale_days()
    members = cohort_members(cohort, (Role.COACH,))
    coaches = [(member.user_id, member.shown_name) for member in members]
    names = dict(coaches)
    lines = build_lines(
        cohort, territory_rows(cohort, viewer), today=today, days=days, coach_names=names
    )
    # A territory may still name someone who no longer coaches in the cohort (a role changed).
    for line in lines:
        if line.coach_id is not None and line.coach_id not in names:
            names[line.coach_id] = None
            coaches.append((line.coach_id, None))
    chosen = _coach_filter(coach, coaches)
    shown = lines
    if chosen == NO_COACH:
        shown = [line for line in lines if line.coach_id is None]
    elif chosen is not None:
        shown = [line for line in lines if str(line.coach_id) == chosen]
    order = parse_sort(sort)
    return CohortDashboard(
        today=today,
        stale_days=days,
        sort=order,
        coach_filter=chosen,
        lines=tuple(sorted_lines(shown, order)),
        coaches=_summaries(lines, coaches),
        maturity=maturity_distribution(cohort, shown),
    )
