"""A sheet being filled in when the idle timeout passes keeps its marks across the login."""

import re
from datetime import timedelta

import pytest
from itsdangerous import TimestampSigner
from sqlalchemy import func, select

from parcours import create_app
from parcours.attendance.models import Attendance
from parcours.core.extensions import db
from tests.conftest import PASSWORD, app_config, page_text
from tests.forms import form_values

IDLE = timedelta(minutes=120)  # PARCOURS_IDLE_TIMEOUT_MINUTES, as the test app has it


def _field(user_id: int, half: str, kind: str = "status") -> str:
    return f"{kind}_{user_id}_20260401_{half}"


def _later(monkeypatch, delay: timedelta) -> None:
    """Let ``delay`` pass for every signed value: the session cookie, the sheet's token."""
    real = TimestampSigner.get_timestamp
    monkeypatch.setattr(
        TimestampSigner, "get_timestamp", lambda self: real(self) + int(delay.total_seconds())
    )


def _log_in(client, email: str, url: str, token: str | None = None):
    data = {"email": email, "password": PASSWORD}
    if token:
        data["csrf_token"] = token
    return client.post(url, data=data)


def _count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(Attendance.id)))


def _typed_sheet(client, world, url):
    data = form_values(client.get(url), url)
    data[_field(world["a1"], "am")] = "present"
    data[_field(world["a2"], "pm")] = "absent"
    data[_field(world["a2"], "pm", "comment")] = "Prévenu par téléphone"
    return data


def test_marks_posted_after_the_timeout_come_back_after_the_login(
    app, login_as, world, events, monkeypatch
):
    client = login_as("coordinator")
    url = f"/events/{events['S1']}/attendance"
    data = _typed_sheet(client, world, url)
    _later(monkeypatch, IDLE + timedelta(minutes=5))  # lunch was long

    response = client.post(url, data=data)
    assert response.status_code == 302
    login_url = response.headers["Location"]
    assert login_url.startswith("/login?next=")
    assert _count(app) == 0  # nothing written for a visitor nobody knows

    login_page = client.get(login_url)
    assert "Votre session a expiré. Reconnectez-vous" in page_text(login_page)
    back = _log_in(client, "coord@example.org", login_url)
    assert back.headers["Location"] == url
    page = client.get(url)
    assert "2 saisies non enregistrées avant l'expiration de votre session" in page_text(page)
    sheet = form_values(page, url)
    assert sheet[_field(world["a1"], "am")] == "present"
    assert sheet[_field(world["a2"], "pm")] == "absent"
    assert sheet[_field(world["a2"], "pm", "comment")] == "Prévenu par téléphone"
    assert sheet[_field(world["a1bis"], "am")] == ""
    assert _count(app) == 0  # shown again, not saved behind the user's back

    assert client.post(url, data=sheet).status_code == 302
    with app.app_context():
        rows = db.session.execute(
            select(Attendance.user_id, Attendance.half, Attendance.status, Attendance.comment)
        )
        assert set(rows) == {
            (world["a1"], "am", "present", ""),
            (world["a2"], "pm", "absent", "Prévenu par téléphone"),
        }
    # Shown once: the next visit shows what is stored, without the notice.
    assert "saisies non enregistrées" not in page_text(client.get(url))


def test_kept_marks_keep_their_conflict_rules(app, login_as, world, events, monkeypatch):
    client = login_as("coordinator")
    url = f"/events/{events['S1']}/attendance"
    data = _typed_sheet(client, world, url)
    _later(monkeypatch, IDLE + timedelta(minutes=1))
    login_url = client.post(url, data=data).headers["Location"]
    # Meanwhile another coordinator marks A1 excused.
    other = login_as("admin")
    other_data = form_values(other.get(url), url)
    other_data[_field(world["a1"], "am")] = "excused"
    assert other.post(url, data=other_data).status_code == 302

    _log_in(client, "coord@example.org", login_url)
    sheet = form_values(client.get(url), url)
    assert sheet[_field(world["a1"], "am")] == "present"
    assert client.post(url, data=sheet).status_code == 409
    with app.app_context():
        assert db.session.scalar(select(Attendance.status)) == "excused"


