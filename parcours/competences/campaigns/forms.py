"""The coordinator's campaign forms: extend and close (versioned), one-button actions."""

from flask_babel import lazy_gettext as _l
from wtforms.validators import InputRequired

from parcours.core.conflicts import VersionedForm
from parcours.core.forms import DayField, understood


class ExtendForm(VersionedForm):
    """Move the last answering day of a campaign, from the version of it the page showed."""

    last_day = DayField(
        _l("Nouveau dernier jour pour répondre"),
        validators=[understood, InputRequired(_l("Choisissez le nouveau dernier jour."))],
    )


class CloseForm(VersionedForm):
    """Close a campaign now, from the version of it the page showed."""
