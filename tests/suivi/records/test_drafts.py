"""A record typed past the idle timeout is not lost: shown again after the login, then saved."""

import re

import pytest
from sqlalchemy import func, select

from parcours import create_app
from parcours.core.extensions import db
from parcours.suivi.models import FollowUpRecord, FormDraft
from tests.conftest import PASSWORD, app_config, login, page_text
from tests.forms import form_values
from tests.suivi.factories import add_record

LONG_NOTE = "Le binôme a présenté le diagnostic partagé avec la mairie et la CCI. " * 60


def _expired(app, client):
    """The same browser, its session gone (idle timeout): what it posts comes from nobody."""
    with client.session_transaction() as session:
        session.clear()
    return client


def test_a_new_record_posted_after_the_timeout_comes_back_after_the_login(
    app, as_role, world, meetings
):
    client = as_role("coach")
    url = f"/events/{meetings['SUIVI1']}/record"
    form = form_values(client.get(url), url)
    form["notes"] = LONG_NOTE
    form["actions-0-title"] = "Relancer la mairie"
    form["actions-0-owner"] = str(world["a1"])
    response = _expired(app, client).post(url, data=form)
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    with app.app_context():
        assert db.session.scalar(select(func.count(FollowUpRecord.id))) == 0
        assert db.session.scalar(select(func.count(FormDraft.id))) == 1
    assert "Votre session a expiré" in page_text(client.get(response.headers["Location"]))
    login(client, "coach@example.org")
    page = client.get(url)
    assert (
        "Ce que vous aviez saisi avant l'expiration de votre session est affiché à nouveau"
        in page_text(page)
    )
    restored = form_values(page, url)
    assert restored["notes"].strip() == LONG_NOTE.strip()
    assert restored["actions-0-title"] == "Relancer la mairie"
    assert client.post(url, data=restored).status_code == 302
    with app.app_context():
        record = db.session.scalar(select(FollowUpRecord))
        assert record.notes == LONG_NOTE.strip()
        assert db.session.scalar(select(func.count(FormDraft.id))) == 0, "saved: the draft goes"


def test_an_edit_draft_is_for_its_author_only_and_a_stale_one_is_a_conflict(app, as_role, world):
    with app.app_context():
        record = add_record(world["territory_a1"], world["coach"])
        db.session.commit()
        record_id = record.id
    url = f"/suivi/records/{record_id}/edit"
    client = as_role("coach")
    form = form_values(client.get(url), url)
    form["decisions"] = "Ce que le coach tapait"
    _expired(app, client).post(url, data=form)
    # Meanwhile a coordinator changes the record; the binôme cannot open its form at all.
    coordinator = as_role("coordinator")
    other = form_values(coordinator.get(url), url)
    assert "Ce que le coach tapait" not in other["decisions"]
    other["notes"] = "Note de la coordination"
    assert coordinator.post(url, data=other).status_code == 302
    assert as_role("a1").get(url).status_code == 403
    login(client, "coach@example.org")
    restored = form_values(client.get(url), url)
    assert restored["decisions"].strip() == "Ce que le coach tapait"
    response = client.post(url, data=restored)
    assert response.status_code == 409, "the draft was typed over an older version"
    assert "Quelqu'un d'autre a enregistré une modification entre-temps" in page_text(response)


@pytest.fixture
def csrf_app(app, database_url_for_tests):
    application = create_app(app_config(database_url_for_tests, WTF_CSRF_ENABLED=True))
    yield application
    with application.app_context():
        db.engine.dispose()


def _csrf_login(client, email: str) -> None:
    """Log in as a browser does: a new session, with its new CSRF token."""
    with client.session_transaction() as session:
        session.clear()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)[1]
    data = {"email": email, "password": PASSWORD, "csrf_token": token}
    assert client.post("/login", data=data).status_code == 302


def test_a_record_posted_from_a_tab_of_an_earlier_session_comes_back_rather_than_a_400(
    csrf_app, world, meetings
):
    client = csrf_app.test_client()
    _csrf_login(client, "coach@example.org")
    url = f"/events/{meetings['SUIVI1']}/record"
    form = form_values(client.get(url), url)
    form["notes"] = LONG_NOTE
    # Expired, then logged in again in another tab: a new session, a new CSRF token.
    _csrf_login(client, "coach@example.org")
    response = client.post(url, data=form)  # its CSRF token belongs to the old session
    assert response.status_code == 302 and response.headers["Location"].endswith(url)
    with csrf_app.app_context():
        assert db.session.scalar(select(func.count(FollowUpRecord.id))) == 0
    restored = form_values(client.get(url), url)
    assert restored["notes"].strip() == LONG_NOTE.strip()
    assert client.post(url, data=restored).status_code == 302
    with csrf_app.app_context():
        assert db.session.scalar(select(FollowUpRecord.notes)) == LONG_NOTE.strip()


def test_without_its_draft_token_a_stale_form_is_still_refused(csrf_app, world, meetings):
    client = csrf_app.test_client()
    _csrf_login(client, "coach@example.org")
    url = f"/events/{meetings['SUIVI1']}/record"
    form = form_values(client.get(url), url)
    form["notes"] = LONG_NOTE
    del form["draft_token"]
    _csrf_login(client, "coach@example.org")
    response = client.post(url, data=form)
    assert response.status_code == 400
    assert "Le formulaire a expiré" in page_text(response)
    with csrf_app.app_context():
        assert db.session.scalar(select(func.count(FormDraft.id))) == 0
