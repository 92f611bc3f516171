"""Administration forms."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField

from parcours.core.forms import AppForm


class CohortCreationForm(AppForm):
    allowed = BooleanField(_l("Peut créer des cohortes"))
