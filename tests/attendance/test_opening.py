"""When attendance opens and closes: check-in during its half-day, the sheet from the day on."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from parcours.accounts.models import User
from parcours.agenda.models import Event
from parcours.attendance import operations
from parcours.attendance.models import Attendance
from parcours.core.extensions import db
from parcours.core.time import freeze
from tests.attendance.conftest import S1_DAY, paris
from tests.conftest import ROLES, page_text

MANAGERS = {"admin", "coordinator"}


def _offered(client, event_id: int) -> bool:
    html = client.get(f"/events/{event_id}").get_data(as_text=True)
    return f"/events/{event_id}/check-in" in html


@pytest.mark.parametrize(
    ("day", "at", "offered"),
    [
        ("2026-03-31", "10:00", False),  # the day before
        (S1_DAY, "08:59", False),  # more than 30 minutes before the morning
        (S1_DAY, "09:05", True),
        (S1_DAY, "15:00", True),
        (S1_DAY, "17:00", False),  # the session is over
        ("2026-05-06", "10:00", False),  # five weeks later
    ],
)
def test_je_suis_la_is_offered_only_while_a_half_day_is_open(login_as, events, day, at, offered):
    with freeze(paris(day, at)):
        assert _offered(login_as("a1"), events["S1"]) is offered


def test_the_check_in_page_says_the_session_is_over(login_as, events):
    with freeze(paris("2026-05-06", "10:00")):
        response = login_as("a1").get(f"/events/{events['S1']}/check-in")
    text = page_text(response)
    assert (
        "Ce rendez-vous est terminé depuis le 1er avr. 2026, 17:00 : "
        "l'émargement par code est fermé." in text
    )
    assert 'name="code"' not in response.get_data(as_text=True)


def test_the_check_in_page_says_when_it_opens(login_as, events):
    with freeze(paris("2026-03-31", "10:00")):
        response = login_as("a1").get(f"/events/{events['S1']}/check-in")
    text = page_text(response)
    assert "L'émargement n'est pas encore ouvert : il ouvrira le 1er avr. 2026, 09:00" in text
    assert 'name="code"' not in response.get_data(as_text=True)
    with freeze(paris(S1_DAY, "09:10")):
        response = login_as("a1").get(f"/events/{events['S1']}/check-in")
    assert 'name="code"' in response.get_data(as_text=True)
    assert "pas encore ouvert" not in page_text(response)


def test_check_in_window_between_half_days_names_the_next_opening(ctx, events):
    s1 = db.session.get(Event, events["S1"])
    lunch = operations.check_in_window(s1, paris(S1_DAY, "12:59"))
    assert lunch.is_open and not lunch.is_over  # the morning until 13:00
    after = operations.check_in_window(s1, paris(S1_DAY, "17:00"))
    assert not after.is_open and after.is_over and after.next_opening is None


def test_attendance_cannot_be_recorded_before_the_events_day(ctx, world, events):
    s1 = db.session.get(Event, events["S1"])
    coordinator = db.session.get(User, world["coordinator"])
    a1 = db.session.get(User, world["a1"])
    day = s1.starts_at.date()
    with freeze(paris("2026-03-31", "23:59")), pytest.raises(operations.AttendanceError) as error:
        operations.record_attendance(s1, a1, day, "am", "present", recorded_by=coordinator)
    assert "ouvre le jour même, le mercredi 1er avril 2026" in str(error.value)
    assert db.session.scalar(select(func.count(Attendance.id))) == 0
    with freeze(paris(S1_DAY, "00:00")):
        operations.record_attendance(s1, a1, day, "am", "present", recorded_by=coordinator)
    assert db.session.scalar(select(func.count(Attendance.id))) == 1


def test_the_sheet_says_when_it_opens_and_the_signature_sheet_prints_ahead(
    app, login_as, world, events
):
    client = login_as("coordinator")
    url = f"/events/{events['S1']}/attendance"
    with freeze(paris("2026-03-20", "10:00")):
        page = client.get(url)
        posted = client.post(url, data={f"status_{world['a1']}_20260401_am": "present"})
        sheet = client.get(f"/events/{events['S1']}/signature-sheet.pdf")
    text = page_text(page)
    assert (
        "La saisie des présences ouvre le jour du rendez-vous, le mercredi 1er avril 2026." in text
    )
    assert 'class="attendance-sheet"' not in page.get_data(as_text=True)
    assert posted.status_code == 400
    assert sheet.status_code == 200 and sheet.data.startswith(b"%PDF")
    with app.app_context():
        assert db.session.scalar(select(func.count(Attendance.id))) == 0
    with freeze(paris(S1_DAY, "08:00")):
        assert 'class="attendance-sheet"' in client.get(url).get_data(as_text=True)


@pytest.mark.parametrize("role", ROLES)
def test_the_sheet_before_the_day_is_still_only_for_those_who_take_it(
    login_as, world, events, role
):
    with freeze(paris("2026-03-20", "10:00")):
        status = login_as(role).get(f"/events/{events['S1']}/attendance").status_code
    assert status == (200 if role in MANAGERS else 403)


def test_a_future_event_is_a_day_away_from_opening(ctx, events):
    s1 = db.session.get(Event, events["S1"])
    assert not operations.recording_is_open(s1, s1.starts_at - timedelta(days=1))
    assert operations.recording_is_open(s1, s1.starts_at)
