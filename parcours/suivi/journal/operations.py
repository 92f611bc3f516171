"""What a binôme does to its carnet de bord: write, change, delete and restore entries.

Operations change and flush, never commit (the request commits once). They log the action,
never what the entry says.
"""

import logging
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm.attributes import flag_modified

from parcours.accounts.models import User
from parcours.audit import operations as audit
from parcours.audit.models import AuditAction
from parcours.cohorts.models import Territory
from parcours.core.extensions import db
from parcours.core.time import now_utc
from parcours.suivi.models import JournalEntry, JournalVisibility, Tag, TagKind

logger = logging.getLogger(__name__)


class JournalError(ValueError):
    """An entry the carnet cannot take (a tag its curriculum does not name)."""


@dataclass(frozen=True)
class EntryDraft:
    """What an entry says, as typed: its text, its tags' codes and who reads it."""

    written_on: date
    title: str
    what_we_did: str
    what_we_learned: str
    what_we_try_next: str
    visibility: JournalVisibility
    thematics: tuple[str, ...] = ()
    competences: tuple[str, ...] = ()


_TEXT_FIELDS = ("written_on", "title", "what_we_did", "what_we_learned", "what_we_try_next")


def create_entry(territory: Territory, draft: EntryDraft, author: User) -> JournalEntry:
    """Add an entry to the territory's carnet de bord, with its tags."""
    _check_tags(territory, draft)
    now = now_utc()  # one moment: an entry never changed shows no « modified » date
    entry = JournalEntry(
        territory=territory,
        author_id=author.id,
        visibility=draft.visibility.value,
        shared_at=now if draft.visibility is JournalVisibility.COHORT else None,
        created_at=now,
        updated_at=now,
        updated_by_id=author.id,
        **{name: getattr(draft, name) for name in _TEXT_FIELDS},
    )
    db.session.add(entry)
    db.session.flush()
    _set_tags(entry, territory, draft)
    db.session.flush()
    logger.info(
        "Journal entry %s of territory %s written by user %s", entry.id, territory.id, author.id
    )
    return entry


def update_entry(entry: JournalEntry, draft: EntryDraft, by: User) -> bool:
    """Change an entry to what ``draft`` says; return whether anything changed.

    Only what differs is written. Any change (tags included) raises the entry's version, so
    that a form opened on the previous one is a conflict.
    """
    territory = entry.territory
    _check_tags(territory, draft)
    # The tags first: reading them flushes, and a flush of half the changes would raise the
    # version twice.
    changed = _set_tags(entry, territory, draft)
    for name in _TEXT_FIELDS:
        if getattr(entry, name) != getattr(draft, name):
            setattr(entry, name, getattr(draft, name))
            changed = True
    if entry.visibility != draft.visibility.value:
        entry.visibility = draft.visibility.value
        if draft.visibility is JournalVisibility.COHORT:  # the binôme's consent, given again
            entry.shared_at = now_utc()
            entry.consent_withdrawn_at = None
        changed = True
    if changed:
        entry.updated_at = now_utc()
        entry.updated_by_id = by.id
        flag_modified(entry, "updated_at")  # an UPDATE even if only tags changed: a new version
        db.session.flush()
        logger.info("Journal entry %s changed by user %s", entry.id, by.id)
    return changed


def delete_entry(entry: JournalEntry, by: User) -> None:
    """Hide an entry: kept, restorable by its binôme (or the coordination if it was shared)."""
    entry.deleted_at = now_utc()
    entry.deleted_by_id = by.id
    db.session.flush()
    audit.record(
        AuditAction.RECORD_DELETED,
        actor=by,
        cohort=entry.territory.cohort_id,
        target=entry,
    )
    logger.info(
        "Journal entry %s of territory %s deleted by user %s", entry.id, entry.territory_id, by.id
    )


def restore_entry(entry: JournalEntry, by: User) -> None:
    """Bring a deleted entry back, as it was."""
    entry.deleted_at = None
    entry.deleted_by_id = None
    db.session.flush()
    audit.record(
        AuditAction.RECORD_RESTORED,
        actor=by,
        cohort=entry.territory.cohort_id,
        target=entry,
    )
    logger.info(
        "Journal entry %s of territory %s restored by user %s", entry.id, entry.territory_id, by.id
    )


def withdraw_consent(entry: JournalEntry, by: User) -> bool:
    """Stop sharing a « belle histoire » with the cohort, at its author's request.

    It goes back to « notre binôme et notre accompagnateur·rice », the default visibility: the
    binôme and its coach keep reading it, nobody else. Return False when it was not shared
    (a second withdrawal changes nothing).
    """
    if entry.visibility != JournalVisibility.COHORT:
        return False
    entry.visibility = JournalVisibility.COACH.value
    entry.consent_withdrawn_at = now_utc()
    db.session.flush()
    logger.info("Journal entry %s: consent withdrawn by user %s", entry.id, by.id)
    return True


def tag_codes(entry: JournalEntry) -> tuple[list[str], list[str]]:
    """Return the codes of an entry's thematics and competences, in the curriculum's order."""
    tags = db.session.scalars(select(Tag).where(Tag.journal_entry_id == entry.id)).all()
    curriculum = entry.territory.cohort.curriculum
    order = _order(curriculum)
    thematics = sorted((t.code for t in tags if t.kind == TagKind.THEMATIC), key=order.get)
    competences = sorted((t.code for t in tags if t.kind == TagKind.COMPETENCE), key=order.get)
    return thematics, competences


def _order(curriculum) -> dict[str, int]:
    codes = [t.code for t in curriculum.thematics] + [
        c.code for d in curriculum.referential.domains for c in d.competences
    ]
    return {code: index for index, code in enumerate(codes)}


def _check_tags(territory: Territory, draft: EntryDraft) -> None:
    curriculum = territory.cohort.curriculum
    thematics = {t.code for t in curriculum.thematics}
    competences = {c.code for d in curriculum.referential.domains for c in d.competences}
    unknown = (set(draft.thematics) - thematics) | (set(draft.competences) - competences)
    if unknown:
        raise JournalError(f"unknown tags for this curriculum: {sorted(unknown)}")


def _set_tags(entry: JournalEntry, territory: Territory, draft: EntryDraft) -> bool:
    """Make the entry's tags those of ``draft``; return whether any changed."""
    version_id = territory.cohort.curriculum_version_id
    wanted = {(TagKind.THEMATIC.value, code) for code in draft.thematics} | {
        (TagKind.COMPETENCE.value, code) for code in draft.competences
    }
    stored = {
        (tag.kind, tag.code): tag
        for tag in db.session.scalars(select(Tag).where(Tag.journal_entry_id == entry.id))
    }
    for key in stored.keys() - wanted:
        db.session.delete(stored[key])
    for kind, code in sorted(wanted - stored.keys()):
        db.session.add(
            Tag(curriculum_version_id=version_id, kind=kind, code=code, journal_entry_id=entry.id)
        )
    return stored.keys() != wanted
