"""Personal-data forms."""

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, StringField
from wtforms.validators import DataRequired, ValidationError

from parcours.accounts.models import normalize_email
from parcours.core.forms import AppForm, choices
from parcours.privacy.erasure import REASONS, REQUEST_REASONS


class ErasureForm(AppForm):
    """Confirm an erasure: how the request came, and the person's address typed again, so
    that the wrong person is never erased by a slip of the mouse."""

    reason = SelectField(
        _l("Comment la demande est-elle arrivée ?"),
        choices=choices((key, REASONS[key]) for key in REQUEST_REASONS),
        validators=[DataRequired(_l("Choisissez comment la demande est arrivée."))],
    )
    email = StringField(
        _l("Pour confirmer, recopiez l'adresse e-mail de la personne"),
        validators=[DataRequired(_l("Recopiez l'adresse e-mail de la personne."))],
    )

    def __init__(self, *args, expected_email: str, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._expected = normalize_email(expected_email)

    def validate_email(self, field) -> None:
        if normalize_email(field.data or "") != self._expected:
            raise ValidationError(
                _l("Cette adresse n'est pas celle de la personne : rien n'a été effacé.")
            )
