"""Who may read or write what in the suivi. Pages, lists, downloads, e-mails and exports ask here.

Three circles around a territory:

- **the team**: those who run the cohort (coordinators, administrators) and the territory's
  coach. They write follow-up records, visit reports and dynamics, and read « accompagnement
  uniquement » blocks;
- **the binôme**: the territory's catalyseurs. They read the shared part of the records and
  the visit reports, tick their own action items and keep the carnet de bord;
- **the cohort**: every participant, coach and coordinator of the cohort reads the journal
  entries shared with it (« belles histoires »).

The Comité d'orientation is in none of them: it reads only what the evaluation reports
aggregate. Nobody outside the cohort reads anything.
"""

from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import ColumnElement, false, or_, select, true

from parcours.accounts.models import User
from parcours.agenda.models import Event, EventKind
from parcours.agenda.permissions import can_schedule_for_territory
from parcours.cohorts.models import Cohort, Role, Territory
from parcours.cohorts.permissions import can_manage_cohort, membership
from parcours.core.extensions import db
from parcours.suivi.models import (
    RECORDED_KINDS,
    ActionItem,
    Attachment,
    FieldVisitReport,
    FollowUpRecord,
    JournalEntry,
    JournalVisibility,
)


def is_team(user: User, territory: Territory) -> bool:
    """Tell whether ``user`` runs the territory's cohort or coaches the territory."""
    if not user.is_authenticated:
        return False
    if can_manage_cohort(user, territory.cohort):
        return True
    member = membership(user, territory.cohort_id)
    return member is not None and member.role == Role.COACH and territory.coach_id == user.id


def is_binome(user: User, territory: Territory) -> bool:
    """Tell whether ``user`` is one of the territory's catalyseurs."""
    if not user.is_authenticated:
        return False
    member = membership(user, territory.cohort_id)
    return (
        member is not None
        and member.role == Role.CATALYSEUR
        and member.territory_id == territory.id
    )


def in_cohort_circle(user: User, cohort: Cohort) -> bool:
    """Tell whether ``user`` reads what a cohort shares: its participants, coaches, coordinators."""
    if not user.is_authenticated:
        return False
    if can_manage_cohort(user, cohort):
        return True
    member = membership(user, cohort.id)
    return member is not None and member.role in (Role.CATALYSEUR, Role.COACH)


# -- The territory's suivi ------------------------------------------------------------------


def can_read_suivi(user: User, territory: Territory) -> bool:
    """The territory's follow-up records, visit reports and dynamics: the team and the binôme."""
    return is_team(user, territory) or is_binome(user, territory)


def sees_team_blocks(user: User, territory: Territory) -> bool:
    """Tell whether ``user`` reads « accompagnement uniquement » blocks of the territory."""
    return is_team(user, territory)


def can_write_suivi(user: User, territory: Territory) -> bool:
    """Records, visit reports and dynamics are written by the territory's team."""
    return is_team(user, territory)


def can_read_record(user: User, record: FollowUpRecord) -> bool:
    """A record is read by its territory's team and binôme; a deleted one by the team only."""
    if record.is_deleted:
        return is_team(user, record.territory)
    return can_read_suivi(user, record.territory)


def can_edit_record(user: User, record: FollowUpRecord) -> bool:
    """A record is changed by its territory's team, unless it is deleted."""
    return not record.is_deleted and can_write_suivi(user, record.territory)


def can_write_event_record(user: User, event: Event) -> bool:
    """The record of a follow-up or bilatérale is written by its territory's team."""
    if event.territory is None or event.kind not in RECORDED_KINDS or event.is_cancelled:
        return False
    return can_write_suivi(user, event.territory)


def can_restore_record(user: User, record: FollowUpRecord) -> bool:
    """A deleted record is restored by those who run the cohort."""
    return record.is_deleted and can_restore(user, record.territory)


def can_plan_next_meeting(user: User, record: FollowUpRecord) -> bool:
    """« Prochain rendez-vous »: those who change the record and schedule the territory's
    meetings (its coach, those who run the cohort)."""
    return can_edit_record(user, record) and can_schedule_for_territory(user, record.territory)


