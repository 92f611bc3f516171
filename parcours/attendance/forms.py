"""Attendance forms: the marking sheet (built for each event's grid), the check-in code, the
scans of the signed sheet."""

from collections.abc import Iterable

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, RadioField, StringField
from wtforms.validators import DataRequired, Length, Optional

from parcours.attendance.halfdays import HalfDaySlot
from parcours.attendance.models import STATUS_LABELS, AttendanceStatus
from parcours.attendance.operations import CODE_LENGTH, COMMENT_MAX_LENGTH, Mark
from parcours.attendance.queries import AttendanceGrid, RecordKey
from parcours.core.forms import AppForm, choices
from parcours.storage import files
from parcours.storage.forms import FilesField

NOT_RECORDED = ""
STATUS_CHOICES = choices([(NOT_RECORDED, _l("Non renseigné")), *STATUS_LABELS.items()])


def field_key(user_id: int, slot: HalfDaySlot) -> str:
    """Return the suffix of the fields of one person and one half-day."""
    return f"{user_id}_{slot.day:%Y%m%d}_{slot.half.value}"


class AttendanceSheetForm(AppForm):
    """A status and a comment per expected person and half-day; see :meth:`for_grid`.

    Beside each, hidden, the status and comment the page showed: the sheet writes only what
    its user changed, and never over a mark it did not show (operations.record_attendances).
    """

    @classmethod
    def for_grid(cls, grid: AttendanceGrid) -> "AttendanceSheetForm":
        """Return the form of ``grid``, filled with what is recorded (or what was posted)."""

        class Sheet(cls):
            pass

        data = {}
        for person in grid.people:
            for slot in grid.slots:
                key = field_key(person.user.id, slot)
                # Named after the person and the half-day: the error summary lists them.
                who = {"name": person.name, "slot": slot.label}
                setattr(
                    Sheet,
                    f"status_{key}",
                    RadioField(
                        _l("Présence de %(name)s, %(slot)s", **who),
                        choices=STATUS_CHOICES,
                        validators=[Optional()],
                    ),
                )
                setattr(
                    Sheet,
                    f"comment_{key}",
                    StringField(
                        _l("Commentaire pour %(name)s, %(slot)s", **who),
                        validators=[Optional(), Length(max=COMMENT_MAX_LENGTH)],
                    ),
                )
                setattr(Sheet, f"shown_status_{key}", HiddenField())
                setattr(Sheet, f"shown_comment_{key}", HiddenField())
                status, comment = _recorded(grid.record(person.user.id, slot))
                for prefix in ("", "shown_"):
                    data[f"{prefix}status_{key}"] = status
                    data[f"{prefix}comment_{key}"] = comment
        return Sheet(data=data)

    def status_field(self, user_id: int, slot: HalfDaySlot):
        return self[f"status_{field_key(user_id, slot)}"]

    def comment_field(self, user_id: int, slot: HalfDaySlot):
        return self[f"comment_{field_key(user_id, slot)}"]

    def shown_fields(self, user_id: int, slot: HalfDaySlot):
        key = field_key(user_id, slot)
        return self[f"shown_status_{key}"], self[f"shown_comment_{key}"]

    def marks(self, grid: AttendanceGrid) -> dict[RecordKey, Mark]:
        """Return what the form says for every person and half-day of ``grid`` it posted."""
        marks = {}
        for person in grid.people:
            for slot in grid.slots:
                status = self.status_field(person.user.id, slot)
                if not status.raw_data:
                    continue  # not on the page that was posted: nothing to say about it
                comment = self.comment_field(person.user.id, slot).data or ""
                shown_status, shown_comment = self.shown_fields(person.user.id, slot)
                # A sheet that does not say what it showed is taken to have shown nothing:
                # it may fill empty half-days, never overwrite or remove a mark.
                shown = (
                    (shown_status.data or None, shown_comment.data or "")
                    if shown_status.raw_data
                    else (None, "")
                )
                marks[(person.user.id, slot.day, slot.half.value)] = Mark(
                    status.data or None, comment, shown
                )
        return marks

    def restore(self, fields: dict[str, str]) -> int:
        """Show again marks kept from a sheet posted after the session expired; say how many."""
        restored = 0
        for name, value in fields.items():
            if name in self._fields:
                self[name].data = value
                restored += name.startswith("status_")
        return restored

    def fill_present(self, grid: AttendanceGrid, slot: HalfDaySlot) -> int:
        """Set every « Non renseigné » of ``slot`` to present (« tous présents »); say how many.

        Only the form changes: the user then marks the exceptions and saves, and the save
        follows the usual rules (the hidden shown values are left as they were).
        """
        filled = 0
        for person in grid.people:
            status = self.status_field(person.user.id, slot)
            if status.raw_data and (status.data or NOT_RECORDED) == NOT_RECORDED:
                status.data = AttendanceStatus.PRESENT.value
                filled += 1
        return filled

    def rebase(self, grid: AttendanceGrid, conflicts: Iterable[RecordKey]) -> None:
        """Show a refused save again on what is stored now (``grid`` read after the refusal).

        Half-days in conflict keep what the user typed, now over the stored mark: saving again
        writes the user's choice on purpose. Half-days the user did not change show what is
        stored. The others keep what was typed and what was shown, and are checked again.
        """
        clashing = set(conflicts)
        for person in grid.people:
            for slot in grid.slots:
                key = (person.user.id, slot.day, slot.half.value)
                status = self.status_field(person.user.id, slot)
                comment = self.comment_field(person.user.id, slot)
                shown_status, shown_comment = self.shown_fields(person.user.id, slot)
                stored = _recorded(grid.record(person.user.id, slot))
                shown = (shown_status.data or NOT_RECORDED, (shown_comment.data or "").strip())
                mine = (status.data or NOT_RECORDED, (comment.data or "").strip())
                if key in clashing or not status.raw_data:
                    shown_status.data, shown_comment.data = stored
                elif mine == shown:
                    status.data, comment.data = stored
                    shown_status.data, shown_comment.data = stored


def _recorded(record) -> tuple[str, str]:
    return (record.status, record.comment) if record else (NOT_RECORDED, "")


class CheckInForm(AppForm):
    code = StringField(
        _l("Code affiché dans la salle"),
        validators=[DataRequired(), Length(max=2 * CODE_LENGTH)],
        render_kw={
            "autocomplete": "off",
            "autocapitalize": "characters",
            "spellcheck": "false",
            "autofocus": True,
        },
    )


class SignedSheetForm(AppForm):
    """The scans of a signed feuille d'émargement: a PDF, or a photo of each page."""

    scans = FilesField(
        _l("Feuille d'émargement signée, scannée ou photographiée"),
        kinds=files.SCAN_KINDS,
        validators=[DataRequired(message=_l("Choisissez le fichier de la feuille signée."))],
    )
