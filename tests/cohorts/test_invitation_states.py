"""Invitation states on the members and territory pages, and « Renvoyer » through the outbox."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from parcours.cohorts.models import Membership
from parcours.core.extensions import db
from parcours.core.time import freeze
from parcours.outbox.models import OutboxMessage
from tests.conftest import ROLES, page_text

INVITED_AT = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
NEW = {"full_name": "Nina Nouvelle", "email": "nina@example.org", "organisation": "Mairie"}


def _member(app, email: str) -> Membership:
    with app.app_context():
        return db.session.scalar(
            select(Membership).join(Membership.user).where(Membership.user.has(email=email))
        )


def _messages_to(app, email: str) -> list[str]:
    with app.app_context():
        return db.session.scalars(
            select(OutboxMessage.subject).where(OutboxMessage.recipient == email)
        ).all()


@pytest.fixture
def invited(app, login_as, world):
    """A coach invited on 10 March at 09:00 who has not logged in; the coordinator's client."""
    coordinator = login_as("coordinator")
    with freeze(INVITED_AT):
        response = coordinator.post(
            f"/cohorts/{world['cohort_a']}/members", data={**NEW, "role": "coach"}
        )
    assert response.status_code == 302
    return coordinator, _member(app, NEW["email"]).id


def _members_row(client, world) -> str:
    text = page_text(client.get(f"/cohorts/{world['cohort_a']}/members"))
    return text[text.index("Nina Nouvelle nina@example.org") :][:150]


def test_members_page_shows_pending_then_expired_then_pending_after_resending(
    app, world, invited, outbox
):
    coordinator, member_id = invited
    with freeze(INVITED_AT + timedelta(hours=71)):
        assert "invitation en attente" in _members_row(coordinator, world)
    with freeze(INVITED_AT + timedelta(hours=72, minutes=1)):
        row = _members_row(coordinator, world)
        assert "invitation expirée" in row
        assert "Renvoyer" in row
        sent_before = len(outbox)
        response = coordinator.post(
            f"/cohorts/{world['cohort_a']}/members/{member_id}/resend", follow_redirects=True
        )
        assert response.status_code == 200
        assert "L'invitation de Nina Nouvelle est renvoyée." in page_text(response)
        assert "invitation en attente" in _members_row(coordinator, world)
    assert len(outbox) == sent_before + 1  # delivered through the outbox after the commit
    assert outbox[-1].to == NEW["email"]
    assert "/invitation/" in outbox[-1].body  # a fresh link
    assert len(_messages_to(app, NEW["email"])) == 2  # in the cohort's e-mail log too


def test_accepted_members_are_shown_as_such_without_a_resend_button(app, login_as, world):
    from tests.conftest import login

    login(app.test_client(), "coach@example.org")  # the coach accepts by logging in
    text = page_text(login_as("coordinator").get(f"/cohorts/{world['cohort_a']}/members"))
    row = text[text.index("Coach A") :][:120]
    assert "invitation acceptée" in row
    assert "Renvoyer — l'invitation de Coach A" not in text


def test_resending_an_accepted_invitation_is_refused_with_a_message(app, login_as, world):
    from tests.conftest import login

    login(app.test_client(), "coach@example.org")
    coach = _member(app, "coach@example.org")
    response = login_as("coordinator").post(
        f"/cohorts/{world['cohort_a']}/members/{coach.id}/resend"
    )
    assert response.status_code == 400
    assert "Coach A a déjà accepté son invitation." in page_text(response)
    assert _messages_to(app, "coach@example.org") == []


