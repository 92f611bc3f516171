"""The file field of every form that takes attachments.

::

    class ReportForm(AppForm):
        text = TextAreaField(...)
        attachments = FilesField(_l("Pièces jointes"))                 # ATTACHMENT_KINDS
        scans = FilesField(_l("Feuille signée"), kinds=files.SCAN_KINDS,
                           validators=[DataRequired()])                # at least one file

    if form.validate_on_submit():
        stored = [files.store(upload, user_id=current_user.id, kinds=form.attachments.kinds)
                  for upload in form.attachments.data]

- ``field.data`` is the list of the files chosen (``FileStorage``), the empty parts a browser
  sends for an untouched input left out: ``[]`` when none.
- Validation runs :func:`files.check` on every file and puts each :class:`files.Refused`
  message in ``field.errors``, followed by a reminder that the files must be chosen again
  (no browser keeps a file input's choice): the form renders again with everything else the
  user typed.
- At most ``PARCOURS_MAX_FILES_PER_FORM`` files (default 5) per submission, counted over
  every FilesField of the form.
- The template needs ``enctype="multipart/form-data"`` on the form, and the
  ``file_input(field)`` macro of ``templates/storage/_files.html`` (label, ``accept``, the
  hint « JPEG, PNG, WebP, PDF, documents bureautiques — 10 Mo maximum par fichier », errors).
"""

from flask import current_app
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_wtf.file import MultipleFileField
from werkzeug.datastructures import FileStorage
from wtforms.validators import StopValidation

from parcours.storage import files


class FilesField(MultipleFileField):
    """Several files in one input, each checked by its bytes against ``kinds``."""

    def __init__(
        self, label=None, validators=None, *, kinds: files.Kinds = files.ATTACHMENT_KINDS, **kwargs
    ) -> None:
        render_kw = {
            "multiple": True,
            "accept": kinds.accept,
            **(kwargs.pop("render_kw", None) or {}),
        }
        super().__init__(label, validators, render_kw=render_kw, **kwargs)
        self.kinds = kinds

    def process_formdata(self, valuelist) -> None:
        # An input left empty still sends a part, with no name and no bytes: not a file.
        self.data = [
            upload
            for upload in valuelist
            if isinstance(upload, FileStorage) and (upload.filename or _has_bytes(upload))
        ]

    def process_data(self, value) -> None:
        self.data = list(value or [])

    @property
    def hint(self) -> str:
        """Say what the field accepts: « JPEG, PNG, WebP, PDF, documents bureautiques — … »."""
        limit = files.human_size(files.max_upload_bytes())
        count = int(current_app.config["PARCOURS_MAX_FILES_PER_FORM"])
        return ngettext(
            "%(types)s — %(size)s maximum par fichier, %(num)d fichier à la fois.",
            "%(types)s — %(size)s maximum par fichier, %(num)d fichiers au plus à la fois.",
            count,
            types=self.kinds.short_description,
            size=limit,
        )

    def pre_validate(self, form) -> None:
        uploads = self.data or []
        refusals = []
        limit = int(current_app.config["PARCOURS_MAX_FILES_PER_FORM"])
        fields = [f for f in form if isinstance(f, FilesField)]
        total = sum(len(f.data or []) for f in fields)
        if total > limit and fields and fields[0] is self:
            refusals.append(
                ngettext(
                    "Envoyez au plus %(num)d fichier à la fois.",
                    "Envoyez au plus %(num)d fichiers à la fois.",
                    limit,
                )
            )
        else:
            for upload in uploads:
                try:
                    files.check(upload, kinds=self.kinds)
                except files.Refused as refused:
                    refusals.append(refused.message)
        if refusals:
            self.errors.extend(
                [
                    *refusals,
                    _(
                        "Rien n'a été joint : choisissez à nouveau les fichiers à envoyer (le "
                        "navigateur ne peut pas garder ceux choisis avant l'erreur)."
                    ),
                ]
            )
            raise StopValidation()

    @property
    def to_choose_again(self) -> list[str]:
        """Return the names of the files sent with a form that comes back with errors.

        A form shown again after a POST (a success redirects) has lost them, whatever field
        was wrong: the page says which ones to choose again.
        """
        return [files.display_name(upload.filename) for upload in self.data or []]


def _has_bytes(upload: FileStorage) -> bool:
    stream = upload.stream
    position = stream.tell()
    present = bool(stream.read(1))
    stream.seek(position)
    return present
