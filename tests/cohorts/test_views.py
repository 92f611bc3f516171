"""Cohort pages as each role sees them, and the effect of each form in the database."""

import re

import pytest
from sqlalchemy import func, select

from parcours.agenda.models import Event
from parcours.cohorts.models import Cohort, Membership, Territory
from parcours.core.extensions import db
from tests.cohorts.removals import confirm_removal
from tests.conftest import page_text
from tests.forms import form_values


def test_coordinator_creates_a_cohort_with_its_timeline(app, login_as, world):
    client = login_as("coordinator")
    page = client.get("/cohorts/new")
    assert "Co-construction territoriale (v1)" in page_text(page)
    with app.app_context():
        version_id = db.session.get(Cohort, world["cohort_a"]).curriculum_version_id
    response = client.post(
        "/cohorts/new",
        data={
            "curriculum": version_id,
            "name": "Promotion 2027",
            "start_date": "2027-01-11",
            "timezone": "Europe/Paris",
            "target_territories": "12",
        },
    )
    assert response.status_code == 302
    with app.app_context():
        cohort = db.session.scalar(select(Cohort).where(Cohort.name == "Promotion 2027"))
        assert db.session.scalar(select(func.count(Event.id)).where(Event.cohort_id == cohort.id))
    overview = client.get(response.headers["Location"])
    assert overview.status_code == 200
    text = page_text(overview)
    assert "Promotion 2027" in text
    assert "Aucun territoire pour l'instant." in text
    assert "Session 1" in text


