"""Forms shared by every domain: base classes that speak the reader's language, date and time
fields that say the format they expect, and the error summary of a submitted form.

Every form is an :class:`AppForm` (a page's form) or a :class:`RowForm` (a row of a
``FieldList(FormField(...))``). Both give WTForms' own messages (« Ce champ est requis. »,
« URL non valide. ») in the reader's language, from the catalogue WTForms ships: a plain
``wtforms.Form`` would write them in English, and Flask-WTF only translates the top-level form.
tests/core/test_forms.py checks that every form class of the application is one of these.
"""

from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from babel.support import NullTranslations, Translations
from flask import Flask, abort, request
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from flask_wtf.form import _Auto, _is_submitted
from wtforms import DateField, FieldList, Form, FormField, SelectChoice, TimeField
from wtforms.i18n import messages_path
from wtforms.validators import StopValidation, ValidationError
from wtforms.widgets import HiddenInput, ListWidget, TableWidget

from parcours.core.i18n import _current_locale, format_date

# Dates the application can compute with: a cohort's timeline, a month grid or a time zone
# conversion never comes near date.min or date.max from within this range.
EARLIEST_DATE = date(2000, 1, 1)
LATEST_DATE = date(2100, 12, 31)


@lru_cache(maxsize=8)
def _wtforms_catalogue(code: str) -> NullTranslations:
    # Read once per language and process (Flask-WTF reads it again for every request).
    return Translations.load(messages_path(), [code], domain="wtforms")


class _ReaderTranslations:
    """WTForms' catalogue of the language of the request, looked up when a message is made."""

    def _catalogue(self) -> NullTranslations | None:
        locale = _current_locale()
        return _wtforms_catalogue(str(locale)) if locale is not None else None

    def gettext(self, string: str) -> str:
        catalogue = self._catalogue()
        return string if catalogue is None else catalogue.ugettext(string)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        catalogue = self._catalogue()
        if catalogue is None:
            return singular if n == 1 else plural
        return catalogue.ungettext(singular, plural, n)


_TRANSLATIONS = _ReaderTranslations()


class _Translated:
    """Meta mixin: WTForms' messages in the reader's language."""

    def get_translations(self, form):
        return _TRANSLATIONS


class AppForm(FlaskForm):
    """A page's form (CSRF-protected), its messages in the reader's language.

    It reads what its page posts, fields of a form. Flask-WTF would read a JSON body as the
    fields instead, and its values need not be texts (a number, a list, a list of objects):
    every field and validator would have to expect them, and they were 500s. Such a body is
    answered 415 (see ``errors.MESSAGES``).
    """

    class Meta(_Translated, FlaskForm.Meta):
        def wrap_formdata(self, form, formdata):
            if (
                formdata is _Auto
                and _is_submitted()
                and request.is_json
                and not (request.form or request.files)
            ):
                abort(415)
            return super().wrap_formdata(form, formdata)


class RowForm(Form):
    """A row of a FieldList(FormField(...)), its messages in the reader's language."""

    class Meta(_Translated, Form.Meta):
        pass


class EmptyForm(AppForm):
    """A form with no field, so that one-button POSTs still carry a CSRF token."""


def choices(pairs) -> list[SelectChoice]:
    """Turn (value, label) pairs into select choices."""
    return [SelectChoice(value, label) for value, label in pairs]


class DayField(DateField):
    """A date: what a date picker sends (2027-01-11), or typed as 11/01/2027.

    A browser without a date picker shows a text box, where people write the date the French
    way; WTForms' own « N'est pas une date valide. » would not say how to write it.
    """

    def __init__(self, label=None, validators=None, **kwargs) -> None:
        super().__init__(label, validators, format=["%Y-%m-%d", "%d/%m/%Y"], **kwargs)

    def process_formdata(self, valuelist) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError as error:
            raise ValueError(
                _("Date non reconnue : écrivez-la jj/mm/aaaa, par exemple 11/01/2027.")
            ) from error


