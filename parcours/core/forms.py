"""Forms shared by every domain."""

from flask_wtf import FlaskForm
from wtforms import SelectChoice


class EmptyForm(FlaskForm):
    """A form with no field, so that one-button POSTs still carry a CSRF token."""


def choices(pairs) -> list[SelectChoice]:
    """Turn (value, label) pairs into select choices."""
    return [SelectChoice(value, label) for value, label in pairs]
