"""Control characters are refused at the edge: a 400 with a message, never a 500 (PostgreSQL
refuses NUL in text), on every URL and every form field."""

import importlib
import io

import pytest
from sqlalchemy import func, select
from werkzeug.routing import AnyConverter, IntegerConverter

from parcours.accounts.models import ThrottleHit, User
from parcours.cohorts.models import Cohort, Membership, Territory
from parcours.core.extensions import db
from parcours.core.text import has_control_characters
from tests.conftest import PASSWORD, page_text

MESSAGE = (
    "La demande contient un caractère de contrôle invisible (par exemple un caractère nul). "
    "Retirez-le et réessayez."
)


def _refused(response) -> bool:
    return response.status_code == 400 and MESSAGE in page_text(response)


@pytest.mark.parametrize(
    ("text", "multiline", "found"),
    [
        ("Île de Ré", False, False),
        ("a\x00b", False, True),
        ("a\x00b", True, True),
        ("a\x1fb", True, True),
        ("\x07", True, True),
        ("ligne 1\r\nligne 2\tfin", True, False),
        ("ligne 1\nligne 2", False, True),
        ("\x7f é \u200b", False, False),  # not C0: PostgreSQL stores them
    ],
)
def test_control_characters_are_c0_and_text_areas_keep_their_whitespace(text, multiline, found):
    assert has_control_characters(text, multiline=multiline) is found


# Anonymous pages ------------------------------------------------------------------------------


def test_a_nul_in_a_calendar_address_is_a_400(client):
    response = client.get("/calendar/%00.ics")
    assert _refused(response)


def test_a_nul_in_the_login_form_is_a_400_and_counts_nothing(app, client, create_user):
    create_user("ana@example.org")
    for data in (
        {"email": "ana@example.org\x00", "password": PASSWORD},
        {"email": "ana@example.org", "password": PASSWORD + "\x00"},
    ):
        response = client.post("/login", data=data)
        assert _refused(response), response.status_code
    with app.app_context():
        assert db.session.scalar(select(func.count(ThrottleHit.id))) == 0
    assert client.get("/account").status_code == 302  # still logged out


def test_a_nul_in_a_query_value_is_a_400(client):
    assert _refused(client.get("/login?next=%00"))
    assert _refused(client.get("/login?%00=x"))
    assert client.get("/login?next=/agenda").status_code == 200


def test_every_url_refuses_a_control_character_in_its_path_and_its_query(app, client):
    """Walk the URL map, anonymously: nothing reaches a view, a login redirect or a 404."""
    adapter = app.url_map.bind("parcours.test")
    checked = 0
    for rule in app.url_map.iter_rules():
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            converters = rule._converters
            values = {
                name: 1
                if name.endswith("_id")
                else sorted(converters[name].items)[0]
                if isinstance(converters[name], AnyConverter)
                else "x"
                for name in rule.arguments
            }
            path = adapter.build(rule.endpoint, values, method=method)
            assert _refused(client.open(path + "?q=a%00b", method=method)), (method, path)
            assert _refused(client.open(path + "?q=a%0Ab", method=method)), (method, path)
            text_arguments = [
                name
                for name in rule.arguments
                # A choice among fixed values (export.<csv|xlsx>) holds no free text.
                if not isinstance(converters[name], IntegerConverter | AnyConverter)
            ]
            for name in text_arguments:
                path = adapter.build(rule.endpoint, {**values, name: "x\x00y"}, method=method)
                assert _refused(client.open(path, method=method)), (method, path)
            checked += 1
    assert checked > 40


# Every field of a few forms ----------------------------------------------------------------


def _event_form() -> dict:
    return {
        "kind": "other",
        "territory": "0",
        "title": "Point d'étape",
        "start_date": "2026-06-22",
        "start_time": "09:30",
        "end_date": "2026-06-22",
        "end_time": "10:30",
        "venue_name": "Salle",
        "venue_address": "1 rue\nParis",
        "access_notes": "",
        "online_url": "",
        "speakers": "",
        "description": "Ligne 1\r\n\tLigne 2",
        "thematics": "T1",
        "items-0-day": "",
        "items-0-start_time": "09:30",
        "items-0-end_time": "10:30",
        "items-0-kind": "plenary",
        "items-0-title": "Ouverture",
        "items-0-speaker": "",
        "documents-0-title": "",
        "documents-0-url": "",
        "confirm": "y",
    }