def can_read_visit_report(user: User, report: FieldVisitReport) -> bool:
    """A visit report is read by its territory's team and binôme; a deleted one by the team."""
    if report.is_deleted:
        return is_team(user, report.territory)
    return can_read_suivi(user, report.territory)


def can_edit_visit_report(user: User, report: FieldVisitReport) -> bool:
    """A visit report is changed by its territory's team, unless it is deleted."""
    return not report.is_deleted and can_write_suivi(user, report.territory)


def can_report_visit(user: User, event: Event) -> bool:
    """A field visit's report is written by its territory's team, unless the visit is cancelled."""
    return (
        event.kind == EventKind.FIELD_VISIT
        and event.territory is not None
        and not event.is_cancelled
        and can_write_suivi(user, event.territory)
    )


def can_restore_visit_report(user: User, report: FieldVisitReport) -> bool:
    """A deleted visit report is restored by those who run the cohort."""
    return report.is_deleted and can_restore(user, report.territory)


def can_restore(user: User, territory: Territory) -> bool:
    """Deleted records, reports and entries are restored by those who run the cohort."""
    return user.is_authenticated and can_manage_cohort(user, territory.cohort)


def can_tick_action_item(user: User, item: ActionItem) -> bool:
    """An action item is ticked by its owner, or by the territory's team.

    Not once its record or visit report is deleted: it is hidden with it.
    """
    if not user.is_authenticated:
        return False
    source = item.record or item.visit_report
    if source is not None and source.is_deleted:
        return False
    if item.owner_id == user.id and can_read_suivi(user, item.territory):
        return True
    return is_team(user, item.territory)


# -- The carnet de bord ---------------------------------------------------------------------


def can_write_journal(user: User, territory: Territory) -> bool:
    """The carnet de bord is written by the territory's catalyseurs only."""
    return is_binome(user, territory)


def can_open_journal(user: User, territory: Territory) -> bool:
    """A territory's carnet de bord page: its binôme, its coach and those who run the cohort.

    Each of them reads there only the entries :func:`can_read_journal_entry` lets them read
    (the page's query uses :func:`readable_journal_clause`): the coach the entries shared
    with them or with the cohort, the coordination those shared with the cohort. The other
    participants of the cohort read its shared entries in « Belles histoires ».
    """
    return can_read_suivi(user, territory)


def can_read_journal_entry(user: User, entry: JournalEntry) -> bool:
    """An entry is read as its visibility says; a deleted one by those who may restore it."""
    if entry.is_deleted:
        return can_restore_journal_entry(user, entry)
    return _reads_entry(user, entry)


def _reads_entry(user: User, entry: JournalEntry) -> bool:
    # The rule of a living entry: the binôme always, the others as its visibility says.
    territory = entry.territory
    if is_binome(user, territory):
        return True
    visibility = JournalVisibility(entry.visibility)
    if visibility is JournalVisibility.COACH:
        return _coaches(user, territory)
    if visibility is JournalVisibility.COHORT:
        return in_cohort_circle(user, territory.cohort)
    return False


def can_edit_journal_entry(user: User, entry: JournalEntry) -> bool:
    """An entry is changed by its territory's catalyseurs, unless it is deleted."""
    return not entry.is_deleted and is_binome(user, entry.territory)


def can_delete_journal_entry(user: User, entry: JournalEntry) -> bool:
    """An entry is deleted (kept, hidden, restorable) by its territory's catalyseurs."""
    return can_edit_journal_entry(user, entry)


def can_restore_journal_entry(user: User, entry: JournalEntry) -> bool:
    """A deleted entry is read and restored by its binôme, or by those who run the cohort.

    Those who run the cohort (:func:`can_restore`) only for an entry they read before it was
    deleted, that is one shared with the cohort: « notre binôme » and « notre binôme et
    notre accompagnateur·rice » stay as private in the bin as they were on the page, so a
    deleted one comes back by its binôme only. The coach restores nothing (they do not run
    the cohort), and the Comité d'orientation reads none of it.
    """
    if not entry.is_deleted:
        return False
    territory = entry.territory
    if is_binome(user, territory):
        return True
    return can_restore(user, territory) and _reads_entry(user, entry)


