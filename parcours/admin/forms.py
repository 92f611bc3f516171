"""Administration forms."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField


class CohortCreationForm(FlaskForm):
    allowed = BooleanField(_l("Peut créer des cohortes"))
