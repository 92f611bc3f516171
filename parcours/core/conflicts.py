"""Optimistic locking: a form saved over a version it did not show is a conflict, not an overwrite.

Every editable row carries a ``version`` (:func:`version_column`, SQLAlchemy's
``version_id_col``: each UPDATE says ``WHERE version = <the version read>`` and raises it by
one). Its edit form carries the version it was rendered from (:class:`VersionedForm`). A view
saves inside :func:`versioned`::

    try:
        with conflicts.versioned(form, territory):
            operations.update_territory(territory, **form.territory_fields())
    except conflicts.Conflict:
        return conflicts.page("cohorts/territory_form.html", form, stored_form, territory, ...)

A stale version is caught before anything is applied (so no change notice goes out), a save
that races another one between that check and its flush is caught by the ``WHERE``
(StaleDataError). :func:`page` answers 409 with the edit page itself: the form keeps what the
user typed and now carries the stored version, and ``templates/_conflict.html`` lists, per
field, « votre version » and « version enregistrée », so that saving again merges on purpose.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, time

from flask import render_template
from flask_babel import gettext as _
from sqlalchemy import text
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm.exc import StaleDataError
from wtforms import (
    BooleanField,
    FieldList,
    FileField,
    FormField,
    HiddenField,
    SelectFieldBase,
    SelectMultipleField,
    SubmitField,
)
from wtforms.widgets import HiddenInput

from parcours.core.extensions import db
from parcours.core.forms import AppForm
from parcours.core.i18n import format_date


def version_column():
    """Return the ``version`` column of an editable model; map it as its ``version_id_col``."""
    return mapped_column(nullable=False, server_default=text("1"))


class VersionedForm(AppForm):
    """An edit form that says which version of its object it was rendered from."""

    # Read from what was posted only (see check): filled from the object on a GET.
    version = HiddenField()
    #: Fields that steer the save rather than hold the object's content.
    not_content: tuple[str, ...] = ()


class Conflict(Exception):
    """Someone else saved the object since the form was rendered."""


def check(form: VersionedForm, obj) -> None:
    """Raise Conflict unless ``form`` was posted from the stored version of ``obj``.

    A version missing or mangled matches none: such a save is a conflict, never a blind write
    (a form built with ``obj=`` would otherwise take the stored version for the posted one).
    """
    if _posted_version(form) != obj.version:
        raise Conflict


def _posted_version(form: VersionedForm) -> int | None:
    raw = form.version.raw_data
    try:
        return int(raw[0]) if raw else None
    except ValueError:
        return None


@contextmanager
def versioned(form: VersionedForm, obj) -> Iterator[None]:
    """Check the form's version, then run the save; a race lost at flush is a Conflict too."""
    check(form, obj)
    try:
        yield
    except StaleDataError as error:
        start_afresh()
        raise Conflict from error


def start_afresh() -> None:
    """Undo a save that lost a race at flush, so that the page can read the stored rows.

    A failed flush leaves the session unusable until it is rolled back; the request pipeline
    rolls back again at the end of the conflict answer, which is harmless.
    """
    db.session.rollback()


@dataclass(frozen=True)
class Difference:
    """One field whose typed value differs from the stored one."""

    label: str
    mine: str
    stored: str


#: Fields that are not the object's content.
_SKIPPED = (HiddenField, SubmitField, FileField)


def differences(mine: VersionedForm, stored: VersionedForm) -> list[Difference]:
    """Return the fields of ``mine`` whose value differs from ``stored`` (the same form class)."""
    found = []
    for field in mine:
        # By short name: a prefixed form (several on one page) names its fields "kind-name".
        if _skipped(field) or field.short_name in mine.not_content:
            continue
        typed, saved = _shown(field), _shown(stored[field.short_name])
        if typed != saved:
            found.append(Difference(str(field.label.text), typed, saved))
    return found


def page(template: str, form: VersionedForm, stored: VersionedForm, obj, **context):
    """Answer 409 with the edit page: the user's values, the stored version, the differences."""
    rebase(form, obj)
    return render_template(template, form=form, conflict=differences(form, stored), **context), 409


def rebase(form: VersionedForm, obj) -> None:
    """Make ``form`` carry the stored version of ``obj``: saving it again is deliberate."""
    form.version.data = obj.version
    form.version.raw_data = None  # rendered from .data, not from what was posted


def _skipped(field) -> bool:
    return isinstance(field, _SKIPPED) or isinstance(field.widget, HiddenInput)


def _shown(field) -> str:
    """Return a field's value as a reader sees it, blank rows of a list left out."""
    if isinstance(field, FieldList):
        return "\n".join(line for entry in field if (line := _shown(entry)))
    if isinstance(field, FormField):
        parts = [sub for sub in field if not _skipped(sub)]
        typed = [sub for sub in parts if not isinstance(sub, SelectFieldBase | BooleanField)]
        if typed and not any(_shown(sub) for sub in typed):
            return ""  # a blank row: its menus keep their defaults, it says nothing
        return " · ".join(value for sub in parts if (value := _shown(sub)))
    data = field.data
    if isinstance(field, BooleanField):
        return _("Oui") if data else _("Non")
    if isinstance(field, SelectMultipleField):
        chosen = {str(value) for value in data or ()}
        return ", ".join(str(label) for value, label in _choices(field) if str(value) in chosen)
    if isinstance(field, SelectFieldBase):
        return next(
            (str(label) for value, label in _choices(field) if str(value) == str(data)),
            "" if data is None else str(data),
        )
    if isinstance(data, date):
        return format_date(data, "long")
    if isinstance(data, time):
        return data.strftime("%H:%M")
    return "" if data is None else str(data).strip()


def _choices(field) -> list[tuple]:
    return [
        (c.value, c.label) if hasattr(c, "value") else (c[0], c[1]) for c in field.choices or ()
    ]
