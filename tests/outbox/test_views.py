"""The outbox log: coordinators of the cohort read it, nobody else."""

import pytest

from parcours.core import mail
from parcours.core.extensions import db
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