def test_kept_marks_are_shown_only_to_whoever_typed_them(login_as, world, events, monkeypatch):
    client = login_as("coordinator")
    url = f"/events/{events['S1']}/attendance"
    data = _typed_sheet(client, world, url)
    _later(monkeypatch, IDLE + timedelta(minutes=1))
    login_url = client.post(url, data=data).headers["Location"]
    _log_in(client, "admin@example.org", login_url)  # someone else on the same tablet
    page = client.get(url)
    assert "saisies non enregistrées" not in page_text(page)
    assert form_values(page, url)[_field(world["a1"], "am")] == ""


@pytest.mark.parametrize("token", [None, "forged", "from-another-event"])
def test_no_marks_are_kept_without_the_sheets_own_token(
    app, login_as, client, world, events, token
):
    url = f"/events/{events['S1']}/attendance"
    data = {_field(world["a1"], "am"): "present", _field(world["a1"], "am", "shown_status"): ""}
    if token == "forged":
        data["sheet_token"] = "WzIsMV0.forged"
    elif token == "from-another-event":
        page = login_as("coordinator").get(f"/events/{events['S2']}/attendance")
        data["sheet_token"] = re.search(
            r'name="sheet_token" value="([^"]+)"', page.get_data(as_text=True)
        ).group(1)
    response = client.post(url, data=data)
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert "parcours_sheet_draft" not in response.headers.get("Set-Cookie", "")
    assert _count(app) == 0


def test_a_sheet_too_old_keeps_no_marks(login_as, world, events, monkeypatch):
    client = login_as("coordinator")
    url = f"/events/{events['S1']}/attendance"
    data = _typed_sheet(client, world, url)
    _later(monkeypatch, timedelta(hours=25))
    response = client.post(url, data=data)
    assert response.status_code == 302
    assert "parcours_sheet_draft" not in response.headers.get("Set-Cookie", "")


@pytest.fixture
def csrf_app(app, database_url_for_tests):
    application = create_app(app_config(database_url_for_tests, WTF_CSRF_ENABLED=True))
    yield application
    with application.app_context():
        db.engine.dispose()


def _token(response) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', response.get_data(as_text=True))[1]


def test_with_csrf_protection_the_sheet_still_refuses_a_post_without_its_token(
    csrf_app, world, events
):
    client = csrf_app.test_client()
    _log_in(client, "coord@example.org", "/login", _token(client.get("/login")))
    url = f"/events/{events['S1']}/attendance"
    data = form_values(client.get(url), url)
    data[_field(world["a1"], "am")] = "present"
    del data["csrf_token"]
    response = client.post(url, data=data)
    assert response.status_code == 400
    assert "Le formulaire a expiré" in page_text(response)
    assert _count(csrf_app) == 0


def test_with_csrf_protection_the_expired_sheet_comes_back_and_saves(
    csrf_app, world, events, monkeypatch
):
    client = csrf_app.test_client()
    _log_in(client, "coord@example.org", "/login", _token(client.get("/login")))
    url = f"/events/{events['S1']}/attendance"
    data = _typed_sheet(client, world, url)
    _later(monkeypatch, IDLE + timedelta(minutes=1))
    response = client.post(url, data=data)  # its CSRF token died with the session
    assert response.status_code == 302
    login_url = response.headers["Location"]
    _log_in(client, "coord@example.org", login_url, _token(client.get(login_url)))
    sheet = form_values(client.get(url), url)
    assert sheet[_field(world["a1"], "am")] == "present"
    assert client.post(url, data=sheet).status_code == 302
    assert _count(csrf_app) == 2
