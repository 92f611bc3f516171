"""The shared form classes: WTForms' messages in the reader's language, rows included, and
the error summary's list."""

import importlib
import inspect
import pkgutil

import pytest
import wtforms
from flask_babel import force_locale
from werkzeug.datastructures import MultiDict
from wtforms import FieldList, FormField, StringField
from wtforms.validators import URL, DataRequired, Optional

import parcours
from parcours.accounts.models import User
from parcours.core.extensions import db
from parcours.core.forms import AppForm, DayField, HourField, RowForm, form_errors
from tests.conftest import page_text


class _Row(RowForm):
    url = StringField("Lien", validators=[Optional(), URL()])


class _Page(AppForm):
    class Meta:
        csrf = False

    title = StringField("Titre", validators=[DataRequired()])
    rows = FieldList(FormField(_Row), label="Documents", min_entries=1)
    day = DayField("Jour")
    at = HourField("Heure")


def _submitted(app, locale: str, data: dict) -> _Page:
    with app.test_request_context(method="POST"), force_locale(locale):
        form = _Page(formdata=MultiDict(data))
        form.validate()
        return form, [(e.text, e.anchor) for e in form_errors(form)]


@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        (
            "fr",
            [
                ("Titre : Ce champ est requis.", "title"),
                ("Documents, ligne 1 (Lien) : URL non valide.", "rows-0-url"),
                (
                    "Jour : Date non reconnue : écrivez-la jj/mm/aaaa, par exemple 11/01/2027.",
                    "day",
                ),
                ("Heure : Heure non reconnue : écrivez-la hh:mm, par exemple 09:30.", "at"),
            ],
        ),
        (
            "en",
            [
                ("Titre: This field is required.", "title"),
                ("Documents, row 1 (Lien): Invalid URL.", "rows-0-url"),
                ("Jour: Date not recognised: write it dd/mm/yyyy, for example 11/01/2027.", "day"),
                ("Heure: Time not recognised: write it hh:mm, for example 09:30.", "at"),
            ],
        ),
    ],
)
def test_messages_of_pages_and_rows_are_in_the_readers_language(app, locale, expected):
    _form, errors = _submitted(
        app, locale, {"title": "", "rows-0-url": "pas une url", "day": "32/01/2027", "at": "25h"}
    )
    assert errors == expected


@pytest.mark.parametrize(
    ("typed", "day"), [("2027-01-11", "2027-01-11"), ("11/01/2027", "2027-01-11")]
)
def test_a_day_is_read_as_a_picker_sends_it_or_typed_the_french_way(app, typed, day):
    form, errors = _submitted(app, "fr", {"title": "x", "day": typed, "at": "9h30"})
    assert errors == [] and form.day.data.isoformat() == day
    assert form.at.data.strftime("%H:%M") == "09:30"


def _form_classes():
    for module in pkgutil.walk_packages(parcours.__path__, "parcours."):
        if module.name.endswith(".forms") or module.name == "parcours.core.conflicts":
            loaded = importlib.import_module(module.name)
            for _name, value in inspect.getmembers(loaded, inspect.isclass):
                if issubclass(value, wtforms.Form) and value.__module__ == loaded.__name__:
                    yield value


def test_every_form_of_the_application_speaks_the_readers_language():
    classes = list(_form_classes())
    assert len(classes) > 20  # the forms modules were found
    untranslated = [c.__qualname__ for c in classes if not issubclass(c, AppForm | RowForm)]
    assert untranslated == []


@pytest.mark.parametrize(
    "body",
    [
        b'[{"full_name": "X", "locale": "fr"}, {"full_name": "Y"}]',  # a list of objects
        b"12",
        b'{"full_name": 12, "organisation": ["a", "b"], "locale": null}',  # no texts
        b'{"full_name": "Nouveau nom", "organisation": "", "locale": "fr"}',  # even well formed
    ],
)
def test_a_json_body_posted_to_a_form_is_a_415_and_changes_nothing(app, world, login_as, body):
    # Flask-WTF read it as the form's fields, values of any JSON type: those were 500s.
    client = login_as("a1")
    response = client.post("/account", data=body, content_type="application/json")
    assert response.status_code == 415
    assert "un contenu JSON n'est pas lu" in page_text(response)
    with app.app_context():
        assert db.session.get(User, world["a1"]).full_name == "Catalyseur A1"
    # The page itself, and its form posted as a browser does, are as before.
    assert client.get("/account", content_type="application/json").status_code == 200
    saved = client.post("/account", data={"full_name": "Nouveau nom", "locale": "fr"})
    assert saved.status_code == 302
