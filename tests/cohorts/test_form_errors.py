"""Cohort, territory and member forms: precise messages, in the reader's language, listed in
the error summary with links to their fields."""

import pytest
from sqlalchemy import func, select

from parcours.accounts.models import User
from parcours.core.extensions import db
from parcours.curricula.models import CurriculumVersion
from tests.conftest import page_text
from tests.forms import error_summary as summary


def _english(app, world, role="coordinator"):
    with app.app_context():
        db.session.get(User, world[role]).locale = "en"
        db.session.commit()


@pytest.fixture
def version_id(app, world) -> str:
    with app.app_context():
        return str(db.session.scalar(select(func.min(CurriculumVersion.id))))


def _cohort(version_id, **changes):
    return {
        "curriculum": version_id,
        "name": "Cohorte nouvelle",
        "start_date": "2027-01-11",
        "timezone": "Europe/Paris",
        "target_territories": "12",
        **changes,
    }


@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        (
            "fr",
            {
                "start_date": "Date de début : Date non reconnue : écrivez-la jj/mm/aaaa, "
                "par exemple 11/01/2027.",
                "timezone": "Fuseau horaire : Fuseau horaire inconnu (exemple : Europe/Paris).",
                "target_territories": "Nombre de territoires visé : Indiquez un nombre de "
                "territoires entre 1 et 100.",
            },
        ),
        (
            "en",
            {
                "start_date": "Start date: Date not recognised: write it dd/mm/yyyy, "
                "for example 11/01/2027.",
                "timezone": "Time zone: Unknown time zone (for example: Europe/London).",
                "target_territories": "Target number of territories: Enter a number of "
                "territories between 1 and 100.",
            },
        ),
    ],
)
def test_cohort_form_says_what_is_wrong(app, login_as, world, version_id, locale, expected):
    if locale == "en":
        _english(app, world)
    client = login_as("coordinator")
    response = client.post(
        "/cohorts/new",
        data=_cohort(
            version_id, start_date="11-01-2027", timezone="Mars/Olympus", target_territories="0"
        ),
    )
    assert response.status_code == 400
    assert dict(summary(response)) == expected


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ("", "Nombre de territoires visé : Ce champ est requis."),
        ("douze", "Nombre de territoires visé : N'est pas un entier valide."),
        ("101", "Nombre de territoires visé : Indiquez un nombre de territoires entre 1 et 100."),
    ],
)
def test_target_territories_messages(login_as, world, version_id, target, message):
    response = login_as("coordinator").post(
        "/cohorts/new", data=_cohort(version_id, target_territories=target)
    )
    assert response.status_code == 400
    assert [text for _anchor, text in summary(response)] == [message]


def test_a_start_date_typed_the_french_way_creates_the_cohort(login_as, world, version_id):
    client = login_as("coordinator")
    response = client.post("/cohorts/new", data=_cohort(version_id, start_date="11/01/2027"))
    assert response.status_code == 302, page_text(response)[:500]
    assert "du 11 janvier 2027" in page_text(client.get(response.headers["Location"]))


@pytest.mark.parametrize("locale", ["fr", "en"])
def test_territory_and_member_forms_list_their_errors(app, login_as, world, locale):
    if locale == "en":
        _english(app, world)
    client = login_as("coordinator")
    response = client.post(
        f"/cohorts/{world['cohort_a']}/territories/new",
        data={"name": "", "kind": "rural", "carrier_type": "associatif", "status": "nope"},
    )
    assert response.status_code == 400
    assert dict(summary(response)) == (
        {
            "name": "Nom du territoire : Ce champ est requis.",
            "status": "Statut de la sollicitation : N'est pas un choix valide.",
        }
        if locale == "fr"
        else {
            "name": "Territory name: This field is required.",
            "status": "Approach status: Not a valid choice.",
        }
    )
    response = client.post(
        f"/cohorts/{world['cohort_a']}/members",
        data={"role": "coach", "full_name": "", "email": "pas-une-adresse"},
    )
    assert response.status_code == 400
    assert dict(summary(response)) == (
        {
            "full_name": "Nom complet : Ce champ est requis.",
            "email": "Adresse e-mail : Adresse électronique non valide.",
        }
        if locale == "fr"
        else {
            "full_name": "Full name: This field is required.",
            "email": "Email address: Invalid email address.",
        }
    )
