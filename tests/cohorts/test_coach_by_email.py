"""The territory page assigns any person as coach by e-mail address, inviting them if need be."""

import pytest
from sqlalchemy import select

from parcours.accounts.models import User
from parcours.cohorts.models import Membership, Territory
from parcours.core.extensions import db
from tests.conftest import ROLES, login, page_text


def _post(client, world, territory="territory_a2", **typed):
    data = {f"coach_invite-{key}": value for key, value in typed.items()}
    return client.post(f"/territories/{world[territory]}/coach/email", data=data)


def _coach_of(app, territory_id: int) -> tuple[int | None, Membership | None]:
    with app.app_context():
        territory = db.session.get(Territory, territory_id)
        member = db.session.scalar(
            select(Membership).where(
                Membership.cohort_id == territory.cohort_id,
                Membership.user_id == territory.coach_id,
            )
        )
        return territory.coach_id, member


def test_an_existing_account_becomes_coach_under_the_name_typed(app, login_as, world, outbox):
    coordinator = login_as("coordinator")
    response = _post(
        coordinator,
        world,
        full_name="M. Accompagnant",
        email="Outsider@Example.org",
        organisation="Cabinet",
    )
    assert response.status_code == 302
    coach_id, member = _coach_of(app, world["territory_a2"])
    assert coach_id == world["outsider"]
    assert (member.role, member.invited_name, member.accepted_at) == (
        "coach",
        "M. Accompagnant",
        None,
    )
    page = page_text(coordinator.get(response.headers["Location"]))
    assert "M. Accompagnant accompagne désormais ce territoire ; une invitation lui est" in page
    assert "M. Accompagnant — Cabinet" in page
    assert "Hors cohorte" not in page  # the account's own name, until they log in
    assert [m.to for m in outbox] == ["outsider@example.org"]
    assert "Bonjour M. Accompagnant," in outbox[0].body
    assert "en tant que Accompagnateur·rice" in outbox[0].body  # a notice: they have a password
    login(app.test_client(), "outsider@example.org")
    assert "Hors cohorte" in page_text(coordinator.get(response.headers["Location"]))


def test_a_coach_of_the_cohort_is_assigned_without_a_new_invitation(app, login_as, world, outbox):
    response = _post(
        login_as("coordinator"), world, full_name="peu importe", email="coach@example.org"
    )
    assert response.status_code == 302
    coach_id, member = _coach_of(app, world["territory_a2"])
    assert coach_id == world["coach"]
    assert member.invited_name == "Coach A"  # unchanged
    assert outbox == []


def test_a_new_address_gets_an_account_and_an_invitation_link(app, login_as, world, outbox):
    response = _post(
        login_as("coordinator"), world, full_name="Zoé Nouvelle", email="zoe@example.org"
    )
    assert response.status_code == 302
    coach_id, member = _coach_of(app, world["territory_a2"])
    with app.app_context():
        user = db.session.get(User, coach_id)
        assert (user.email, user.full_name, user.has_password) == (
            "zoe@example.org",
            "Zoé Nouvelle",
            False,
        )
    assert member.role == "coach"
    assert [m.to for m in outbox] == ["zoe@example.org"]
    assert "/invitation/" in outbox[0].body


@pytest.mark.parametrize("email", ["comite@example.org", "a2@example.org", "coord@example.org"])
def test_someone_with_another_role_is_refused_on_the_field_and_the_form_kept(
    app, login_as, world, outbox, email
):
    response = _post(
        login_as("coordinator"), world, full_name="Tapé ici", email=email, organisation="Org"
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "participe déjà à cette cohorte" in page_text(response)
    assert "changez son rôle depuis la page « Équipe et comité »" in page_text(response)
    assert 'value="Tapé ici"' in html and f'value="{email}"' in html
    assert "<details open>" in html
    assert _coach_of(app, world["territory_a2"])[0] is None
    assert outbox == []


def test_an_invalid_address_is_a_400_with_the_form_kept(app, login_as, world):
    response = _post(login_as("coordinator"), world, full_name="Zoé", email="pas-une-adresse")
    assert response.status_code == 400
    assert 'id="coach_invite-email-error"' in response.get_data(as_text=True)
    assert 'value="pas-une-adresse"' in response.get_data(as_text=True)


@pytest.mark.parametrize("role", sorted(set(ROLES) - {"admin", "coordinator"}))
def test_other_roles_cannot_assign_a_coach_by_email(app, login_as, world, outbox, role):
    response = _post(login_as(role), world, full_name="X", email="x@example.org")
    assert response.status_code == 403
    assert _coach_of(app, world["territory_a2"])[0] is None
    with app.app_context():
        assert db.session.scalar(select(User).where(User.email == "x@example.org")) is None


def test_the_territory_page_offers_the_form_to_those_who_run_the_cohort(login_as, world):
    url = f"/territories/{world['territory_a1']}"
    assert "coach_invite-email" in login_as("coordinator").get(url).get_data(as_text=True)
    assert "coach_invite-email" not in login_as("coach").get(url).get_data(as_text=True)
