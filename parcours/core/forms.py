"""Forms shared by every domain."""

from datetime import date

from flask_babel import format_date
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from wtforms import SelectChoice
from wtforms.validators import ValidationError

# Dates the application can compute with: a cohort's timeline, a month grid or a time zone
# conversion never comes near date.min or date.max from within this range.
EARLIEST_DATE = date(2000, 1, 1)
LATEST_DATE = date(2100, 12, 31)


class EmptyForm(FlaskForm):
    """A form with no field, so that one-button POSTs still carry a CSRF token."""


def choices(pairs) -> list[SelectChoice]:
    """Turn (value, label) pairs into select choices."""
    return [SelectChoice(value, label) for value, label in pairs]


class DateRange:
    """Refuse a date outside [min, max], both included; an empty or unparsed date is left alone."""

    def __init__(self, min: date = EARLIEST_DATE, max: date = LATEST_DATE) -> None:
        self.min = min
        self.max = max

    def __call__(self, form, field) -> None:
        if field.data is None:
            return  # DataRequired/Optional or the field's own parse error speak for it
        if not self.min <= field.data <= self.max:
            raise ValidationError(
                _(
                    "La date doit être comprise entre le %(min)s et le %(max)s.",
                    min=format_date(self.min, "long"),
                    max=format_date(self.max, "long"),
                )
            )