def readable_journal_clause(user: User, territory: Territory) -> ColumnElement[bool]:
    """Return the SQL condition on JournalEntry that :func:`can_read_journal_entry` states.

    For lists of one territory's living entries: the same rule, in the query, so that a page
    never loads what it would then have to hide.
    """
    alive = JournalEntry.deleted_at.is_(None)
    if is_binome(user, territory):
        return alive
    shown = _visibilities_clause(user, territory)
    return false() if shown is None else alive & shown


def restorable_journal_clause(user: User, territory: Territory) -> ColumnElement[bool]:
    """Return the SQL condition on JournalEntry that :func:`can_restore_journal_entry` states.

    For the list of one territory's deleted entries that ``user`` may read and restore.
    """
    deleted = JournalEntry.deleted_at.is_not(None)
    if is_binome(user, territory):
        return deleted
    if not can_restore(user, territory):
        return false()
    shown = _visibilities_clause(user, territory)
    return false() if shown is None else deleted & shown


def _visibilities_clause(user: User, territory: Territory) -> ColumnElement[bool] | None:
    # The visibilities someone outside the binôme reads (:func:`_reads_entry`), or None.
    shown = []
    if _coaches(user, territory):
        shown.append(JournalEntry.visibility == JournalVisibility.COACH)
    if in_cohort_circle(user, territory.cohort):
        shown.append(JournalEntry.visibility == JournalVisibility.COHORT)
    return or_(*shown) if shown else None


def readable_journal_in_cohort_clause(user: User, cohort: Cohort) -> ColumnElement[bool]:
    """Return the SQL condition on JournalEntry *joined to its Territory*, for a whole cohort.

    The rule of :func:`readable_journal_clause`, with the territory read from the joined row
    rather than given (see :func:`journal_reading_clause`); the Comité d'orientation and
    other cohorts read none.
    """
    reading = cohort_reading(user, cohort)
    if reading is None:
        return false()
    clause = journal_reading_clause(
        reading, user_id=reading.user_id, own_territory_id=reading.own_territory_id
    )
    return clause & (Territory.cohort_id == cohort.id)


def can_read_belles_histoires(user: User, cohort: Cohort) -> bool:
    """The cohort's shared entries: its participants, coaches and coordinators."""
    return in_cohort_circle(user, cohort)


def belles_histoires_clause(user: User, cohort: Cohort) -> ColumnElement[bool]:
    """Return the SQL condition on JournalEntry for a cohort's « Belles histoires ».

    The living entries shared with the cohort, of this cohort's territories only.
    """
    if not in_cohort_circle(user, cohort):
        return false()
    territories = select(Territory.id).where(Territory.cohort_id == cohort.id)
    return (
        JournalEntry.deleted_at.is_(None)
        & (JournalEntry.visibility == JournalVisibility.COHORT)
        & JournalEntry.territory_id.in_(territories)
    )


def reads_coach_entries(user: User, territory: Territory) -> bool:
    """Tell whether ``user`` reads the entries « notre binôme et notre accompagnateur·rice »."""
    return is_binome(user, territory) or _coaches(user, territory)


def _coaches(user: User, territory: Territory) -> bool:
    # « Notre binôme et notre accompagnateur·rice »: the coach, and nobody else of the team.
    return user.is_authenticated and territory.coach_id == user.id


# -- Attachments ----------------------------------------------------------------------------


def can_read_attachment(user: User, attachment: Attachment) -> bool:
    """An attachment is read by exactly those who read what it is attached to."""
    if attachment.removed_at is not None:
        return False
    if attachment.record_id is not None:
        return can_read_record(user, _owner(FollowUpRecord, attachment.record_id))
    if attachment.visit_report_id is not None:
        return can_read_visit_report(user, _owner(FieldVisitReport, attachment.visit_report_id))
    return can_read_journal_entry(user, _owner(JournalEntry, attachment.journal_entry_id))


def can_remove_attachment(user: User, attachment: Attachment) -> bool:
    """An attachment is removed by exactly those who may change what it is attached to."""
    if attachment.removed_at is not None:
        return False
    if attachment.record_id is not None:
        return can_edit_record(user, _owner(FollowUpRecord, attachment.record_id))
    if attachment.visit_report_id is not None:
        return can_edit_visit_report(user, _owner(FieldVisitReport, attachment.visit_report_id))
    return can_edit_journal_entry(user, _owner(JournalEntry, attachment.journal_entry_id))


