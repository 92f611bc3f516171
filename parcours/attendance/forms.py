"""Attendance forms: the marking sheet (built for each event's grid) and the check-in code."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, StringField
from wtforms.validators import DataRequired, Length, Optional

from parcours.attendance.halfdays import HalfDaySlot
from parcours.attendance.models import STATUS_LABELS
from parcours.attendance.operations import CODE_LENGTH, COMMENT_MAX_LENGTH, Mark
from parcours.attendance.queries import AttendanceGrid, RecordKey
from parcours.core.forms import choices

NOT_RECORDED = ""
STATUS_CHOICES = choices([(NOT_RECORDED, _l("Non renseigné")), *STATUS_LABELS.items()])


def field_key(user_id: int, slot: HalfDaySlot) -> str:
    """Return the suffix of the fields of one person and one half-day."""
    return f"{user_id}_{slot.day:%Y%m%d}_{slot.half.value}"


class AttendanceSheetForm(FlaskForm):
    """A status and a comment per expected person and half-day; see :meth:`for_grid`."""

    @classmethod
    def for_grid(cls, grid: AttendanceGrid) -> "AttendanceSheetForm":
        """Return the form of ``grid``, filled with what is recorded (or what was posted)."""

        class Sheet(cls):
            pass

        data = {}
        for person in grid.people:
            for slot in grid.slots:
                key = field_key(person.user.id, slot)
                setattr(
                    Sheet,
                    f"status_{key}",
                    RadioField(choices=STATUS_CHOICES, validators=[Optional()]),
                )
                setattr(
                    Sheet,
                    f"comment_{key}",
                    StringField(
                        _l("Commentaire"), validators=[Optional(), Length(max=COMMENT_MAX_LENGTH)]
                    ),
                )
                record = grid.record(person.user.id, slot)
                data[f"status_{key}"] = record.status if record else NOT_RECORDED
                data[f"comment_{key}"] = record.comment if record else ""
        return Sheet(data=data)

    def status_field(self, user_id: int, slot: HalfDaySlot):
        return self[f"status_{field_key(user_id, slot)}"]

    def comment_field(self, user_id: int, slot: HalfDaySlot):
        return self[f"comment_{field_key(user_id, slot)}"]

    def marks(self, grid: AttendanceGrid) -> dict[RecordKey, Mark]:
        """Return what the form says for every person and half-day of ``grid``."""
        marks = {}
        for person in grid.people:
            for slot in grid.slots:
                status = self.status_field(person.user.id, slot).data or None
                comment = self.comment_field(person.user.id, slot).data or ""
                marks[(person.user.id, slot.day, slot.half.value)] = Mark(status, comment)
        return marks


class CheckInForm(FlaskForm):
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
