"""Forms shared by every domain."""

from flask_wtf import FlaskForm


class EmptyForm(FlaskForm):
    """A form with no field, so that one-button POSTs still carry a CSRF token."""
