"""Writing follow-up records: create, change, delete softly, restore, the next meeting.

They flush and log, never commit. Text is kept as typed (Markdown, rendered on display).
"""

import logging
from dataclasses import dataclass, field
from datetime import date, datetime

from flask_babel import gettext as _

from parcours.accounts.models import User
from parcours.agenda import operations as agenda
from parcours.agenda.models import KIND_LABELS, Event, EventKind, EventStatus
from parcours.audit import operations as audit
from parcours.audit.models import AuditAction
from parcours.cohorts.models import Territory
from parcours.core.extensions import db
from parcours.core.time import now_utc
from parcours.suivi.actions import operations as actions
from parcours.suivi.actions import queries as action_queries
from parcours.suivi.actions.operations import ActionRow
from parcours.suivi.models import RECORDED_KINDS, FollowUpRecord, MeetingMode, Visibility
from parcours.suivi.records import queries

logger = logging.getLogger(__name__)

#: The meetings a record is written for.


class RecordError(ValueError):
    """A refused record; ``str()`` is translated, ``field`` names the form field if any."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class RecordDraft:
    """What a form (or the demo) says a record should be."""

    held_on: date
    mode: str = MeetingMode.VIDEO
    participant_ids: list[int] = field(default_factory=list)
    other_participants: str = ""
    agenda: str = ""
    agenda_visibility: str = Visibility.SHARED
    notes: str = ""
    notes_visibility: str = Visibility.SHARED
    decisions: str = ""
    decisions_visibility: str = Visibility.SHARED
    team_notes: str = ""
    actions: list[ActionRow] = field(default_factory=list)
    #: Open items of the territory (from earlier meetings) ticked done in this form.
    done_item_ids: list[int] = field(default_factory=list)


_FIELDS = (
    "held_on",
    "mode",
    "other_participants",
    "agenda",
    "agenda_visibility",
    "notes",
    "notes_visibility",
    "decisions",
    "decisions_visibility",
    "team_notes",
)


def _check(
    territory: Territory, draft: RecordDraft, record: FollowUpRecord | None, *, planned: bool
) -> None:
    # The record of a planned meeting may be prepared ahead (its agenda); an unplanned call is
    # written once it took place: dated ahead, it would read as the territory's latest follow-up.
    if not planned and draft.held_on > action_queries.local_today(territory.cohort):
        raise RecordError(
            _(
                "Cette date est à venir : le compte rendu d'un échange non planifié s'écrit "
                "une fois l'échange tenu. Pour un rendez-vous à venir, programmez-le."
            ),
            "held_on",
        )
    if draft.mode not in set(MeetingMode):
        raise RecordError(_("Mode de rendez-vous inconnu."), "mode")
    for name in ("agenda", "notes", "decisions"):
        if getattr(draft, f"{name}_visibility") not in set(Visibility):
            raise RecordError(_("Choisissez qui lit chaque partie."), f"{name}_visibility")
    allowed = {owner.user_id for owner in action_queries.possible_owners(territory)}
    if record is not None:
        allowed |= set(record.participant_ids)
    if not set(draft.participant_ids) <= allowed:
        raise RecordError(
            _(
                "Les participant·es cochés sont les catalyseurs du territoire et son "
                "accompagnateur·rice."
            ),
            "participants",
        )


def _apply(record: FollowUpRecord, draft: RecordDraft) -> None:
    for name in _FIELDS:
        value = getattr(draft, name)
        setattr(record, name, value.strip() if isinstance(value, str) else value)
    record.participant_ids = sorted(set(draft.participant_ids))


def _snapshot(record: FollowUpRecord) -> tuple:
    return (*(getattr(record, name) for name in _FIELDS), tuple(record.participant_ids))


def _close_earlier_items(territory: Territory, record: FollowUpRecord, ids: list[int], user: User):
    """Tick the open items of earlier meetings the form says are done."""
    if not ids:
        return
    for item in action_queries.open_items_of_territory(territory):
        if item.id in ids and item.record_id != record.id:
            actions.tick(item, user)


def create_record(
    territory: Territory, draft: RecordDraft, *, author: User, event: Event | None = None
) -> FollowUpRecord:
    """Write the record of a meeting of ``territory`` (``event``), or of an unplanned call."""
    if event is not None:
        if event.territory_id != territory.id or EventKind(event.kind) not in RECORDED_KINDS:
            raise RecordError(_("Ce rendez-vous n'est pas un suivi de ce territoire."))
        if queries.record_of_event(event) is not None:
            raise RecordError(_("Le compte rendu de ce rendez-vous existe déjà."))
    _check(territory, draft, None, planned=event is not None)
    now = now_utc()
    record = FollowUpRecord(
        territory=territory,
        event=event,
        created_by_id=author.id,
        created_at=now,
        updated_by_id=author.id,
        updated_at=now,
    )
    _apply(record, draft)
    db.session.add(record)
    db.session.flush()  # a second record of the same event is refused here (unique event_id)
    actions.sync_items(record, draft.actions, territory=territory, user=author)
    _close_earlier_items(territory, record, draft.done_item_ids, author)
    logger.info(
        "Follow-up record %s created for territory %s by user %s",
        record.id,
        territory.id,
        author.id,
    )
    return record


def update_record(record: FollowUpRecord, draft: RecordDraft, *, editor: User) -> bool:
    """Change a record and its items as the form says; return whether anything changed."""
    territory = record.territory
    _check(territory, draft, record, planned=record.event_id is not None)
    before = _snapshot(record)
    _apply(record, draft)
    changed = _snapshot(record) != before
    if changed:
        record.updated_at = now_utc()
        record.updated_by_id = editor.id
    changed = actions.sync_items(record, draft.actions, territory=territory, user=editor) or changed
    _close_earlier_items(territory, record, draft.done_item_ids, editor)
    db.session.flush()
    if changed:
        logger.info("Follow-up record %s changed by user %s", record.id, editor.id)
    return changed


def delete_record(record: FollowUpRecord, user: User) -> None:
    """Hide a record (and its items) from everyone but the team; a coordinator may restore it."""
    if record.is_deleted:
        raise RecordError(_("Ce compte rendu est déjà supprimé."))
    record.deleted_at = now_utc()
    record.deleted_by_id = user.id
    db.session.flush()
    audit.record(
        AuditAction.RECORD_DELETED,
        actor=user,
        cohort=record.territory.cohort_id,
        target=record,
    )
    logger.info("Follow-up record %s deleted by user %s", record.id, user.id)


def restore_record(record: FollowUpRecord, user: User) -> None:
    """Bring a deleted record back, as it was, with its items."""
    if not record.is_deleted:
        raise RecordError(_("Ce compte rendu n'est pas supprimé."))
    record.deleted_at = record.deleted_by_id = None
    db.session.flush()
    audit.record(
        AuditAction.RECORD_RESTORED,
        actor=user,
        cohort=record.territory.cohort_id,
        target=record,
    )
    logger.info("Follow-up record %s restored by user %s", record.id, user.id)


# Prochain rendez-vous -----------------------------------------------------------------------


def link_next_meeting(record: FollowUpRecord, event: Event, user: User) -> None:
    """Name a follow-up already in the agenda as the next meeting agreed in ``record``."""
    if (
        event.territory_id != record.territory_id
        or EventKind(event.kind) not in RECORDED_KINDS
        or event.status != EventStatus.PLANNED
        or event.starts_at <= now_utc()
    ):
        raise RecordError(_("Choisissez un suivi à venir de ce territoire."), "event")
    record.next_event = event
    record.updated_at, record.updated_by_id = now_utc(), user.id
    db.session.flush()
    logger.info(
        "Follow-up record %s: next meeting is event %s (user %s)", record.id, event.id, user.id
    )


def schedule_next_meeting(
    record: FollowUpRecord,
    *,
    starts_at: datetime,
    ends_at: datetime,
    mode: str,
    venue: str = "",
    online_url: str = "",
    user: User,
) -> Event:
    """Put the next follow-up in the agenda (its people are invited) and name it in ``record``.

    Raises ``agenda.operations.EventError`` when the agenda refuses it.
    """
    territory = record.territory
    if starts_at <= now_utc():
        raise RecordError(
            _("Le prochain rendez-vous est à venir : choisissez une date future."), "day"
        )
    if mode == MeetingMode.PHONE:
        venue = _("Par téléphone")
    draft = agenda.EventDraft(
        kind=EventKind.FOLLOW_UP,
        title=str(KIND_LABELS[EventKind.FOLLOW_UP]),
        starts_at=starts_at,
        ends_at=ends_at,
        territory=territory,
        venue_name=venue if mode != MeetingMode.VIDEO else "",
        online_url=online_url if mode == MeetingMode.VIDEO else "",
    )
    event = agenda.create_event(territory.cohort, draft, user)
    link_next_meeting(record, event, user)
    return event
