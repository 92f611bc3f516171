"""Inviting an address that already has an account tells the coordinator nothing about it."""

import pytest
from sqlalchemy import select

from parcours.agenda.models import Event
from parcours.cohorts.models import Membership
from parcours.core.extensions import db
from parcours.outbox.models import OutboxMessage
from tests.cohorts.removals import confirm_removal
from tests.conftest import login, page_text
from tests.forms import form_values

#: The outsider's account: « Hors cohorte », outsider@example.org, in no cohort of the world.
OWN_NAME = "Hors cohorte"
TYPED = {"full_name": "Mme Inconnue", "email": "OUTSIDER@example.org", "organisation": "Mairie"}


def _invite_as_catalyseur(client, world):
    return client.post(f"/territories/{world['territory_a2']}/catalyseurs", data=TYPED)


def _invite_as_coach(client, world):
    return client.post(f"/cohorts/{world['cohort_a']}/members", data={**TYPED, "role": "coach"})


def _pages(client, world) -> str:
    """Every page of cohort A that names its people to a coordinator, as text."""
    with client.application.app_context():
        message_ids = db.session.scalars(
            select(OutboxMessage.id).where(OutboxMessage.cohort_id == world["cohort_a"])
        ).all()
        s1 = db.session.scalar(
            select(Event.id).where(Event.cohort_id == world["cohort_a"], Event.code == "S1")
        )
    cohort = f"/cohorts/{world['cohort_a']}"
    urls = [
        cohort,
        f"{cohort}/members",
        f"/territories/{world['territory_a1']}",
        f"/territories/{world['territory_a2']}",
        f"{cohort}/outbox",
        f"/events/{s1}",  # who is expected
        f"/events/{s1}/attendance",  # the attendance sheet
        f"{cohort}/attendance",
        *(f"{cohort}/outbox/{message_id}" for message_id in message_ids),
    ]
    texts = []
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        texts.append(page_text(response))
    return " ".join(texts)


@pytest.mark.parametrize("invite", [_invite_as_catalyseur, _invite_as_coach])
def test_the_coordinator_sees_only_what_they_typed_until_the_person_logs_in(
    app, login_as, world, invite
):
    coordinator = login_as("coordinator")
    response = invite(coordinator, world)
    assert response.status_code == 302
    flashed = page_text(coordinator.get(response.headers["Location"]))
    assert "Mme Inconnue est invité·e." in flashed
    if invite is _invite_as_coach:  # a coach can follow a territory: the picker names them
        territory = f"/territories/{world['territory_a1']}"
        picker = form_values(coordinator.get(territory), action=f"{territory}/coach")
        picker["coach"] = str(world["outsider"])
        assert coordinator.post(f"{territory}/coach", data=picker).status_code == 302
    text = _pages(coordinator, world)
    assert "Mme Inconnue" in text
    assert "Mairie" in text
    assert OWN_NAME not in text
    assert "Bonjour Mme Inconnue," in text  # the invitation, in the e-mail log
    assert "invitation en attente" in text  # though the account has a password

    login(app.test_client(), "outsider@example.org")  # they accept
    text = _pages(coordinator, world)
    assert OWN_NAME in text
    assert "Mme Inconnue" not in text.replace("Bonjour Mme Inconnue,", "")


def test_inviting_twice_names_the_person_as_first_typed(login_as, world):
    coordinator = login_as("coordinator")
    assert _invite_as_catalyseur(coordinator, world).status_code == 302
    response = coordinator.post(
        f"/cohorts/{world['cohort_a']}/members",
        data={**TYPED, "full_name": "Autre Nom", "role": "committee"},
    )
    assert response.status_code == 400
    text = page_text(response)
    assert "Mme Inconnue participe déjà à cette cohorte" in text
    assert OWN_NAME not in text


def test_removing_a_pending_person_flashes_the_typed_name(app, login_as, world):
    coordinator = login_as("coordinator")
    _invite_as_catalyseur(coordinator, world)
    with app.app_context():
        member_id = db.session.scalar(
            select(Membership.id).where(Membership.user_id == world["outsider"])
        )
    response = confirm_removal(coordinator, world["cohort_a"], member_id, follow_redirects=True)
    text = page_text(response)
    assert "Mme Inconnue ne fait plus partie de la cohorte." in text
    assert OWN_NAME not in text


def test_logging_in_accepts_every_pending_membership(app, login_as, world):
    _invite_as_catalyseur(login_as("coordinator"), world)
    with app.app_context():
        member = db.session.scalar(
            select(Membership).where(Membership.user_id == world["outsider"])
        )
        assert (member.accepted, member.shown_name) == (False, "Mme Inconnue")
    login(app.test_client(), "outsider@example.org")
    with app.app_context():
        member = db.session.scalar(
            select(Membership).where(Membership.user_id == world["outsider"])
        )
        assert (member.accepted, member.shown_name, member.shown_organisation) == (
            True,
            OWN_NAME,
            "",
        )


def test_event_e_mails_greet_a_pending_person_as_typed(app, login_as, world, outbox):
    from parcours.agenda import notifications

    _invite_as_catalyseur(login_as("coordinator"), world)
    with app.test_request_context():
        s1 = db.session.scalar(
            select(Event).where(Event.cohort_id == world["cohort_a"], Event.code == "S1")
        )
        notifications.event_cancelled(s1)  # logged in the cohort's e-mail log
        db.session.commit()
    [message] = [m for m in outbox if m.to == "outsider@example.org" and m.attachment]
    assert message.body.startswith("Bonjour Mme Inconnue,")
    assert OWN_NAME not in message.body
    assert OWN_NAME.encode() not in message.attachment
