"""Two coordinators edit the same cohort, territory or member: the older form is a conflict."""

import pytest
from sqlalchemy import select

from parcours.cohorts.models import Cohort, Membership, Role, Territory
from parcours.core.extensions import db
from parcours.outbox import mail
from tests.conftest import ROLES, page_text
from tests.forms import form_values


def _open_twice(login_as, url):
    """Open ``url`` as two coordinators; return each client with the form it would post."""
    opened = []
    for role in ("coordinator", "admin"):
        client = login_as(role)
        page = client.get(url)
        assert page.status_code == 200
        opened.append((client, form_values(page)))
    return opened


def _coach_membership(app, world) -> int:
    with app.app_context():
        return db.session.scalar(select(Membership.id).where(Membership.user_id == world["coach"]))


def test_cohort_edit_from_an_older_form_is_a_conflict(app, login_as, world):
    url = f"/cohorts/{world['cohort_a']}/edit"
    (first, first_form), (second, second_form) = _open_twice(login_as, url)
    first_form["target_territories"] = "11"
    assert first.post(url, data=first_form).status_code == 302
    second_form["name"] = "Cohorte A — promotion 2026"
    response = second.post(url, data=second_form)
    assert response.status_code == 409
    text = page_text(response)
    assert "Nombre de territoires visé 12 11" in text
    assert "Nom de la cohorte Cohorte A — promotion 2026 Cohorte A" in text
    with app.app_context():
        cohort = db.session.get(Cohort, world["cohort_a"])
        assert (cohort.name, cohort.target_territories) == ("Cohorte A", 11)
    # Saved again with the other change taken in: both are kept.
    merged = form_values(response)
    assert merged["name"] == "Cohorte A — promotion 2026"
    merged["target_territories"] = "11"
    assert second.post(url, data=merged).status_code == 302
    with app.app_context():
        cohort = db.session.get(Cohort, world["cohort_a"])
        assert (cohort.name, cohort.target_territories) == ("Cohorte A — promotion 2026", 11)


def test_territory_edit_from_an_older_form_is_a_conflict(app, login_as, world):
    url = f"/territories/{world['territory_a2']}/edit"
    (first, first_form), (second, second_form) = _open_twice(login_as, url)
    first_form["status"] = "withdrawn"
    first_form["status_reason"] = "Changement d'équipe municipale"
    assert first.post(url, data=first_form).status_code == 302
    with app.app_context():
        sent = len(mail.sent_messages())  # the withdrawal cancelled its events
    second_form["carrier_structure"] = "Maison de l'emploi"
    response = second.post(url, data=second_form)
    assert response.status_code == 409
    text = page_text(response)
    assert "Statut de la sollicitation Accepté Retiré" in text
    assert "Structure porteuse Maison de l'emploi Asso" in text
    with app.app_context():
        territory = db.session.get(Territory, world["territory_a2"])
        assert (territory.status, territory.carrier_structure) == ("withdrawn", "Asso")
        assert len(mail.sent_messages()) == sent
    merged = form_values(response)
    merged["status"], merged["status_reason"] = "withdrawn", "Changement d'équipe municipale"
    assert second.post(url, data=merged).status_code == 302
    with app.app_context():
        territory = db.session.get(Territory, world["territory_a2"])
        assert (territory.status, territory.carrier_structure) == (
            "withdrawn",
            "Maison de l'emploi",
        )


def test_member_role_edit_from_an_older_form_is_a_conflict(app, login_as, world):
    member_id = _coach_membership(app, world)
    url = f"/cohorts/{world['cohort_a']}/members/{member_id}/edit"
    (first, first_form), (second, second_form) = _open_twice(login_as, url)
    first_form["role"] = "committee"
    assert first.post(url, data=first_form).status_code == 302
    second_form["role"] = "coordinator"
    response = second.post(url, data=second_form)
    assert response.status_code == 409
    assert "Rôle Coordinateur·rice Membre du Comité d'orientation" in page_text(response)
    with app.app_context():
        assert db.session.get(Membership, member_id).role == Role.COMMITTEE
    assert second.post(url, data=form_values(response)).status_code == 302
    with app.app_context():
        assert db.session.get(Membership, member_id).role == Role.COORDINATOR


