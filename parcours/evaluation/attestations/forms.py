"""The verification page's one form: the PDF someone holds, to compare with what was issued."""

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired

from parcours.core.forms import AppForm


class CheckFileForm(AppForm):
    """A PDF to hash and compare; it is read once and never stored."""

    document = FileField(
        _l("Le fichier PDF de l'attestation"),
        validators=[FileRequired(message=_l("Choisissez le fichier PDF de l'attestation."))],
    )
