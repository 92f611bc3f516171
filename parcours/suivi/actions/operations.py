"""Changing action items: the rows of a record's or a report's form, ticking. Callers commit.

:func:`sync_items` applies what a parent form's rows say (``forms.typed_rows``): a row without
``item_id`` creates an item, one with it changes that item, ``remove`` deletes it. ``done`` is
applied only where it differs from ``was_done`` (what the form showed), so that an item ticked
by its owner while the coach had the form open stays ticked. Any change touches the parent
(``updated_at``), which raises its version: two people saving the same record's items from
two forms get a conflict, not an overwrite.

The owner of a new item, or the new owner of an item, is told by e-mail unless they made the
change themselves (``notifications.item_assigned``, once: ``owner_notified_at``).
"""

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _

from parcours.accounts.models import User
from parcours.cohorts.models import Territory
from parcours.core.extensions import db
from parcours.core.time import now_utc
from parcours.suivi.actions import notifications, queries
from parcours.suivi.models import ActionItem, FieldVisitReport, FollowUpRecord

logger = logging.getLogger(__name__)

Parent = FollowUpRecord | FieldVisitReport


@dataclass(frozen=True)
class ActionRow:
    """What one row of a form says an item should be."""

    title: str
    owner_id: int | None
    due_on: date | None = None
    done: bool = False
    #: The item the row shows; None for a new one.
    item_id: int | None = None
    #: Whether the item was done when the form was shown; None applies ``done`` as given.
    was_done: bool | None = None
    remove: bool = False


class ActionError(ValueError):
    """A refused row; ``str()`` is translated, ``row`` is its position in the rows given."""

    def __init__(self, message: str, row: int | None = None) -> None:
        super().__init__(message)
        self.row = row


def sync_items(
    parent: Parent, rows: Sequence[ActionRow], *, territory: Territory, user: User
) -> bool:
    """Create, change or delete the items of ``parent`` as ``rows`` say; return whether any did.

    Items of ``parent`` that no row names stay as they are. An owner must be one of the
    territory's catalyseurs or its coach (or the item's current owner). Raises ActionError
    before changing anything.
    """
    if parent.territory_id is not None and parent.territory_id != territory.id:
        raise ValueError("the parent belongs to another territory")
    existing = {item.id: item for item in parent.action_items}
    allowed = {owner.user_id for owner in queries.possible_owners(territory)}
    for index, row in enumerate(rows):
        item = existing.get(row.item_id) if row.item_id is not None else None
        if row.remove:
            continue  # deleting what someone else deleted already is no harm
        if row.item_id is not None and item is None:
            raise ActionError(_("Cette action n'existe plus : rechargez la page."), index)
        if not row.title.strip():
            raise ActionError(_("Une action a besoin d'un intitulé."), index)
        if row.owner_id is not None and row.owner_id not in allowed | (
            {item.owner_id} if item is not None else set()
        ):
            raise ActionError(
                _(
                    "Une action revient à un·e catalyseur·rice du territoire ou à son "
                    "accompagnateur·rice."
                ),
                index,
            )
    changed, told = False, []
    for row in rows:
        item = existing.get(row.item_id) if row.item_id is not None else None
        if item is None:
            if row.remove:
                continue
            item = ActionItem(
                territory=territory,
                title=row.title.strip(),
                owner_id=row.owner_id,
                due_on=row.due_on,
                created_by_id=user.id,
            )
            parent.action_items.append(item)
            if row.done:
                _mark_done(item, user)
            changed = True
            told.append(item)
            continue
        if row.remove:
            db.session.delete(item)
            logger.info("Action item %s deleted by user %s", item.id, user.id)
            changed = True
            continue
        before = (item.title, item.owner_id, item.due_on, item.is_done)
        item.title, item.due_on = row.title.strip(), row.due_on
        if item.owner_id != row.owner_id:
            item.owner_id, item.owner_notified_at = row.owner_id, None
            db.session.expire(item, ["owner"])
            told.append(item)
        if row.was_done is None or row.done != row.was_done:
            if row.done and not item.is_done:
                _mark_done(item, user)
            elif not row.done and item.is_done:
                item.done_at = item.done_by_id = None
        changed = changed or before != (item.title, item.owner_id, item.due_on, item.is_done)
    if not changed:
        return False
    parent.updated_at = now_utc()
    parent.updated_by_id = user.id
    db.session.flush()
    db.session.expire(parent, ["action_items"])
    for item in told:
        if item.owner_id is not None and item.owner_id != user.id and not item.is_done:
            notifications.item_assigned(item)
    logger.info("Action items of %r changed by user %s", parent, user.id)
    return True


def _mark_done(item: ActionItem, user: User) -> None:
    item.done_at = now_utc()
    item.done_by_id = user.id


def tick(item: ActionItem, user: User) -> bool:
    """Mark ``item`` done by ``user``; return False if it already was."""
    if item.is_done:
        return False
    _mark_done(item, user)
    db.session.flush()
    logger.info("Action item %s done, ticked by user %s", item.id, user.id)
    return True


def untick(item: ActionItem, user: User) -> bool:
    """Mark ``item`` not done again; return False if it was not done."""
    if not item.is_done:
        return False
    item.done_at = item.done_by_id = None
    db.session.flush()
    logger.info("Action item %s reopened by user %s", item.id, user.id)
    return True