def _owner(model, identifier: int):
    return db.session.get(model, identifier)


# -- Dashboards -----------------------------------------------------------------------------


def can_view_coach_dashboard(user: User, cohort: Cohort) -> bool:
    """« Mes territoires » with the suivi figures: the cohort's coaches."""
    member = membership(user, cohort.id) if user.is_authenticated else None
    return member is not None and member.role == Role.COACH


def can_view_cohort_suivi(user: User, cohort: Cohort) -> bool:
    """The suivi across the cohort, per coach: those who run the cohort."""
    return user.is_authenticated and can_manage_cohort(user, cohort)


def coached_territories_clause(user: User, cohort: Cohort) -> ColumnElement[bool]:
    """Return the SQL condition on Territory for the territories whose suivi ``user`` reads."""
    if can_manage_cohort(user, cohort):
        return Territory.cohort_id == cohort.id
    member = membership(user, cohort.id) if user.is_authenticated else None
    if member is None:
        return false()
    if member.role == Role.COACH:
        return (Territory.cohort_id == cohort.id) & (Territory.coach_id == user.id)
    if member.role == Role.CATALYSEUR and member.territory_id is not None:
        return Territory.id == member.territory_id
    return false()


# -- Cohort-wide queries --------------------------------------------------------------------


class Scope(StrEnum):
    """Which territories of a cohort a person follows the suivi of."""

    COHORT = "cohort"  # every one: those who run the cohort
    COACHED = "coached"  # those they coach
    OWN = "own"  # their own: a catalyseur


@dataclass(frozen=True)
class CohortReading:
    """What a person reads of a cohort's suivi, as values.

    The rules above for many territories at once, for statements built once per process:
    :func:`followed_territories_clause` and :func:`journal_reading_clause` turn it into SQL,
    with the ids as values or as bound parameters.
    """

    user_id: int
    scope: Scope
    own_territory_id: int | None  # a catalyseur's territory: its binôme reads all its entries
    cohort_entries: bool  # reads the entries shared with the cohort (« belles histoires »)


def cohort_reading(user: User, cohort: Cohort) -> CohortReading | None:
    """Return what ``user`` reads of ``cohort``'s suivi; None: nothing (the Comité, others)."""
    if not user.is_authenticated:
        return None
    member = membership(user, cohort.id)
    own = member.territory_id if member is not None and member.role == Role.CATALYSEUR else None
    if can_manage_cohort(user, cohort):
        scope = Scope.COHORT
    elif member is not None and member.role == Role.COACH:
        scope = Scope.COACHED
    elif own is not None:
        scope = Scope.OWN
    else:
        return None
    return CohortReading(
        user_id=user.id,
        scope=scope,
        own_territory_id=own,
        cohort_entries=in_cohort_circle(user, cohort),
    )


def followed_territories_clause(reading: CohortReading, *, user_id, own_territory_id):
    """Return the SQL condition on Territory (within one cohort) of the territories followed.

    ``user_id`` and ``own_territory_id`` are the reading's, as values or bound parameters.
    The rule of :func:`coached_territories_clause`.
    """
    if reading.scope is Scope.COHORT:
        return true()
    if reading.scope is Scope.COACHED:
        return Territory.coach_id == user_id
    return Territory.id == own_territory_id


def journal_reading_clause(reading: CohortReading, *, user_id, own_territory_id):
    """Return the SQL condition on JournalEntry joined to its Territory that the reader reads.

    The rule of :func:`can_read_journal_entry` for entries that are not deleted: the binôme
    reads its own territory's, the territory's coach those shared with them, the cohort's
    circle those shared with the cohort.
    """
    shown = [(JournalEntry.visibility == JournalVisibility.COACH) & (Territory.coach_id == user_id)]
    if reading.own_territory_id is not None:
        shown.append(JournalEntry.territory_id == own_territory_id)
    if reading.cohort_entries:
        shown.append(JournalEntry.visibility == JournalVisibility.COHORT)
    return JournalEntry.deleted_at.is_(None) & or_(*shown)
