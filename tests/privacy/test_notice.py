"""The privacy notice « Données personnelles »: public, built from the configuration."""

import pytest
from flask_babel import lazy_gettext as _l

from parcours.accounts import operations
from parcours.core.extensions import db
from tests.conftest import page_text

URL = "/donnees-personnelles"
ROLES = [
    "admin",
    "coordinator",
    "coach",
    "committee",
    "a1",
    "coordinator_b",
    "b1",
    "outsider",
]


def test_anyone_reads_it_without_logging_in(client, query_counter):
    with query_counter:
        response = client.get(URL)
    assert response.status_code == 200
    assert query_counter.count == 0, "built from the configuration alone"
    text = page_text(response)
    assert "Données personnelles" in text
    assert "Comité d'orientation" in text  # a purpose
    # The retention of each category, from the settings as set (the defaults here).
    assert "90 jours après l'envoi" in text
    assert "365 jours après l'action" in text
    assert "3 ans après la fin de la promotion" in text
    assert "jusqu'à la clôture du questionnaire" in text
    # The rights and whom to ask: the e-mails' sender when no contact is configured.
    for right in ("Mes données", "Rectification", "Effacement", "Retrait du consentement", "CNIL"):
        assert right in text
    assert "belle histoire" in text
    assert "L'organisme qui anime ce parcours." in text
    assert "parcours@localhost" in text


@pytest.mark.parametrize("role", ROLES)
def test_every_role_reads_it(login_as, role):
    response = login_as(role).get(URL)
    assert response.status_code == 200
    assert "Vos droits" in page_text(response)


def test_it_shows_the_values_configured(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "PARCOURS_RETENTION_OUTBOX_DAYS", 30)
    monkeypatch.setitem(app.config, "PARCOURS_RETENTION_AUDIT_DAYS", 1)
    monkeypatch.setitem(app.config, "PARCOURS_RETENTION_COHORT_YEARS", 5)
    monkeypatch.setitem(app.config, "PARCOURS_PRIVACY_CONTROLLER", "Association Tiers-Lieux")
    monkeypatch.setitem(app.config, "PARCOURS_PRIVACY_CONTACT", "dpo@tiers-lieux.example")
    response = client.get(URL)
    text = page_text(response)
    assert "30 jours après l'envoi" in text and "90 jours" not in text
    assert "1 jour après l'action" in text
    assert "5 ans après la fin de la promotion" in text
    assert "Association Tiers-Lieux" in text and "L'organisme qui anime" not in text
    assert 'href="mailto:dpo@tiers-lieux.example"' in response.get_data(as_text=True)
    assert "parcours@localhost" not in text


def _footer(response) -> str:
    html = response.get_data(as_text=True)
    return html[html.index("<footer") :]


@pytest.mark.parametrize(
    ("role", "path"),
    [
        (None, "/login"),
        (None, URL),
        ("a1", "/"),
        ("coordinator", "/account"),
        ("admin", "/admin/users"),
    ],
)
def test_every_page_footer_links_to_it(app, client, login_as, world, role, path):
    browser = client if role is None else login_as(role)
    response = browser.get(path)
    assert response.status_code == 200, path
    assert f'href="{URL}"' in _footer(response)


def test_the_invitation_e_mail_links_to_it(ctx, outbox):
    inviter, _ = operations.ensure_user("coord@example.org", "Claire Coord")
    user, _ = operations.ensure_user("new@example.org", "Nina Nouvelle")
    operations.send_invitation(
        user,
        name="Nina Nouvelle",
        invited_by=inviter,
        cohort_name="Cohorte A",
        role_label=_l("Catalyseur·rice"),
    )
    db.session.commit()
    [message] = outbox
    assert "vos droits :\nhttp://parcours.test/donnees-personnelles\n" in message.body


def test_the_notice_to_someone_who_has_an_account_links_to_it_too(ctx, create_user, outbox):
    inviter, _ = operations.ensure_user("coord@example.org", "Claire Coord")
    create_user("ana@example.org", "Ana Dupont")
    user, _ = operations.ensure_user("ana@example.org", "Ana Dupont")
    operations.send_invitation(
        user,
        name="A. Dupont",
        invited_by=inviter,
        cohort_name="Cohorte B",
        role_label=_l("Catalyseur·rice"),
    )
    db.session.commit()
    [message] = outbox
    assert "vous a ajouté·e" in message.body
    assert "http://parcours.test/donnees-personnelles" in message.body