class HourField(TimeField):
    """A time of day: what a time picker sends (09:30, 09:30:00), or typed as 9h30."""

    def __init__(self, label=None, validators=None, **kwargs) -> None:
        super().__init__(label, validators, format=["%H:%M", "%H:%M:%S", "%Hh%M", "%Hh"], **kwargs)

    def process_formdata(self, valuelist) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError as error:
            raise ValueError(
                _("Heure non reconnue : écrivez-la hh:mm, par exemple 09:30.")
            ) from error


def understood(form, field) -> None:
    """Stop a field's validators when what was typed could not be read (a number as « douze »):
    the field's own message says it, a range check of nothing would only add a wrong one."""
    if field.process_errors:
        raise StopValidation()


class DateRange:
    """Refuse a date outside [min, max], both included; an empty or unparsed date is left alone."""

    def __init__(self, min: date = EARLIEST_DATE, max: date = LATEST_DATE) -> None:
        self.min = min
        self.max = max

    def __call__(self, form, field) -> None:
        if field.data is None:
            return  # InputRequired/Optional or the field's own parse error speak for it
        if not self.min <= field.data <= self.max:
            raise ValidationError(
                _(
                    "La date doit être comprise entre le %(min)s et le %(max)s.",
                    min=format_date(self.min, "long"),
                    max=format_date(self.max, "long"),
                )
            )


# The error summary ------------------------------------------------------------------------


@dataclass(frozen=True)
class FormError:
    """One message of the error summary, and the id of the field it sends the reader to."""

    text: str
    anchor: str | None


def form_errors(form) -> list[FormError]:
    """Return every error of a submitted form, in the order of its fields.

    Each names its field (« Titre : Ce champ est requis. »); an error in a row of a list names
    the list and the row (« Déroulé, ligne 3 (Fin) : … »), and links to the field of that row.
    """
    found: list[FormError] = []
    for field in form:
        found.extend(_field_errors(field))
    return found


def _field_errors(field, row: tuple[str, int] | None = None) -> list[FormError]:
    if isinstance(field, FieldList):
        found = [
            FormError(_named(field, str(message)), _anchor(field))
            for message in field.errors
            if isinstance(message, str)  # a list's own errors; the rows' are read below
        ]
        for index, entry in enumerate(field.entries, start=1):
            found.extend(_field_errors(entry, (str(field.label.text), index)))
        return found
    if isinstance(field, FormField):
        return [error for sub in field.form for error in _field_errors(sub, row)]
    anchor = None if isinstance(field.widget, HiddenInput) else _anchor(field)
    return [FormError(_named(field, str(message), row), anchor) for message in field.errors]


def _named(field, message: str, row: tuple[str, int] | None = None) -> str:
    label = str(field.label.text) if field.label and field.label.text else ""
    if row is not None:
        return _(
            "%(list)s, ligne %(row)d (%(field)s) : %(message)s",
            list=row[0],
            row=row[1],
            field=label,
            message=message,
        )
    if not label or isinstance(field.widget, HiddenInput):
        return message
    return _("%(field)s : %(message)s", field=label, message=message)


def _anchor(field) -> str | None:
    """Return the id of the element a link to ``field`` should focus."""
    if isinstance(field, FieldList):
        first = next(iter(field.entries), None)
        return _anchor(first) if first is not None else field.id
    if isinstance(field, FormField):
        return next((_anchor(sub) for sub in field.form), field.id)
    if isinstance(field.widget, ListWidget | TableWidget):
        # Radio buttons and check boxes: the list has the field's id, its first option
        # is what can take the focus.
        first = next(iter(field), None)
        return first.id if first is not None else field.id
    return field.id


def init_app(app: Flask) -> None:
    """Give templates the error summary's list of a form."""
    app.jinja_env.globals["form_errors"] = form_errors
