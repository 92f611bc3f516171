"""The outbox log: coordinators of the cohort read it, nobody else."""

import re

import pytest
from sqlalchemy import func

from parcours.core.extensions import db
from parcours.outbox import mail
from tests.conftest import page_text

ROLES = [
    "admin",
    "coordinator",
    "coach",
    "committee",
    "a1",
    "a2",
    "coordinator_b",
    "b1",
    "outsider",
]


@pytest.mark.parametrize("role", ROLES)
def test_outbox_log_per_role(app, login_as, world, role):
    with app.app_context():
        mail.queue(
            mail.Message(to="a1@example.org", subject="Invitation : S1", body="Corps"),
            cohort_id=world["cohort_a"],
        )
        mail.queue(
            mail.Message(to="b1@example.org", subject="Autre cohorte", body="B"),
            cohort_id=world["cohort_b"],
        )
        db.session.commit()
    response = login_as(role).get(f"/cohorts/{world['cohort_a']}/outbox")
    if role in {"admin", "coordinator"}:
        assert response.status_code == 200
        text = page_text(response)
        assert "Invitation : S1" in text and "envoyé" in text
        assert "Autre cohorte" not in text
    else:
        assert response.status_code == 403


def test_empty_log_and_bad_pages(login_as, world):
    client = login_as("coordinator")
    assert "Aucun e-mail pour l'instant." in page_text(
        client.get(f"/cohorts/{world['cohort_a']}/outbox")
    )
    assert client.get(f"/cohorts/{world['cohort_a']}/outbox?page=0").status_code == 404
    assert client.get(f"/cohorts/{world['cohort_a']}/outbox?page=9").status_code == 404
    assert client.get("/cohorts/99999/outbox").status_code == 404


def test_invitations_appear_in_the_log_without_their_link(app, login_as, world):
    client = login_as("coordinator")
    response = client.post(
        f"/territories/{world['territory_a2']}/catalyseurs",
        data={
            "full_name": "Nouvelle Personne",
            "email": "nouvelle@example.org",
            "organisation": "",
        },
    )
    assert response.status_code == 302
    log = client.get(f"/cohorts/{world['cohort_a']}/outbox").get_data(as_text=True)
    assert "nouvelle@example.org" in log
    assert "Votre accès à Parcours — Cohorte A" in log
    assert "/invitation/" not in log


def _queue(cohort_id: int, subject: str, body: str) -> int:
    from sqlalchemy import select

    from parcours.outbox.models import OutboxMessage

    mail.queue(mail.Message(to="a1@example.org", subject=subject, body=body), cohort_id=cohort_id)
    db.session.commit()
    return db.session.scalar(select(func.max(OutboxMessage.id)))


@pytest.mark.parametrize("role", ROLES)
def test_a_message_and_its_body_per_role(app, login_as, world, role):
    with app.app_context():
        message_id = _queue(world["cohort_a"], "Rappel : S1", "La session S1 a lieu demain.")
    client = login_as(role)
    response = client.get(f"/cohorts/{world['cohort_a']}/outbox/{message_id}")
    if role in {"admin", "coordinator"}:
        assert response.status_code == 200
        text = page_text(response)
        assert "Rappel : S1" in text and "a1@example.org" in text
        assert "La session S1 a lieu demain." in text
        log = client.get(f"/cohorts/{world['cohort_a']}/outbox").get_data(as_text=True)
        assert f'href="/cohorts/{world["cohort_a"]}/outbox/{message_id}"' in log
    else:
        assert response.status_code == 403


def test_a_message_is_shown_only_under_its_own_cohort(app, login_as, world, client):
    with app.app_context():
        of_b = _queue(world["cohort_b"], "Autre cohorte", "B")
    anonymous = client.get(f"/cohorts/{world['cohort_b']}/outbox/{of_b}")
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    coordinator = login_as("coordinator")
    assert coordinator.get(f"/cohorts/{world['cohort_a']}/outbox/{of_b}").status_code == 404
    assert coordinator.get(f"/cohorts/{world['cohort_a']}/outbox/99999").status_code == 404
    assert coordinator.get(f"/cohorts/{world['cohort_b']}/outbox/{of_b}").status_code == 403
    coordinator_b = login_as("coordinator_b")
    assert coordinator_b.get(f"/cohorts/{world['cohort_b']}/outbox/{of_b}").status_code == 200


def _invite(client, world) -> str:
    """Invite a new catalyseur to territory A2; return the page of that invitation."""
    response = client.post(
        f"/territories/{world['territory_a2']}/catalyseurs",
        data={
            "full_name": "Nouvelle Personne",
            "email": "nouvelle@example.org",
            "organisation": "",
        },
    )
    assert response.status_code == 302
    log = client.get(f"/cohorts/{world['cohort_a']}/outbox").get_data(as_text=True)
    (url,) = re.findall(rf'href="(/cohorts/{world["cohort_a"]}/outbox/\d+)"', log)
    return url


def test_in_development_the_invitation_page_gives_its_link(login_as, world):
    client = login_as("coordinator")
    text = page_text(client.get(_invite(client, world)))
    (link,) = re.findall(r"http://parcours\.test/invitation/\S+", text)
    assert "Nouvelle Personne" in text
    # The link is the real one: it opens the page where the invitee chooses a password.
    path = link.removeprefix("http://parcours.test")
    assert "mot de passe" in page_text(client.get(path)).lower()


def test_in_production_others_one_time_links_stay_hidden(app, login_as, world, monkeypatch):
    client = login_as("coordinator")
    url = _invite(client, world)
    monkeypatch.setitem(app.config, "PARCOURS_PRODUCTION", True)
    text = page_text(client.get(url))
    assert "Nouvelle Personne" in text  # the rest of the message is there
    assert "/invitation/" not in text
    assert "[lien personnel, visible par son seul destinataire]" in text


def test_a_message_being_handed_over_shows_as_being_sent(app, login_as, world):
    from parcours.outbox.models import OutboxMessage

    with app.app_context():
        message = OutboxMessage(
            cohort_id=world["cohort_a"],
            recipient="a1@example.org",
            subject="En route",
            body="B",
            status="sending",
            attempts=1,
        )
        db.session.add(message)
        db.session.commit()
        message_id = message.id
    client = login_as("coordinator")
    for path in ("outbox", f"outbox/{message_id}"):
        text = page_text(client.get(f"/cohorts/{world['cohort_a']}/{path}"))
        assert "en cours d'envoi" in text and "en attente" not in text
