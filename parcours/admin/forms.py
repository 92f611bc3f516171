"""Administration forms."""

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import BooleanField, SelectField

from parcours.core.forms import AppForm


class CohortCreationForm(AppForm):
    allowed = BooleanField(_l("Peut créer des cohortes"))


class MoodleImportForm(AppForm):
    file = FileField(
        _l("Fichier CSV du référentiel Moodle"),
        validators=[FileRequired(), FileAllowed(["csv", "txt"], _l("Envoyez un fichier .csv."))],
    )
    base = SelectField(_l("Programme repris pour tout le reste"), coerce=int)
