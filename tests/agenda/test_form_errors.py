"""The event form: every error of a submission at once, in the reader's language, listed in
the summary at the top with a link to its field, a programme line named by its row."""

import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from parcours.accounts.models import User
from parcours.agenda.models import Event
from parcours.core.extensions import db
from parcours.core.time import freeze
from tests.agenda.test_views import _form
from tests.conftest import page_text
from tests.forms import error_summary as summary


def _use_english(app, world, role="coordinator"):
    with app.app_context():
        db.session.get(User, world[role]).locale = "en"
        db.session.commit()


BAD = {
    "title": "",
    "start_date": "11/01/2027",
    "end_date": "2027-01-32",
    "start_time": "9h30",
    "end_time": "8:00",
    "online_url": "pas une adresse",
    "items-0-title": "Ouverture",
    "items-0-start_time": "09:30",
    "items-0-end_time": "",
    "items-1-title": "Atelier",
    "items-1-start_time": "10:00",
    "items-1-end_time": "11:00",
    "documents-0-title": "Programme",
    "documents-0-url": "ftp//nulle-part",
}


def test_every_error_of_the_event_form_at_once_in_french(app, login_as, world):
    client = login_as("coordinator")
    response = client.post(f"/cohorts/{world['cohort_a']}/events/new", data=_form(**BAD))
    assert response.status_code == 400
    links = dict(summary(response))
    assert links == {
        "title": "Titre : Ce champ est requis.",
        "end_date": "Date de fin : Date non reconnue : écrivez-la jj/mm/aaaa, par exemple "
        "11/01/2027.",
        "online_url": "Lien de visioconférence : URL non valide.",
        "items-0-title": "Déroulé, ligne 1 (Intitulé) : Indiquez l'heure de début et de fin.",
        "documents-0-url": "Documents, ligne 1 (Lien) : URL non valide.",
    }
    html = response.get_data(as_text=True)
    # What was typed stays as typed.
    assert 'value="11/01/2027"' in html and 'value="2027-01-32"' in html
    assert 'value="pas une adresse"' in html and 'value="ftp//nulle-part"' in html
    assert re.search(
        r'id="documents-0-url"[^>]*aria-invalid="true"|aria-invalid="true"[^>]*'
        r'id="documents-0-url"',
        html,
    )


def test_draft_errors_come_with_the_field_errors(app, login_as, world):
    """A territory on a cohort-wide session and a line outside the event's hours are said in
    the same round as a missing title, each under its own field."""
    client = login_as("coordinator")
    data = _form(
        title="",
        territory=str(world["territory_a1"]),
        **{
            "items-1-title": "Clôture",
            "items-1-start_time": "17:00",
            "items-1-end_time": "18:00",
        },
    )
    response = client.post(f"/cohorts/{world['cohort_a']}/events/new", data=data)
    assert response.status_code == 400
    assert dict(summary(response)) == {
        "title": "Titre : Ce champ est requis.",
        "territory": "Territoire : Ce type d'événement concerne toute la cohorte.",
        "items-1-end_time": "Déroulé, ligne 2 (Fin) : « Clôture » sort des horaires de "
        "l'événement.",
    }
    html = response.get_data(as_text=True)
    assert re.search(r'aria-describedby="items-1-end_time-error"', html)
    assert 'id="items-1-end_time-error"' in html


def test_an_end_before_the_start_is_said_under_the_end_time(app, login_as, world):
    response = login_as("coordinator").post(
        f"/cohorts/{world['cohort_a']}/events/new", data=_form(end_time="08:00")
    )
    assert response.status_code == 400
    assert dict(summary(response)) == {
        "end_time": "Heure de fin : La fin doit être après le début."
    }


def test_the_event_form_speaks_english_to_an_english_user(app, login_as, world):
    _use_english(app, world)
    client = login_as("coordinator")
    response = client.post(f"/cohorts/{world['cohort_a']}/events/new", data=_form(**BAD))
    assert response.status_code == 400
    links = dict(summary(response))
    assert links == {
        "title": "Title: This field is required.",
        "end_date": "End date: Date not recognised: write it dd/mm/yyyy, for example 11/01/2027.",
        "online_url": "Video conference link: Invalid URL.",
        "items-0-title": "Agenda, row 1 (Title): Give the start and end times.",
        "documents-0-url": "Documents, row 1 (Link): Invalid URL.",
    }
    assert "The form has 5 errors" in page_text(response)


def test_warnings_are_shown_with_the_errors_of_the_same_round(app, login_as, world):
    with app.app_context():
        s1 = db.session.scalar(
            select(Event).where(Event.cohort_id == world["cohort_a"], Event.code == "S1")
        )
        day = s1.starts_at.strftime("%Y-%m-%d")
    client = login_as("coordinator")
    response = client.post(
        f"/cohorts/{world['cohort_a']}/events/new",
        data=_form(start_date=day, end_date=day, title=""),
    )
    assert response.status_code == 400
    text = page_text(response)
    assert "Titre : Ce champ est requis." in text and "Chevauche" in text
    # Fixed and confirmed in one go: saved.
    response = client.post(
        f"/cohorts/{world['cohort_a']}/events/new",
        data=_form(start_date=day, end_date=day, title="Doublon", confirm="y"),
    )
    assert response.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(func.count(Event.id)).where(Event.title == "Doublon")) == 1


def test_the_clash_warning_writes_its_date_as_the_rest_of_the_app(app, login_as, world):
    with app.app_context():
        s1 = db.session.scalar(
            select(Event).where(Event.cohort_id == world["cohort_a"], Event.code == "S1")
        )
        day = s1.starts_at.strftime("%Y-%m-%d")
    response = login_as("coordinator").post(
        f"/cohorts/{world['cohort_a']}/events/new",
        data=_form(start_date=day, end_date=day, title="Doublon"),
    )
    text = page_text(response)
    assert re.search(r"Chevauche « Session 1[^»]*» \(mercredi 1er avril 2026, 09:30–17:00\)", text)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("11/01/2027", "2027-01-11"), ("2027-01-11", "2027-01-11")],
)
def test_a_day_typed_the_french_way_is_understood(app, login_as, world, typed, expected):
    with freeze(datetime(2026, 3, 1, tzinfo=UTC)):
        client = login_as("coordinator")
        response = client.post(
            f"/cohorts/{world['cohort_a']}/events/new",
            data=_form(title="Jour typé", start_date=typed, end_date=typed, confirm="y"),
        )
    assert response.status_code == 302, page_text(response)[:600]
    with app.app_context():
        event = db.session.scalar(select(Event).where(Event.title == "Jour typé"))
        assert event.starts_at.date().isoformat() == expected
