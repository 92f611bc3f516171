"""Reading the carnet de bord: a territory's entries, « Belles histoires », the evidence.

Every list asks ``permissions`` for its SQL condition (the same rule as the entry's page) and
reads in a fixed number of queries, however many entries there are: the entries with their
authors and territories, then the tags of those entries, then (for a page) the count.
"""

import math
from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import joinedload

from parcours.accounts.models import User
from parcours.cohorts.models import Cohort, Territory
from parcours.core.extensions import db
from parcours.curricula.schema import CurriculumDocument
from parcours.suivi import permissions as can
from parcours.suivi.models import FieldVisitReport, JournalEntry, Tag, TagKind

#: Entries per page of the carnet and of « Belles histoires ».
PAGE_SIZE = 10
#: Entries shown on « Mon parcours » and on the territory's page.
LATEST = 3


@dataclass(frozen=True)
class TagLabel:
    """A tag as a reader sees it: the curriculum's code and what it names."""

    kind: str
    code: str
    label: str


@dataclass(frozen=True)
class EntryRow:
    """An entry with what its list shows beside it."""

    entry: JournalEntry
    territory_name: str
    author_name: str | None
    thematics: tuple[TagLabel, ...]
    competences: tuple[TagLabel, ...]


@dataclass(frozen=True)
class EntryPage:
    """One page of a list of entries."""

    rows: tuple[EntryRow, ...]
    number: int  # from 1
    pages: int  # at least 1
    total: int

    @property
    def previous(self) -> int | None:
        return self.number - 1 if self.number > 1 else None

    @property
    def next(self) -> int | None:
        return self.number + 1 if self.number < self.pages else None


def labels(curriculum: CurriculumDocument) -> dict[tuple[str, str], str]:
    """Return the label of each tag the curriculum offers, by (kind, code), in its order."""
    found = {(TagKind.THEMATIC.value, t.code): t.name for t in curriculum.thematics}
    for domain in curriculum.referential.domains:
        for competence in domain.competences:
            found[(TagKind.COMPETENCE.value, competence.code)] = competence.label
    return found


def carnet(
    user: User,
    territory: Territory,
    *,
    thematic: str | None = None,
    competence: str | None = None,
    page: int = 1,
) -> EntryPage:
    """Return a page of the territory's entries that ``user`` reads, newest first."""
    condition = (JournalEntry.territory_id == territory.id) & can.readable_journal_clause(
        user, territory
    )
    return _page(territory.cohort, condition, thematic, competence, page)


def belles_histoires(
    user: User,
    cohort: Cohort,
    *,
    thematic: str | None = None,
    competence: str | None = None,
    page: int = 1,
) -> EntryPage:
    """Return a page of the cohort's entries shared with it, newest first."""
    return _page(cohort, can.belles_histoires_clause(user, cohort), thematic, competence, page)


def latest_entries(user: User, territory: Territory, limit: int = LATEST) -> list[EntryRow]:
    """Return the territory's latest entries that ``user`` reads, without their tags (one query:
    these lists name each entry and link to it)."""
    condition = (JournalEntry.territory_id == territory.id) & can.readable_journal_clause(
        user, territory
    )
    return _rows(territory.cohort, condition, limit=limit, tags=False)


def deleted_entries(user: User, territory: Territory) -> list[EntryRow]:
    """Return the territory's deleted entries that ``user`` may read and restore."""
    condition = (JournalEntry.territory_id == territory.id) & can.restorable_journal_clause(
        user, territory
    )
    return _rows(territory.cohort, condition)


def entry_row(entry: JournalEntry) -> EntryRow:
    """Return one entry with its territory, author and tags (for its own page)."""
    return _with_tags(entry.territory.cohort, [entry])[0]


def _tagged(kind: TagKind, code: str, version_id: int) -> ColumnElement[bool]:
    return JournalEntry.id.in_(
        select(Tag.journal_entry_id).where(
            Tag.kind == kind.value, Tag.code == code, Tag.curriculum_version_id == version_id
        )
    )


def _filtered(cohort: Cohort, condition, thematic: str | None, competence: str | None):
    if thematic:
        condition = condition & _tagged(TagKind.THEMATIC, thematic, cohort.curriculum_version_id)
    if competence:
        condition = condition & _tagged(
            TagKind.COMPETENCE, competence, cohort.curriculum_version_id
        )
    return condition


def _page(cohort: Cohort, condition, thematic, competence, page: int) -> EntryPage:
    condition = _filtered(cohort, condition, thematic, competence)
    total = db.session.scalar(select(func.count(JournalEntry.id)).where(condition))
    pages = max(1, math.ceil(total / PAGE_SIZE))
    number = min(max(page, 1), pages)
    rows = _rows(cohort, condition, limit=PAGE_SIZE, offset=(number - 1) * PAGE_SIZE)
    return EntryPage(tuple(rows), number, pages, total)


def _rows(
    cohort: Cohort, condition, limit: int | None = None, offset: int = 0, tags: bool = True
) -> list[EntryRow]:
    query = (
        select(JournalEntry)
        .where(condition)
        .options(joinedload(JournalEntry.author), joinedload(JournalEntry.territory))
        .order_by(JournalEntry.written_on.desc(), JournalEntry.id.desc())
        .offset(offset)
    )
    if limit is not None:
        query = query.limit(limit)
    return _with_tags(cohort, list(db.session.scalars(query)), load=tags)


