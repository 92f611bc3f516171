"""« Mes connexions »: every person sees their own logins, and for how long they are kept."""

from datetime import UTC, datetime

import pytest

from parcours.audit import operations as audit
from parcours.audit.models import AuditAction
from parcours.core.extensions import db
from parcours.core.time import freeze
from tests.conftest import ROLES, page_text

PAGE = "/account/connexions"


def _logins(app, world):
    with app.test_request_context(environ_base={"REMOTE_ADDR": "198.51.100.4"}):
        for at, action, actor in [
            (datetime(2025, 1, 15, 8, 0, tzinfo=UTC), AuditAction.LOGIN_FAILED, "a1"),
            (datetime(2025, 1, 15, 8, 1, tzinfo=UTC), AuditAction.LOGIN_LOCKED, "a1"),
            (datetime(2025, 7, 15, 8, 2, tzinfo=UTC), AuditAction.LOGIN_SUCCEEDED, "a1"),
            (datetime(2025, 7, 15, 9, 0, tzinfo=UTC), AuditAction.EXPORTED, "a1"),
            (datetime(2025, 7, 15, 17, 30, tzinfo=UTC), AuditAction.LOGOUT, "a1"),
            (datetime(2025, 7, 16, 8, 0, tzinfo=UTC), AuditAction.LOGIN_SUCCEEDED, "a2"),
        ]:
            with freeze(at):
                audit.record(action, actor=world[actor])
        db.session.commit()


def test_anonymous_visitors_are_sent_to_login(client, world):
    response = client.get(PAGE)
    assert response.status_code == 302 and "/login" in response.headers["Location"]


@pytest.mark.parametrize("role", ROLES)
def test_everyone_finds_the_page_from_their_account(login_as, world, role):
    client = login_as(role)
    assert 'href="/account/connexions"' in client.get("/account").get_data(as_text=True)
    assert client.get(PAGE).status_code == 200


def test_a_person_sees_only_their_own_logins_in_paris_time(app, login_as, world):
    _logins(app, world)
    text = page_text(login_as("a1").get(PAGE))
    mine = text.split("Adresse", 1)[1]
    # Winter (UTC+1) and summer (UTC+2) alike, newest first; the export is not a login.
    assert mine.index("15/07/2025 19:30 Déconnexion 198.51.100.4") < mine.index(
        "15/07/2025 10:02 Connexion réussie 198.51.100.4"
    )
    assert mine.index("15/07/2025 10:02") < mine.index(
        "15/01/2025 09:01 Compte verrouillé après trop d'échecs"
    )
    assert "15/01/2025 09:00 Connexion refusée 198.51.100.4" in mine
    assert "Export de données" not in mine and "16/07/2025" not in mine


def test_the_page_says_how_long_entries_are_kept(app, login_as, world):
    assert app.config["PARCOURS_RETENTION_AUDIT_DAYS"] == 365
    client = login_as("a2")
    assert "Ces entrées sont conservées 365 jours, puis effacées." in page_text(client.get(PAGE))
    app.config["PARCOURS_RETENTION_AUDIT_DAYS"] = 90
    try:
        assert "conservées 90 jours" in page_text(client.get(PAGE))
    finally:
        app.config["PARCOURS_RETENTION_AUDIT_DAYS"] = 365


def test_an_empty_history_says_so(login_as, world, app):
    text = page_text(login_as("outsider").get(PAGE))
    # Logging in may itself be recorded: without any entry, the page says there is none.
    assert "Connexion réussie" in text or "Aucune connexion enregistrée pour l'instant." in text