FORMS = {
    "login": ("/login", None, "accounts.LoginForm", lambda w: {"email": "a1@example.org"}),
    "forgot": (
        "/password/forgot",
        None,
        "accounts.ForgotPasswordForm",
        lambda w: {"email": "a1@example.org"},
    ),
    "profile": (
        "/account",
        "a1",
        "accounts.ProfileForm",
        lambda w: {"full_name": "Catalyseur A1", "organisation": "Asso", "locale": "fr"},
    ),
    "cohort": (
        "/cohorts/new",
        "coordinator",
        "cohorts.CohortForm",
        lambda w: {
            "curriculum": str(w["version"]),
            "name": "Promotion 2027",
            "start_date": "2027-01-11",
            "timezone": "Europe/Paris",
            "target_territories": "12",
        },
    ),
    "territory": (
        "/cohorts/{cohort_a}/territories/new",
        "coordinator",
        "cohorts.TerritoryForm",
        lambda w: {
            "name": "Île de Ré",
            "region": "Nouvelle-Aquitaine",
            "department": "Charente-Maritime",
            "kind": "littoral",
            "carrier_structure": "Communauté de communes",
            "carrier_type": "public",
            "status": "refused",
            "status_reason": "Calendrier\r\ntrop chargé",
        },
    ),
    "member": (
        "/cohorts/{cohort_a}/members",
        "coordinator",
        "cohorts.MemberForm",
        lambda w: {
            "full_name": "Nouvelle Personne",
            "email": "nouvelle@example.org",
            "organisation": "Asso",
            "role": "coach",
        },
    ),
    "event": (
        "/cohorts/{cohort_a}/events/new",
        "coordinator",
        "agenda.EventForm",
        lambda w: _event_form(),
    ),
}


def _field_defaults(fields):
    """Every name a form posts, its lists of rows and their sub-forms included, and its default."""
    for field in fields:
        if field.type in ("FieldList", "FormField"):
            yield from _field_defaults(field)
        else:
            yield field.name, "" if field.default in (None, False) else str(field.default)


def _form_fields(app, form_class: str, typed: dict) -> dict:
    """Every field of the form class, with what ``typed`` gives, else the field's default."""
    package, name = form_class.split(".")
    module = importlib.import_module(f"parcours.{package}.forms")
    with app.test_request_context():
        defaults = dict(_field_defaults(getattr(module, name)(meta={"csrf": False})))
    assert set(typed) <= set(defaults), set(typed) - set(defaults)  # the test posts real fields
    return {**defaults, **typed}


def _rows(app) -> tuple[int, ...]:
    with app.app_context():
        return tuple(
            db.session.scalar(select(func.count()).select_from(model))
            for model in (User, Cohort, Territory, Membership, ThrottleHit)
        )


@pytest.mark.parametrize("form", FORMS)
def test_every_field_of_a_form_refuses_a_nul_and_writes_nothing(app, world, login_as, form):
    url, role, form_class, data = FORMS[form]
    url = url.format(**world)
    client = login_as(role) if role else app.test_client()
    with app.app_context():
        version = db.session.get(Cohort, world["cohort_a"]).curriculum_version_id
    typed = data({**world, "version": version})
    if form == "login":
        typed["password"] = PASSWORD
    fields = _form_fields(app, form_class, typed)
    before = _rows(app)
    for name in fields:
        response = client.post(url, data={**fields, name: fields[name] + "\x00"})
        assert _refused(response), (name, response.status_code)
        for invisible in ("\x01", "\x1b", "\x0b"):
            response = client.post(url, data={**fields, name: invisible + fields[name]})
            assert _refused(response), (name, repr(invisible))
        # A control character in a field's name is refused as well.
        response = client.post(url, data={**fields, name + "\x00": "x"})
        assert _refused(response), name
    assert _rows(app) == before
    # The same form without them goes through: line breaks and tabs are ordinary text.
    assert client.post(url, data=fields).status_code in (200, 302)


def test_a_control_character_in_an_uploaded_file_name_is_a_400(app, world, login_as):
    client = login_as("coordinator")
    response = client.post(
        f"/cohorts/{world['cohort_a']}/import",
        data={"file": (io.BytesIO(b"territoire;type;type_structure\r\n"), "terr\x00.csv")},
        content_type="multipart/form-data",
    )
    assert _refused(response)


def test_the_refusal_is_translated(app, client):
    client.post("/language", data={"locale": "en"})
    response = client.get("/calendar/%00.ics")
    assert response.status_code == 400
    assert "invisible control character" in page_text(response)


@pytest.mark.parametrize(
    "disposition",
    [
        b'name="full_name\r"',
        b'name="\n"',
        b'name="file\r\n"; filename="territoires.csv"',
    ],
)
def test_a_line_break_in_a_multipart_field_name_is_a_400(app, world, login_as, disposition):
    # The parser gives such a part no name at all: it was a 500 (the check read None).
    body = (
        b"--limite\r\nContent-Disposition: form-data; "
        + disposition
        + b"\r\n\r\nvaleur\r\n--limite--\r\n"
    )
    response = login_as("a1").post(
        "/account", data=body, content_type="multipart/form-data; boundary=limite"
    )
    assert _refused(response)
