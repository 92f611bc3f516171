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

from sqlalchemy import ColumnElement, false, or_

from parcours.accounts.models import User
from parcours.agenda.models import Event, EventKind
from parcours.cohorts.models import Cohort, Role, Territory
from parcours.cohorts.permissions import can_manage_cohort, membership
from parcours.core.extensions import db
from parcours.suivi.models import (
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


def can_read_journal_entry(user: User, entry: JournalEntry) -> bool:
    """An entry is read as its visibility says; a deleted one only by those who may restore it."""
    territory = entry.territory
    if entry.is_deleted:
        return is_binome(user, territory) or can_restore(user, territory)
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


def readable_journal_clause(user: User, territory: Territory) -> ColumnElement[bool]:
    """Return the SQL condition on JournalEntry that :func:`can_read_journal_entry` states.

    For lists of one territory's entries: the same rule, in the query, so that a page never
    loads what it would then have to hide.
    """
    alive = JournalEntry.deleted_at.is_(None)
    if is_binome(user, territory):
        return alive
    shown = []
    if _coaches(user, territory):
        shown.append(JournalEntry.visibility == JournalVisibility.COACH)
    if in_cohort_circle(user, territory.cohort):
        shown.append(JournalEntry.visibility == JournalVisibility.COHORT)
    if not shown:
        return false()
    return alive & or_(*shown)


def can_read_belles_histoires(user: User, cohort: Cohort) -> bool:
    """The cohort's shared entries: its participants, coaches and coordinators."""
    return in_cohort_circle(user, cohort)


def belles_histoires_clause(user: User, cohort: Cohort) -> ColumnElement[bool]:
    """Return the SQL condition on JournalEntry for a cohort's « Belles histoires »."""
    if not in_cohort_circle(user, cohort):
        return false()
    return JournalEntry.deleted_at.is_(None) & (JournalEntry.visibility == JournalVisibility.COHORT)


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
