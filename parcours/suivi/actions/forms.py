"""The rows of action items that a record's or a visit report's form embeds.

A parent form declares ``actions = action_rows()``. Its view then, after building the form:

- on a GET of an existing parent, :func:`fill_rows` (one row per item);
- always, :func:`prepare_rows` (who may own an item, and empty rows to add new ones: no
  script needed; posted empty, they are ignored);
- on a valid POST, hands :func:`typed_rows` to ``operations.sync_items``.

An existing item is removed with its « Supprimer » box; emptying its title is refused with a
message saying so (a slip of the keyboard should not delete what the binôme was asked to do).
The template macro is ``suivi/actions/_rows.html`` ``action_rows(form.actions)``.
"""

from collections.abc import Iterable

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, FieldList, FormField, HiddenField, SelectField, StringField
from wtforms.validators import Length, Optional, ValidationError

from parcours.cohorts.models import ROLE_LABELS, Territory
from parcours.core.forms import DateRange, DayField, RowForm, choices
from parcours.suivi.actions.operations import ActionRow
from parcours.suivi.actions.queries import possible_owners
from parcours.suivi.models import ActionItem

#: Empty rows offered after the existing ones.
BLANK_ROWS = 3
#: The owner of a row not filled in.
NOBODY = 0


class ActionRowForm(RowForm):
    """One action item: what, who, by when, done; « Supprimer » removes an existing one."""

    item_id = HiddenField()
    #: Whether the item was done when the form was shown (see operations.sync_items).
    was_done = HiddenField()
    title = StringField(_l("Action"), validators=[Length(max=500)])
    owner = SelectField(_l("Qui s'en charge"), coerce=int, default=NOBODY)
    due_on = DayField(_l("Pour le"), validators=[Optional(), DateRange()])
    done = BooleanField(_l("Faite"))
    remove = BooleanField(_l("Supprimer"))

    def validate_title(self, field) -> None:
        if self.item_id.data and not (field.data or "").strip() and not self.remove.data:
            raise ValidationError(
                _l(
                    "Pour retirer une action, cochez « Supprimer » plutôt que d'effacer "
                    "son intitulé."
                )
            )

    def validate_owner(self, field) -> None:
        if (self.title.data or "").strip() and not self.remove.data and field.data == NOBODY:
            raise ValidationError(_l("Choisissez qui s'en charge."))


def action_rows(label=None) -> FieldList:
    """Return the field a parent form declares for its items."""
    return FieldList(FormField(ActionRowForm), label=label or _l("Actions"), min_entries=0)


def fill_rows(rows: FieldList, items: Iterable[ActionItem]) -> None:
    """Show ``items`` in ``rows``, one row each (a GET of an existing parent)."""
    while len(rows):
        rows.pop_entry()
    for item in items:
        rows.append_entry(
            {
                "item_id": str(item.id),
                "was_done": "1" if item.is_done else "",
                "title": item.title,
                "owner": item.owner_id or NOBODY,
                "due_on": item.due_on,
                "done": item.is_done,
            }
        )


def prepare_rows(rows: FieldList, territory: Territory, items: Iterable[ActionItem] = ()) -> None:
    """Offer the territory's catalyseurs and coach as owners, then empty rows to fill.

    ``items`` are the parent's items: an owner who has since left the territory stays a
    choice on their own item.
    """
    owners = possible_owners(territory)
    offered = [(NOBODY, _l("— choisir —"))] + [
        (owner.user_id, f"{owner.name} ({ROLE_LABELS[owner.role]})") for owner in owners
    ]
    known = {owner.user_id for owner in owners}
    for item in items:
        if item.owner_id is not None and item.owner_id not in known and item.owner is not None:
            offered.append((item.owner_id, item.owner.full_name))
            known.add(item.owner_id)
    filled = sum(1 for entry in rows if entry.item_id.data or (entry.title.data or "").strip())
    while len(rows) < filled + BLANK_ROWS:
        rows.append_entry()
    for entry in rows:
        entry.owner.choices = choices(offered)


def typed_rows(rows: FieldList) -> list[ActionRow]:
    """Return what the rows say, empty new rows left out (give it to ``sync_items``)."""
    found = []
    for entry in rows:
        item_id = _int(entry.item_id.data)
        title = (entry.title.data or "").strip()
        if item_id is None and not title:
            continue
        found.append(
            ActionRow(
                title=title,
                owner_id=entry.owner.data or None,
                due_on=entry.due_on.data,
                done=bool(entry.done.data),
                item_id=item_id,
                was_done=None if item_id is None else entry.was_done.data == "1",
                remove=bool(entry.remove.data),
            )
        )
    return found


def row_errors(rows: FieldList, error) -> None:
    """Show an ``operations.ActionError`` under the title of its row (as typed_rows ordered)."""
    kept = [
        entry
        for entry in rows
        if _int(entry.item_id.data) is not None or (entry.title.data or "").strip()
    ]
    if error.row is not None and error.row < len(kept):
        kept[error.row].title.errors = [*kept[error.row].title.errors, str(error)]


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