def test_changing_a_coachs_role_ends_their_follow_ups(app, login_as, world):
    member_id = _coach_membership(app, world)
    client = login_as("coordinator")
    url = f"/cohorts/{world['cohort_a']}/members/{member_id}/edit"
    data = form_values(client.get(url))
    data["role"] = "committee"
    response = client.post(url, data=data)
    assert response.status_code == 302
    assert "Nouveau rôle de Coach A : Membre du Comité d'orientation." in page_text(
        client.get(response.headers["Location"])
    )
    with app.app_context():
        assert db.session.get(Territory, world["territory_a1"]).coach_id is None


def test_the_last_coordinator_keeps_the_role(app, login_as, world):
    with app.app_context():
        member_id = db.session.scalar(
            select(Membership.id).where(Membership.user_id == world["coordinator"])
        )
    client = login_as("coordinator")
    url = f"/cohorts/{world['cohort_a']}/members/{member_id}/edit"
    data = form_values(client.get(url))
    data["role"] = "coach"
    response = client.post(url, data=data)
    assert response.status_code == 400
    assert "La cohorte doit garder au moins un·e coordinateur·rice." in page_text(response)
    assert form_values(response)["role"] == "coach"  # what was chosen
    with app.app_context():
        assert db.session.get(Membership, member_id).role == Role.COORDINATOR


def test_a_catalyseurs_role_is_not_edited_here(app, login_as, world):
    with app.app_context():
        member_id = db.session.scalar(
            select(Membership.id).where(Membership.user_id == world["a1"])
        )
    url = f"/cohorts/{world['cohort_a']}/members/{member_id}/edit"
    assert login_as("coordinator").get(url).status_code == 404


@pytest.mark.parametrize("role", ROLES)
def test_member_edit_page_per_role(app, login_as, world, role):
    member_id = _coach_membership(app, world)
    url = f"/cohorts/{world['cohort_a']}/members/{member_id}/edit"
    client = login_as(role)
    expected = 200 if role in ("admin", "coordinator") else 403
    assert client.get(url).status_code == expected
    response = client.post(url, data={"role": "committee", "version": "1"})
    assert response.status_code == (302 if expected == 200 else 403)
    with app.app_context():
        changed = db.session.get(Membership, member_id).role == Role.COMMITTEE
    assert changed == (expected == 200)


def test_an_edit_that_does_not_say_its_version_is_a_conflict(app, login_as, world):
    """A form built from the object would take its stored version for a missing posted one."""
    client = login_as("coordinator")
    url = f"/territories/{world['territory_a1']}/edit"
    data = form_values(client.get(url))
    del data["version"]
    data["region"] = "Bretagne"
    assert client.post(url, data=data).status_code == 409
    data["version"] = "pas un nombre"
    assert client.post(url, data=data).status_code == 409
    with app.app_context():
        assert db.session.get(Territory, world["territory_a1"]).region == "Centre-Val de Loire"


def test_coach_choice_from_an_older_page_is_a_conflict(app, login_as, world):
    url = f"/territories/{world['territory_a2']}"
    opened = []
    for role in ("coordinator", "admin"):
        client = login_as(role)
        opened.append((client, form_values(client.get(url), action=f"{url}/coach")))
    (first, first_form), (second, second_form) = opened
    first_form["coach"] = str(world["coach"])
    assert first.post(f"{url}/coach", data=first_form).status_code == 302
    second_form["coach"] = "0"  # from the older page: nobody was following it
    response = second.post(f"{url}/coach", data=second_form)
    assert response.status_code == 409
    assert "Accompagnateur·rice — aucun·e — Coach A" in page_text(response)
    with app.app_context():
        assert db.session.get(Territory, world["territory_a2"]).coach_id == world["coach"]
    again = form_values(response, action=f"{url}/coach")
    assert second.post(f"{url}/coach", data=again).status_code == 302
    with app.app_context():
        assert db.session.get(Territory, world["territory_a2"]).coach_id is None