def _with_tags(cohort: Cohort, entries: list[JournalEntry], load: bool = True) -> list[EntryRow]:
    if not entries:
        return []
    by_entry: dict[int, list[Tag]] = {entry.id: [] for entry in entries}
    if load:
        tags = db.session.scalars(select(Tag).where(Tag.journal_entry_id.in_(list(by_entry))))
        for tag in tags:
            by_entry[tag.journal_entry_id].append(tag)
    named = labels(cohort.curriculum)
    order = {key: index for index, key in enumerate(named)}

    def shown(tags: list[Tag], kind: TagKind) -> tuple[TagLabel, ...]:
        keys = sorted(
            ((tag.kind, tag.code) for tag in tags if tag.kind == kind.value),
            key=lambda key: order.get(key, len(order)),
        )
        return tuple(TagLabel(kind, code, named.get((kind, code), code)) for kind, code in keys)

    return [
        EntryRow(
            entry=entry,
            territory_name=entry.territory.name,
            author_name=entry.author.full_name if entry.author else None,
            thematics=shown(by_entry[entry.id], TagKind.THEMATIC),
            competences=shown(by_entry[entry.id], TagKind.COMPETENCE),
        )
        for entry in entries
    ]


# Evidence for the competence self-assessment ---------------------------------------------


@dataclass(frozen=True)
class Evidence:
    """Something written during the parcours that shows a competence at work.

    ``kind`` is ``"journal_entry"`` (a :class:`JournalEntry`) or ``"visit_report"`` (a
    :class:`FieldVisitReport`), ``id`` its id, ``day`` when it happened, ``title`` a short
    name (an entry's title, a visit's places; may be empty).
    """

    kind: str
    id: int
    day: date
    title: str


def evidence_for(
    user: User, territory: Territory, curriculum_version_id: int, competence_code: str
) -> list[Evidence]:
    """Return what a participant may offer as evidence of one competence, newest first.

    The territory's journal entries that ``user`` reads (:func:`permissions.
    readable_journal_clause`) and its field-visit reports that ``user`` reads
    (:func:`permissions.can_read_suivi`), living ones only, tagged with ``competence_code``
    of ``curriculum_version_id`` (a code means nothing outside its curriculum version). Two
    queries, whatever the number of entries.
    """

    def tagged(column):
        return select(column).where(
            Tag.kind == TagKind.COMPETENCE.value,
            Tag.code == competence_code,
            Tag.curriculum_version_id == curriculum_version_id,
            column.is_not(None),
        )

    found = [
        Evidence("journal_entry", entry_id, day, title)
        for entry_id, day, title in db.session.execute(
            select(JournalEntry.id, JournalEntry.written_on, JournalEntry.title).where(
                JournalEntry.territory_id == territory.id,
                can.readable_journal_clause(user, territory),
                JournalEntry.id.in_(tagged(Tag.journal_entry_id)),
            )
        )
    ]
    if can.can_read_suivi(user, territory):
        found += [
            Evidence("visit_report", report_id, day, places.strip().split("\n")[0])
            for report_id, day, places in db.session.execute(
                select(
                    FieldVisitReport.id, FieldVisitReport.visited_on, FieldVisitReport.places
                ).where(
                    FieldVisitReport.territory_id == territory.id,
                    FieldVisitReport.deleted_at.is_(None),
                    FieldVisitReport.id.in_(tagged(Tag.visit_report_id)),
                )
            )
        ]
    return sorted(found, key=lambda e: (e.day, e.kind, e.id), reverse=True)


def evidence_by_competence(
    user: User, territory: Territory, curriculum_version_id: int
) -> dict[str, list[Evidence]]:
    """Return :func:`evidence_for` of every competence at once, by competence code.

    The same rule (the territory's readable living entries and visit reports), for a form
    that offers evidence beside each competence: two queries, whatever the number of
    competences and entries.
    """
    competence_tag = (
        Tag.kind == TagKind.COMPETENCE.value,
        Tag.curriculum_version_id == curriculum_version_id,
    )
    found: dict[str, list[Evidence]] = {}
    entries = db.session.execute(
        select(Tag.code, JournalEntry.id, JournalEntry.written_on, JournalEntry.title)
        .join(JournalEntry, JournalEntry.id == Tag.journal_entry_id)
        .where(
            *competence_tag,
            JournalEntry.territory_id == territory.id,
            can.readable_journal_clause(user, territory),
        )
    )
    for code, entry_id, day, title in entries:
        found.setdefault(code, []).append(Evidence("journal_entry", entry_id, day, title))
    if can.can_read_suivi(user, territory):
        reports = db.session.execute(
            select(
                Tag.code, FieldVisitReport.id, FieldVisitReport.visited_on, FieldVisitReport.places
            )
            .join(FieldVisitReport, FieldVisitReport.id == Tag.visit_report_id)
            .where(
                *competence_tag,
                FieldVisitReport.territory_id == territory.id,
                FieldVisitReport.deleted_at.is_(None),
            )
        )
        for code, report_id, day, places in reports:
            title = places.strip().split("\n")[0]
            found.setdefault(code, []).append(Evidence("visit_report", report_id, day, title))
    return {
        code: sorted(offered, key=lambda e: (e.day, e.kind, e.id), reverse=True)
        for code, offered in found.items()
    }