def test_resending_is_limited_per_person_whoever_asks(app, login_as, world, invited, outbox):
    coordinator, member_id = invited
    admin = login_as("admin")
    url = f"/cohorts/{world['cohort_a']}/members/{member_id}/resend"
    with freeze(INVITED_AT + timedelta(hours=1)):
        for client in (coordinator, admin, coordinator):
            assert client.post(url).status_code == 302
        sent = len(outbox)
        response = admin.post(url)
        assert response.status_code == 429
        assert response.headers["Retry-After"] == str(3600)
        text = page_text(response)
        assert "déjà été renvoyée plusieurs fois ; réessayez dans 60 minutes" in text
        assert "Équipe et comité" in text  # the page itself, with its message
    assert len(outbox) == sent
    with freeze(INVITED_AT + timedelta(hours=2, seconds=1)):  # the window has passed
        assert coordinator.post(url).status_code == 302


def test_a_deactivated_account_is_shown_and_not_sent_again(app, login_as, world, invited):
    from parcours.accounts.models import User

    coordinator, member_id = invited
    with app.app_context():
        db.session.get(User, _member(app, NEW["email"]).user_id).active = False
        db.session.commit()
    assert "compte désactivé" in _members_row(coordinator, world)
    response = coordinator.post(f"/cohorts/{world['cohort_a']}/members/{member_id}/resend")
    assert response.status_code == 400
    assert "Le compte de Nina Nouvelle est désactivé" in page_text(response)


def test_territory_page_shows_and_resends_a_catalyseur_invitation(app, world, outbox, login_as):
    coordinator = login_as("coordinator")
    territory = f"/territories/{world['territory_a2']}"
    with freeze(INVITED_AT):
        assert coordinator.post(f"{territory}/catalyseurs", data=NEW).status_code == 302
    member = _member(app, NEW["email"])
    with freeze(INVITED_AT + timedelta(days=4)):
        text = page_text(coordinator.get(territory))
        assert "invitation expirée" in text
        response = coordinator.post(f"{territory}/members/{member.id}/resend")
        assert response.status_code == 302
        assert response.headers["Location"].endswith(territory)
        assert "invitation en attente" in page_text(coordinator.get(territory))
    assert outbox[-1].to == NEW["email"]


def test_territory_page_resends_its_coachs_invitation(app, world, outbox, login_as):
    coordinator = login_as("coordinator")
    territory = f"/territories/{world['territory_a1']}"  # followed by « Coach A »
    coach = _member(app, "coach@example.org")
    assert "invitation en attente" in page_text(coordinator.get(territory))
    response = coordinator.post(f"{territory}/members/{coach.id}/resend")
    assert response.status_code == 302
    assert outbox[-1].to == "coach@example.org"
    assert "Votre accès à Parcours" in outbox[-1].subject


def test_territory_resend_only_for_people_of_that_territory(app, world, login_as):
    coordinator = login_as("coordinator")
    a1 = _member(app, "a1@example.org")
    coach = _member(app, "coach@example.org")
    committee = _member(app, "comite@example.org")
    a2_page = f"/territories/{world['territory_a2']}"
    for member in (a1, coach, committee):  # not a catalyseur nor the coach of A2
        assert coordinator.post(f"{a2_page}/members/{member.id}/resend").status_code == 404
    b1 = _member(app, "b1@example.org")
    members = f"/cohorts/{world['cohort_a']}/members"
    assert coordinator.post(f"{members}/{b1.id}/resend").status_code == 404  # cohort B


@pytest.mark.parametrize("role", sorted(set(ROLES) - {"admin", "coordinator"}))
def test_resending_is_refused_to_every_other_role(app, world, login_as, outbox, role):
    client = login_as(role)
    a1 = _member(app, "a1@example.org")
    coach = _member(app, "coach@example.org")
    urls = [
        f"/cohorts/{world['cohort_a']}/members/{coach.id}/resend",
        f"/territories/{world['territory_a1']}/members/{a1.id}/resend",
    ]
    for url in urls:
        assert client.post(url).status_code == 403, url
    assert outbox == []


def test_anonymous_resend_goes_to_login(app, world, client):
    coach = _member(app, "coach@example.org")
    response = client.post(f"/cohorts/{world['cohort_a']}/members/{coach.id}/resend")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]
