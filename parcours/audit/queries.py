"""Reading the audit log.

The audit package sits below every domain, so it names people and cohorts through their
tables in the shared metadata (``users``, ``cohorts``), never through their models: one
statement gives a page of entries with the names of whoever acted, whom it concerns and the
cohort, whatever the number of entries.
"""

from collections.abc import Iterator
from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, Table, func, or_, select, union
from sqlalchemy.orm import aliased

from parcours.audit import labels
from parcours.audit.filters import AuditFilter
from parcours.audit.models import LOGIN_ACTIONS, AuditAction, AuditEntry
from parcours.core.extensions import db

PAGE_SIZE = 50
#: How many of a person's own logins « Mes connexions » shows, newest first.
LOGINS_SHOWN = 100

SYSTEM = _l("système")
UNKNOWN = _l("inconnu")
#: Who acted, when an entry names nobody: a failed login to an unknown address, else the
#: scheduler or a command.
_NOBODY_IS_UNKNOWN = frozenset({AuditAction.LOGIN_FAILED, AuditAction.LOGIN_LOCKED})


def _table(name: str) -> Table:
    return db.Model.metadata.tables[name]


@dataclass(frozen=True)
class EntryRow:
    """One entry as a page shows it: the entry, and the names its ids stand for."""

    entry: AuditEntry
    actor_name: str | None
    subject_name: str | None
    cohort_name: str | None

    @property
    def actor_label(self) -> str:
        """Name who acted: a person, « système », or « inconnu » (unknown or erased)."""
        if self.entry.actor_id is None:
            return str(UNKNOWN if self.entry.action in _NOBODY_IS_UNKNOWN else SYSTEM)
        return self.actor_name or str(UNKNOWN)

    @property
    def subject_label(self) -> str:
        """Name whom the entry concerns: empty when nobody, « inconnu » when gone."""
        if self.entry.subject_id is None:
            return ""
        return self.subject_name or str(UNKNOWN)

    @property
    def cohort_label(self) -> str:
        if self.entry.cohort_id is None:
            return ""
        return self.cohort_name or f"#{self.entry.cohort_id}"

    @property
    def object_label(self) -> str:
        """Say what the action touched: its kind and id (« compte rendu n° 3 »), or its kind."""
        kind = labels.object_label(self.entry.object_type) if self.entry.object_type else ""
        number = self.entry.object_id
        if number is None:
            return kind
        return _("%(kind)s n° %(number)d", kind=kind, number=number) if kind else f"#{number}"

    @property
    def details_text(self) -> str:
        """Write the entry's facts readably: « from : accepted · to : withdrawn »."""
        return details_text(self.entry.details)


def details_text(details: dict | None) -> str:
    """Write a details mapping as « key : value » pairs, in words (see audit/labels.py)."""
    return labels.details_text(details)


def entries(filters: AuditFilter) -> Select:
    """Return the statement of the entries ``filters`` match, newest first, names joined.

    The one place the filters become SQL: the pages, their counts and the CSV export use it.
    """
    users, cohorts = _table("users"), _table("cohorts")
    actor, subject = aliased(users, name="actor"), aliased(users, name="subject")
    statement = (
        select(
            AuditEntry,
            actor.c.full_name.label("actor_name"),
            subject.c.full_name.label("subject_name"),
            cohorts.c.name.label("cohort_name"),
        )
        .outerjoin(actor, actor.c.id == AuditEntry.actor_id)
        .outerjoin(subject, subject.c.id == AuditEntry.subject_id)
        .outerjoin(cohorts, cohorts.c.id == AuditEntry.cohort_id)
    )
    if filters.person_id is not None:
        statement = statement.where(
            or_(
                AuditEntry.actor_id == filters.person_id, AuditEntry.subject_id == filters.person_id
            )
        )
    if filters.cohort_id is not None:
        statement = statement.where(AuditEntry.cohort_id == filters.cohort_id)
    if filters.action is not None:
        statement = statement.where(AuditEntry.action == filters.action.value)
    if filters.start is not None:
        statement = statement.where(AuditEntry.at >= filters.start_utc)
    if filters.end is not None:
        statement = statement.where(AuditEntry.at < filters.end_utc)
    return statement.order_by(AuditEntry.at.desc(), AuditEntry.id.desc())


def _rows(statement: Select) -> Iterator[EntryRow]:
    for entry, actor_name, subject_name, cohort_name in db.session.execute(statement):
        yield EntryRow(entry, actor_name, subject_name, cohort_name)


def entries_page(filters: AuditFilter, page: int) -> tuple[list[EntryRow], int]:
    """Return one page of the matching entries and how many match, in two queries."""
    statement = entries(filters)
    total = db.session.scalar(select(func.count()).select_from(statement.order_by(None).subquery()))
    rows = list(_rows(statement.limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)))
    return rows, total


def all_entries(filters: AuditFilter) -> list[EntryRow]:
    """Return every matching entry, newest first (the CSV export)."""
    return list(_rows(entries(filters)))


def people_in_log(cohort_id: int | None = None) -> list[tuple[int, str]]:
    """Return (id, name) of everyone the log names, as actor or subject, sorted by name.

    With ``cohort_id``, only the people its entries name: a coordinator's choice of people.
    """
    ids = []
    for column in (AuditEntry.actor_id, AuditEntry.subject_id):
        named = select(column.label("user_id")).where(column.is_not(None))
        if cohort_id is not None:
            named = named.where(AuditEntry.cohort_id == cohort_id)
        ids.append(named)
    named_ids = union(*ids).subquery()
    users = _table("users")
    rows = db.session.execute(
        select(users.c.id, users.c.full_name)
        .join(named_ids, named_ids.c.user_id == users.c.id)
        .order_by(users.c.search_key, users.c.id)
    )
    return [(row.id, row.full_name) for row in rows]


def logins_of(user_id: int, limit: int = LOGINS_SHOWN):
    """Return the statement for a person's own login entries, newest first (« mes connexions »)."""
    return (
        select(AuditEntry)
        .where(
            AuditEntry.actor_id == user_id,
            AuditEntry.action.in_([action.value for action in LOGIN_ACTIONS]),
        )
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
        .limit(limit)
    )
