"""Agenda pages per role, and scheduling through the forms."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from parcours.agenda.models import Event
from parcours.core.extensions import db
from parcours.core.time import freeze
from tests.conftest import ROLES, page_text

#: While cohort A is being prepared: its events are ahead.
BEFORE_THE_COHORT = datetime(2026, 2, 16, 9, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _before_the_cohort():
    """Schedule and edit as a coordinator does, before the events (past ones notify nobody)."""
    with freeze(BEFORE_THE_COHORT):
        yield


def _event_id(app, world, cohort, code, territory=None):
    with app.app_context():
        query = select(Event.id).where(Event.cohort_id == world[cohort], Event.code == code)
        if territory:
            query = query.where(Event.territory_id == world[territory])
        return db.session.scalar(query)


@pytest.mark.parametrize("role", ROLES)
def test_agenda_pages_per_role(app, login_as, world, role):
    s1 = _event_id(app, world, "cohort_a", "S1")
    committee = _event_id(app, world, "cohort_a", "COMITE1")
    followup_a1 = _event_id(app, world, "cohort_a", "SUIVI1", "territory_a1")
    pages = {
        f"/cohorts/{world['cohort_a']}/calendar": {
            "admin",
            "coordinator",
            "coach",
            "committee",
            "a1",
            "a1bis",
            "a2",
        },
        f"/cohorts/{world['cohort_a']}/calendar?view=list": {
            "admin",
            "coordinator",
            "coach",
            "committee",
            "a1",
            "a1bis",
            "a2",
        },
        f"/events/{s1}": {"admin", "coordinator", "coach", "committee", "a1", "a1bis", "a2"},
        f"/events/{committee}": {"admin", "coordinator", "committee"},
        f"/events/{followup_a1}": {"admin", "coordinator", "coach", "a1", "a1bis"},
        f"/events/{s1}/edit": {"admin", "coordinator"},
        f"/events/{followup_a1}/edit": {"admin", "coordinator", "coach"},
        f"/cohorts/{world['cohort_a']}/events/new": {"admin", "coordinator"},
        f"/territories/{world['territory_a1']}/events/new": {"admin", "coordinator", "coach"},
        f"/territories/{world['territory_a2']}/events/new": {"admin", "coordinator"},
        "/agenda": set(ROLES),
    }
    client = login_as(role)
    for url, allowed in pages.items():
        status = client.get(url).status_code
        assert status == (200 if role in allowed else 403), f"{role} {url}: {status}"
    assert client.post(f"/events/{s1}/cancel").status_code == (
        302 if role in {"admin", "coordinator"} else 403
    )


def test_anonymous_visitors_go_to_login(client, world):
    for url in ("/agenda", f"/cohorts/{world['cohort_a']}/calendar", "/events/1"):
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_bad_month_is_a_400_not_a_500(login_as, world):
    client = login_as("coordinator")
    assert client.get(f"/cohorts/{world['cohort_a']}/calendar?month=2026-13").status_code == 400
    assert client.get("/events/999999").status_code == 404


def test_month_view_shows_the_sessions_of_that_month(app, login_as, world):
    with app.app_context():
        s1 = db.session.scalar(
            select(Event).where(Event.cohort_id == world["cohort_a"], Event.code == "S1")
        )
        month = s1.starts_at.strftime("%Y-%m")
        title = s1.title
    client = login_as("a1")
    text = page_text(client.get(f"/cohorts/{world['cohort_a']}/calendar?month={month}"))
    assert title in text
    # a1 sees their own follow-ups but never a2's.
    listing = page_text(client.get(f"/cohorts/{world['cohort_a']}/calendar?view=list"))
    assert "Territoire A1" in listing and "Territoire A2" not in listing


def _form(**changes):
    data = {
        "kind": "session",
        "territory": "0",
        "title": "Session extra — RSE",
        "start_date": "2026-06-22",
        "start_time": "09:30",
        "end_date": "2026-06-22",
        "end_time": "17:00",
        "venue_name": "Halle aux grains",
        "venue_address": "1 rue X, Blois",
        "access_notes": "",
        "online_url": "",
        "speakers": "Marie Dupont — Fondation X",
        "description": "Une journée sur la RSE.",
        "thematics": ["T8"],
        "items-0-day": "",
        "items-0-start_time": "09:30",
        "items-0-end_time": "10:30",
        "items-0-kind": "plenary",
        "items-0-title": "Ouverture",
        "items-0-speaker": "",
        "items-1-day": "",
        "items-1-start_time": "",
        "items-1-end_time": "",
        "items-1-kind": "plenary",
        "items-1-title": "",
        "items-1-speaker": "",
        "documents-0-title": "Programme",
        "documents-0-url": "https://example.org/p.pdf",
    }
    data.update(changes)
    return data


def test_coordinator_schedules_a_session_and_everyone_concerned_sees_it(app, login_as, world):
    client = login_as("coordinator")
    response = client.post(f"/cohorts/{world['cohort_a']}/events/new", data=_form())
    assert response.status_code == 302, page_text(response)[:800]
    page = page_text(client.get(response.headers["Location"]))
    assert "Session extra — RSE" in page and "Halle aux grains" in page and "Ouverture" in page
    with app.app_context():
        event = db.session.scalar(select(Event).where(Event.title == "Session extra — RSE"))
        assert event.thematics == ["T8"]
        assert event.starts_at.hour == 7  # 09:30 in Paris in June is 07:30 UTC
    for role, sees in (("a2", True), ("committee", True), ("b1", False)):
        agenda = page_text(login_as(role).get("/agenda"))
        assert ("Session extra — RSE" in agenda) is sees, role


def test_errors_keep_what_was_typed(login_as, world):
    client = login_as("coordinator")
    response = client.post(
        f"/cohorts/{world['cohort_a']}/events/new",
        data=_form(end_time="08:00", title="Session à corriger"),
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "La fin doit être après le début." in page_text(response)
    assert 'value="Session à corriger"' in html
    assert 'value="Halle aux grains"' in html


def test_a_clash_must_be_confirmed_before_saving(app, login_as, world):
    with app.app_context():
        s1 = db.session.scalar(
            select(Event).where(Event.cohort_id == world["cohort_a"], Event.code == "S1")
        )
        day = s1.starts_at.strftime("%Y-%m-%d")
    client = login_as("coordinator")
    data = _form(start_date=day, end_date=day, title="Doublon")
    response = client.post(f"/cohorts/{world['cohort_a']}/events/new", data=data)
    assert response.status_code == 200
    assert "À vérifier avant d'enregistrer" in page_text(response)
    assert "Chevauche" in page_text(response)
    with app.app_context():
        assert db.session.scalar(select(func.count(Event.id)).where(Event.title == "Doublon")) == 0
    response = client.post(
        f"/cohorts/{world['cohort_a']}/events/new", data={**data, "confirm": "y"}
    )
    assert response.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(func.count(Event.id)).where(Event.title == "Doublon")) == 1


def test_coach_schedules_a_follow_up_for_their_territory_only(app, login_as, world):
    client = login_as("coach")
    data = _form(
        kind="follow_up",
        territory=str(world["territory_a1"]),
        title="Suivi extra",
        start_date="2026-07-01",
        end_date="2026-07-01",
        start_time="10:00",
        end_time="12:00",
        thematics=[],
        **{"items-0-title": ""},
    )
    response = client.post(f"/territories/{world['territory_a1']}/events/new", data=data)
    assert response.status_code == 302, page_text(response)[:800]
    # A session is not among a coach's choices.
    response = client.post(
        f"/territories/{world['territory_a1']}/events/new",
        data={**data, "kind": "session", "title": "Pas permis"},
    )
    assert response.status_code == 400
    assert (
        client.post(f"/territories/{world['territory_a2']}/events/new", data=data).status_code
        == 403
    )
    with app.app_context():
        titles = db.session.scalars(
            select(Event.title).where(Event.territory_id == world["territory_a1"])
        ).all()
        assert "Suivi extra" in titles and "Pas permis" not in titles


def test_edit_then_cancel_keeps_the_event_visible_as_cancelled(app, login_as, world):
    event_id = _event_id(app, world, "cohort_a", "S2")
    client = login_as("coordinator")
    page = client.get(f"/events/{event_id}/edit")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'name="title"' in html
    with app.app_context():
        event = db.session.get(Event, event_id)
        day = event.starts_at.strftime("%Y-%m-%d")
        thematics = list(event.thematics)
    response = client.post(
        f"/events/{event_id}/edit",
        data=_form(
            title="S2 déplacée",
            start_date=day,
            end_date=day,
            thematics=thematics,
            confirm="y",
            version="1",
        ),
    )
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(Event, event_id).sequence == 1
    assert client.post(f"/events/{event_id}/cancel").status_code == 302
    text = page_text(client.get(f"/events/{event_id}"))
    assert "Cet événement est annulé." in text
    listing = page_text(login_as("a1").get(f"/cohorts/{world['cohort_a']}/calendar?view=list"))
    assert "S2 déplacée annulé" in listing
    assert client.get(f"/events/{event_id}/edit").status_code == 302  # back to the event page


def test_my_agenda_splits_upcoming_and_past_and_shows_the_feed(app, login_as, world):
    from datetime import UTC, datetime

    from parcours.core.time import freeze

    client = login_as("a1")
    with freeze(datetime(2026, 7, 1, tzinfo=UTC)):
        text = page_text(client.get("/agenda"))
    upcoming, past = text.split("À venir")[1].split("Passés")
    assert "Session 4" in upcoming.split("Dans mon agenda habituel")[0]
    assert "Session 1" in past
    assert "webcal://" in client.get("/agenda").get_data(as_text=True)


def test_the_feed_address_shown_on_my_agenda_works(app, login_as, world):
    import re

    client = login_as("a1")
    html = client.get("/agenda").get_data(as_text=True)
    url = re.search(r'id="feed-url" type="text" readonly value="([^"]+)"', html).group(1)
    path = "/" + url.split("/", 3)[3]
    response = app.test_client().get(path)
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    assert b"Session 1" in response.data


def test_my_agenda_query_count_does_not_grow_with_my_events(app, login_as, world, query_counter):
    from datetime import UTC, datetime, timedelta

    from parcours.accounts.models import User
    from parcours.agenda import operations
    from parcours.agenda.operations import EventDraft
    from parcours.cohorts.models import Cohort, Territory

    client = login_as("coordinator")
    client.get("/agenda")  # the feed token is created on the first visit

    def count():
        with query_counter:
            assert client.get("/agenda").status_code == 200
        return query_counter.count

    def add_events(n):
        with app.test_request_context():
            cohort = db.session.get(Cohort, world["cohort_a"])
            territory = db.session.get(Territory, world["territory_a1"])
            coordinator = db.session.get(User, world["coordinator"])
            for i in range(n):
                start = datetime(2026, 7, 1 + i, 8, tzinfo=UTC)
                operations.create_event(
                    cohort,
                    EventDraft(
                        kind="follow_up",
                        title=f"Suivi {i}",
                        territory=territory,
                        starts_at=start,
                        ends_at=start + timedelta(hours=1),
                    ),
                    coordinator,
                )
            db.session.commit()

    add_events(2)
    small = count()
    add_events(12)
    assert count() == small


def test_a_two_day_session_keeps_each_programme_line_on_its_day(app, login_as, world):
    client = login_as("coordinator")
    data = _form(
        title="Séminaire de deux jours",
        start_date="2026-06-23",
        end_date="2026-06-24",
        **{
            "items-0-day": "2026-06-24",
            "items-0-start_time": "10:00",
            "items-0-end_time": "11:00",
            "items-0-title": "Visite du lendemain",
        },
    )
    response = client.post(f"/cohorts/{world['cohort_a']}/events/new", data=data)
    assert response.status_code == 302, page_text(response)[:600]
    with app.app_context():
        event = db.session.scalar(select(Event).where(Event.title == "Séminaire de deux jours"))
        (item,) = event.items
        assert item.starts_at.strftime("%Y-%m-%d %H:%M") == "2026-06-24 08:00"  # 10:00 Paris
        event_id = event.id
    html = client.get(f"/events/{event_id}/edit").get_data(as_text=True)
    assert 'name="items-0-day" type="date" value="2026-06-24"' in html


def test_only_expected_participants_are_offered_the_check_in(app, login_as, world):
    s1 = _event_id(app, world, "cohort_a", "S1")
    with app.app_context():
        starts_at = db.session.get(Event, s1).starts_at
    with freeze(starts_at + timedelta(minutes=10)):
        for role, offered in (("a1", True), ("coach", False), ("committee", False)):
            html = login_as(role).get(f"/events/{s1}").get_data(as_text=True)
            assert (f"/events/{s1}/check-in" in html) is offered, role


@pytest.mark.parametrize("month", ["0001-01", "9999-12", "1999-12"])
def test_month_out_of_range_is_a_400(login_as, world, month):
    client = login_as("coordinator")
    assert client.get(f"/cohorts/{world['cohort_a']}/calendar?month={month}").status_code == 400


def test_the_first_month_offers_no_link_before_it(login_as, world):
    html = (
        login_as("coordinator")
        .get(f"/cohorts/{world['cohort_a']}/calendar?month=2000-01")
        .get_data(as_text=True)
    )
    assert "month=1999-12" not in html and "month=2000-02" in html


def test_a_comite_lists_its_members_apart_from_the_team(app, login_as, world):
    """The Comité d'orientation reads the results: it is not the « Équipe » running them."""
    committee = _event_id(app, world, "cohort_a", "COMITE1")
    text = page_text(login_as("coordinator").get(f"/events/{committee}"))
    assert "Comité d'orientation : Comité A" in text
    team = text.split("Équipe :", 1)[1]
    assert "Coordination A" in team and "Comité A" not in team