def test_cohort_form_errors_keep_what_was_typed(login_as, world):
    client = login_as("coordinator")
    response = client.post(
        "/cohorts/new",
        data={
            "curriculum": "1",
            "name": "Cohorte A",
            "start_date": "pas une date",
            "timezone": "Mars/Olympus",
            "target_territories": "0",
        },
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert 'value="Cohorte A"' in html
    assert 'value="Mars/Olympus"' in html
    assert "Fuseau horaire inconnu" in html
    assert 'aria-invalid="true"' in html


def test_territory_form_refused_without_reason_keeps_input(app, login_as, world):
    client = login_as("coordinator")
    response = client.post(
        f"/cohorts/{world['cohort_a']}/territories/new",
        data={
            "name": "Pays de Retz",
            "region": "Pays de la Loire",
            "kind": "rural",
            "carrier_type": "public",
            "status": "refused",
            "status_reason": "",
        },
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Indiquez le motif du refus." in html
    assert 'value="Pays de Retz"' in html
    assert 'value="Pays de la Loire"' in html
    with app.app_context():
        assert db.session.scalar(select(Territory).where(Territory.name == "Pays de Retz")) is None


def test_coordinator_adds_territory_then_invites_catalyseur_and_assigns_coach(
    app, login_as, world, outbox
):
    client = login_as("coordinator")
    response = client.post(
        f"/cohorts/{world['cohort_a']}/territories/new",
        data={
            "name": "Pays de Retz",
            "region": "Pays de la Loire",
            "department": "Loire-Atlantique",
            "kind": "littoral",
            "carrier_structure": "CC Sud Retz",
            "carrier_type": "public",
            "status": "accepted",
            "status_reason": "",
        },
    )
    assert response.status_code == 302
    url = response.headers["Location"]
    response = client.post(
        f"{url}/catalyseurs",
        data={
            "full_name": "Jeanne Nouvelle",
            "email": "jeanne@example.org",
            "organisation": "CC",
        },
    )
    assert response.status_code == 302
    assert [m.to for m in outbox] == ["jeanne@example.org"]
    assert "Cohorte A" in outbox[0].body
    coach_form = form_values(client.get(url), action=f"{url}/coach")
    coach_form["coach"] = str(world["coach"])
    response = client.post(f"{url}/coach", data=coach_form)
    assert response.status_code == 302
    text = page_text(client.get(url))
    assert "Jeanne Nouvelle" in text
    assert "invitation en attente" in text
    with app.app_context():
        territory = db.session.scalar(select(Territory).where(Territory.name == "Pays de Retz"))
        assert territory.coach_id == world["coach"]
        assert len(territory.catalyseurs) == 1


def test_inviting_someone_already_in_the_cohort_shows_the_error_on_the_field(login_as, world):
    client = login_as("coordinator")
    response = client.post(
        f"/territories/{world['territory_a2']}/catalyseurs",
        data={
            "full_name": "Déjà là",
            "email": "A1@example.org",
            "organisation": "",
        },
    )
    assert response.status_code == 400
    assert "participe déjà à cette cohorte" in page_text(response)
    assert 'value="Déjà là"' in response.get_data(as_text=True)


def test_members_page_invites_and_removes(app, login_as, world, outbox):
    client = login_as("coordinator")
    response = client.post(
        f"/cohorts/{world['cohort_a']}/members",
        data={
            "role": "committee",
            "full_name": "Nouveau Membre",
            "email": "membre@example.org",
            "organisation": "Fondation",
        },
    )
    assert response.status_code == 302
    assert outbox[-1].to == "membre@example.org"
    with app.app_context():
        member = db.session.scalar(
            select(Membership)
            .join(Membership.user)
            .where(Membership.role == "committee")
            .order_by(Membership.id.desc())
        )
        member_id = member.id
    assert "Nouveau Membre" in page_text(client.get(f"/cohorts/{world['cohort_a']}/members"))
    response = confirm_removal(client, world["cohort_a"], member_id)
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(Membership, member_id) is None


def test_committee_sees_a_read_only_overview(login_as, world):
    client = login_as("committee")
    response = client.get(f"/cohorts/{world['cohort_a']}")
    text = page_text(response)
    html = response.get_data(as_text=True)
    assert "Vue en lecture seule" in text
    assert "Territoire A1" in text
    assert "/edit" not in html
    assert f"/territories/{world['territory_a1']}" not in html
    assert "Ajouter un territoire" not in text


def test_my_path_shows_my_territory_partner_coach_timeline_and_peers(login_as, world):
    client = login_as("a1")
    home = page_text(client.get("/"))
    assert "Cohorte A" in home and "Cohorte B" not in home
    text = page_text(client.get(f"/cohorts/{world['cohort_a']}/my-path"))
    assert "Territoire A1" in text
    assert "Catalyseur A1 bis" in text
    assert "Coach A" in text
    assert "Territoire A2" in text and "Catalyseur A2" in text
    assert "Territoire B1" not in text
    assert "Session 1" in text
    # My own bilatérale is in my timeline; other territories' meetings are not mine to see.
    assert "Bilatérale de lancement" in text
    assert "territoires)" not in text and "1 territoire)" not in text


def test_single_catalyseur_sees_that_they_have_no_partner(login_as, world):
    client = login_as("a2")
    text = page_text(client.get(f"/cohorts/{world['cohort_a']}/my-path"))
    assert "Vous représentez seul·e votre territoire." in text
    assert "Personne n'accompagne encore votre territoire." in text


def test_coach_sees_only_the_territories_they_follow(login_as, world):
    client = login_as("coach")
    text = page_text(client.get(f"/cohorts/{world['cohort_a']}/my-territories"))
    assert "Territoire A1" in text
    assert "Territoire A2" not in text


def test_admin_sees_every_cohort_on_the_home_page(login_as, world):
    text = page_text(login_as("admin").get("/"))
    assert "Cohorte A" in text and "Cohorte B" in text
    assert "Créer une cohorte" in text


def test_person_without_cohort_sees_an_empty_state(login_as, world):
    text = page_text(login_as("outsider").get("/"))
    assert "Vous ne participez encore à aucune cohorte" in text
    assert "Créer une cohorte" not in text


def test_editing_a_cohort_start_date_moves_its_events(app, login_as, world):
    client = login_as("coordinator")
    with app.app_context():
        before = db.session.scalar(
            select(Event.starts_at).where(Event.cohort_id == world["cohort_a"], Event.code == "S1")
        )
    data = {
        "name": "Cohorte A",
        "start_date": "2026-03-09",
        "timezone": "Europe/Paris",
        "target_territories": "10",
        "version": "1",
    }
    # The moves are shown first (tests/agenda/test_reschedule.py), then confirmed.
    assert client.post(f"/cohorts/{world['cohort_a']}/edit", data=data).status_code == 200
    response = client.post(
        f"/cohorts/{world['cohort_a']}/edit",
        data={**data, "previewed": "2026-03-09 Europe/Paris", "confirm": "y"},
    )
    assert response.status_code == 302
    with app.app_context():
        after = db.session.scalar(
            select(Event.starts_at).where(Event.cohort_id == world["cohort_a"], Event.code == "S1")
        )
        assert (after - before).days == 7
        assert db.session.get(Cohort, world["cohort_a"]).target_territories == 10


def test_my_path_names_the_coaching_whoever_the_coach_is(login_as, world):
    """« Mon accompagnateur » misgendered a woman coach: the heading is neutral."""
    response = login_as("a1").get(f"/cohorts/{world['cohort_a']}/my-path")
    assert re.search(
        r'<h2 id="my-coach">\s*Accompagnement\s*</h2>', response.get_data(as_text=True)
    )
    assert "accompagnateur" not in page_text(response).lower()


@pytest.mark.parametrize("role", ["admin", "coordinator"])
def test_territory_page_gives_each_id_once_so_the_coach_select_has_its_label(login_as, world, role):
    html = login_as(role).get(f"/territories/{world['territory_a1']}").get_data(as_text=True)
    ids = re.findall(r'\sid="([^"]+)"', html)
    repeated = {i for i in ids if ids.count(i) > 1} - {"csrf_token"}
    assert repeated == set()
    assert '<label for="coach">' in html and '<select id="coach"' in html
