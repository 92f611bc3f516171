"""Calendar feeds and .ics files, fetched over HTTP and parsed back with icalendar."""

from datetime import UTC, datetime, timedelta

import pytest
from icalendar import Calendar
from sqlalchemy import select

from parcours.accounts import operations as account_ops
from parcours.accounts.models import User
from parcours.agenda import operations as agenda_ops
from parcours.agenda import queries as agenda_queries
from parcours.agenda.models import AgendaItem, CalendarFeed, Event, EventDocument
from parcours.agenda.permissions import can_view_event
from parcours.core.extensions import db
from parcours.core.time import now_utc
from tests.conftest import ROLES as ALL_ROLES

ROLES = ["coordinator", "coach", "committee", "a1", "a1bis", "a2", "coordinator_b", "b1"]


def _token(app, user_id: int) -> str:
    with app.test_request_context():
        token = agenda_ops.feed_for(db.session.get(User, user_id)).token
        db.session.commit()
        return token


def _fetch(client, token: str) -> Calendar:
    response = client.get(f"/calendar/{token}.ics")
    assert response.status_code == 200, response.status_code
    return Calendar.from_ical(response.data)


def _uids(calendar: Calendar) -> dict[str, object]:
    return {str(component["UID"]): component for component in calendar.walk("VEVENT")}


def _event_id(app, world, code: str, cohort="cohort_a", territory=None) -> int:
    with app.app_context():
        query = select(Event.id).where(Event.cohort_id == world[cohort], Event.code == code)
        if territory:
            query = query.where(Event.territory_id == world[territory])
        return db.session.scalar(query)


def _uid(event_id: int) -> str:
    return f"parcours-event-{event_id}@parcours.test"


# Operations ---------------------------------------------------------------------------------


def test_a_person_has_one_feed_with_an_unguessable_token(ctx, world):
    user = db.session.get(User, world["a1"])
    feed = agenda_ops.feed_for(user)
    assert agenda_ops.feed_for(user) is feed
    assert len(feed.token) >= 43
    other = agenda_ops.feed_for(db.session.get(User, world["a2"]))
    assert other.token != feed.token


def _feeds_of(user_id: int) -> list[CalendarFeed]:
    return db.session.scalars(select(CalendarFeed).where(CalendarFeed.user_id == user_id)).all()


def test_every_new_account_gets_its_feed_when_it_is_created(ctx, world):
    user, created = account_ops.ensure_user("nouvelle@example.org", "Nouvelle Personne")
    assert created
    assert [feed.user_id for feed in _feeds_of(user.id)] == [user.id]
    assert agenda_queries.feed_of(user) is agenda_ops.feed_for(user)


def test_operations_flush_and_leave_the_commit_to_the_caller(ctx, world):
    user = db.session.get(User, world["a1"])
    db.session.delete(agenda_queries.feed_of(user))
    db.session.commit()
    agenda_ops.feed_for(user)
    db.session.rollback()
    assert _feeds_of(user.id) == []
    old = agenda_ops.feed_for(user).token
    db.session.commit()
    agenda_ops.regenerate_feed(user)
    db.session.rollback()
    assert agenda_queries.feed_of(user).token == old


def test_regenerating_changes_the_token(ctx, world):
    user = db.session.get(User, world["a1"])
    old = agenda_ops.feed_for(user).token
    assert agenda_ops.regenerate_feed(user).token != old
    assert _feeds_of(user.id) == [agenda_ops.feed_for(user)]


def test_feed_urls_in_both_forms(ctx, world):
    user = db.session.get(User, world["a1"])
    urls = agenda_queries.feed_urls(agenda_ops.feed_for(user))
    token = agenda_ops.feed_for(user).token
    assert urls == {
        "https": f"http://parcours.test/calendar/{token}.ics",
        "webcal": f"webcal://parcours.test/calendar/{token}.ics",
    }


# The feed -------------------------------------------------------------------------------------


def test_the_feed_is_read_without_login_and_is_cacheable_privately(app, client, world):
    response = client.get(f"/calendar/{_token(app, world['a1'])}.ics")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert response.headers["Content-Disposition"] == "inline; filename=parcours.ics"
    assert response.headers["Cache-Control"] == "private, max-age=300"
    assert "Set-Cookie" not in response.headers
    calendar = Calendar.from_ical(response.data)
    assert str(calendar["X-WR-CALNAME"]) == "Parcours — Catalyseur A1"
    assert calendar.walk("VEVENT")


def test_a_logged_in_browser_gets_the_same_feed_and_keeps_its_session(app, login_as, world):
    token = _token(app, world["a1"])
    browser = login_as("a2")
    response = browser.get(f"/calendar/{token}.ics")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "private, max-age=300"
    assert "Set-Cookie" not in response.headers
    assert str(Calendar.from_ical(response.data)["X-WR-CALNAME"]) == "Parcours — Catalyseur A1"
    assert browser.get("/account").status_code == 200  # still logged in as a2


def test_an_unchanged_feed_answers_not_modified(app, client, world):
    token = _token(app, world["a1"])
    first = client.get(f"/calendar/{token}.ics")
    assert first.headers["ETag"]
    again = client.get(f"/calendar/{token}.ics", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304


@pytest.mark.parametrize(
    "token", ["unknown-token", "x" * 500, "x'%20OR%20'1'='1"], ids=["unknown", "too-long", "quote"]
)
def test_an_unknown_token_is_not_found(app, client, world, token):
    _token(app, world["a1"])
    response = client.get(f"/calendar/{token}.ics")
    assert response.status_code == 404
    assert "Set-Cookie" not in response.headers


def test_the_feed_of_a_deactivated_person_is_gone(app, client, world):
    token = _token(app, world["a1"])
    with app.app_context():
        db.session.get(User, world["a1"]).active = False
        db.session.commit()
    assert client.get(f"/calendar/{token}.ics").status_code == 404


def test_the_feed_speaks_the_language_of_its_owner(app, client, world):
    token = _token(app, world["a1"])
    with app.app_context():
        db.session.get(User, world["a1"]).locale = "en"
        db.session.commit()
    calendar = _fetch(client, token)
    descriptions = [str(c["DESCRIPTION"]) for c in calendar.walk("VEVENT")]
    assert descriptions
    assert not any("Page de l'événement" in text for text in descriptions)


def test_uids_are_stable_across_fetches(app, client, world):
    token = _token(app, world["a1"])
    first, second = _fetch(client, token), _fetch(client, token)
    assert _uids(first).keys() == _uids(second).keys()
    s1 = _event_id(app, world, "S1")
    assert _uid(s1) in _uids(first)
    assert first.to_ical() == second.to_ical()


def test_an_edit_raises_the_sequence_under_the_same_uid(app, client, world):
    token = _token(app, world["a1"])
    s1 = _event_id(app, world, "S1")
    before = _uids(_fetch(client, token))[_uid(s1)]
    with app.app_context():
        event = db.session.get(Event, s1)
        event.title = "Session 1 — nouveau titre"
        event.sequence += 1
        event.updated_at = now_utc() + timedelta(minutes=1)
        db.session.commit()
    after = _uids(_fetch(client, token))[_uid(s1)]
    assert after["SEQUENCE"] == before["SEQUENCE"] + 1 == 1
    assert str(after["SUMMARY"]) == "Session 1 — nouveau titre"
    assert after.decoded("DTSTAMP") > before.decoded("DTSTAMP")


def test_a_cancelled_event_stays_in_the_feed_as_cancelled(app, client, world):
    token = _token(app, world["a1"])
    s1 = _event_id(app, world, "S1")
    with app.app_context():
        event = db.session.get(Event, s1)
        event.status = "cancelled"
        event.cancelled_at = event.updated_at = now_utc()
        event.sequence += 1
        db.session.commit()
    component = _uids(_fetch(client, token))[_uid(s1)]
    assert str(component["STATUS"]) == "CANCELLED"
    assert component["SEQUENCE"] == 1


def test_event_times_are_in_paris_time(app, client, world):
    calendar = _fetch(client, _token(app, world["a1"]))
    assert "Europe/Paris" in [tz.tz_name for tz in calendar.timezones]
    component = _uids(calendar)[_uid(_event_id(app, world, "S1"))]
    assert component["DTSTART"].params["TZID"] == "Europe/Paris"
    assert component.decoded("DTSTART").strftime("%Y-%m-%d %H:%M") == "2026-04-01 09:30"
    assert str(component["URL"]) == f"http://parcours.test/events/{_event_id(app, world, 'S1')}"


@pytest.mark.parametrize("role", ROLES)
def test_each_feed_holds_exactly_the_events_its_owner_may_see(app, client, world, role):
    with app.app_context():
        user = db.session.get(User, world[role])
        events = db.session.scalars(
            select(Event).where(Event.cohort_id.in_([world["cohort_a"], world["cohort_b"]]))
        ).all()
        expected = {_uid(e.id) for e in events if can_view_event(user, e)}
    assert expected
    assert set(_uids(_fetch(client, _token(app, world[role])))) == expected


@pytest.mark.parametrize("role", ["admin", "outsider"])
def test_a_feed_holds_only_what_concerns_its_owner(app, client, world, role):
    # The administrator may open every event, but belongs to no cohort.
    calendar = _fetch(client, _token(app, world[role]))
    assert calendar.walk("VEVENT") == []
    # RFC 5545 wants one component at least: the empty feed still holds its time zone.
    assert [tz.tz_name for tz in calendar.timezones] == ["Europe/Paris"]


@pytest.mark.parametrize("role", ALL_ROLES)
def test_every_feed_is_a_valid_calendar_with_an_organiser(app, client, world, role):
    response = client.get(f"/calendar/{_token(app, world[role])}.ics")
    calendar = Calendar.from_ical(response.data)
    assert str(calendar["METHOD"]) == "PUBLISH"
    assert calendar.subcomponents, "a calendar holds at least one component"
    # Every zone in use is described (an empty feed's zone is described but not used).
    assert calendar.get_used_tzids() <= {tz.tz_name for tz in calendar.timezones}
    for component in calendar.walk("VEVENT"):
        assert str(component["ORGANIZER"]) == "mailto:parcours@localhost"
        assert component["ORGANIZER"].params["CN"] == "Parcours"
        assert "ATTENDEE" not in component


def test_a_catalyseur_feed_holds_their_territory_and_no_other(app, client, world):
    uids = _uids(_fetch(client, _token(app, world["a1"])))
    assert _uid(_event_id(app, world, "SUIVI1", territory="territory_a1")) in uids
    assert _uid(_event_id(app, world, "SUIVI1", territory="territory_a2")) not in uids
    assert _uid(_event_id(app, world, "S1", cohort="cohort_b")) not in uids
    assert _uid(_event_id(app, world, "COMITE1")) not in uids


def test_a_committee_feed_holds_sessions_and_committees_only(app, client, world):
    calendar = _fetch(client, _token(app, world["committee"]))
    categories = {str(c["CATEGORIES"].cats[0]) for c in calendar.walk("VEVENT")}
    assert categories == {"Session collective", "Comité d'orientation"}


def test_building_a_feed_costs_the_same_queries_for_more_events(app, client, world, query_counter):
    token = _token(app, world["coordinator"])
    with query_counter as counter:
        small = _fetch(client, token)
    before = counter.count
    with app.app_context():
        base = datetime(2026, 6, 1, 8, tzinfo=UTC)
        for n in range(12):
            starts = base + timedelta(days=n)
            db.session.add(
                Event(
                    cohort_id=world["cohort_a"],
                    territory_id=world["territory_a1"] if n % 2 else None,
                    kind="follow_up" if n % 2 else "other",
                    title=f"Rencontre {n}",
                    starts_at=starts,
                    ends_at=starts + timedelta(hours=2),
                    items=[
                        AgendaItem(
                            starts_at=starts,
                            ends_at=starts + timedelta(hours=1),
                            kind="plenary",
                            title="Ouverture",
                        )
                    ],
                    documents=[EventDocument(title="Support", url="https://example.org/s.pdf")],
                )
            )
        db.session.commit()
    with query_counter as counter:
        large = _fetch(client, token)
    assert len(large.walk("VEVENT")) == len(small.walk("VEVENT")) + 12
    assert counter.count == before


# Token regeneration ---------------------------------------------------------------------------


def test_regenerating_retires_the_old_url(app, login_as, client, world):
    old = _token(app, world["a1"])
    browser = login_as("a1")
    response = browser.post("/agenda/feed/regenerate")
    assert response.status_code == 302
    assert response.headers["Location"] == "/agenda"
    with browser.session_transaction() as session:
        assert session["_flashes"] == [
            (
                "success",
                "Votre adresse d'abonnement a été renouvelée : l'ancienne ne fonctionne plus. "
                "Abonnez votre agenda à la nouvelle adresse.",
            )
        ]
    new = _token(app, world["a1"])
    assert new != old
    assert client.get(f"/calendar/{old}.ics").status_code == 404
    assert client.get(f"/calendar/{new}.ics").status_code == 200


def test_regenerating_needs_login_and_a_post(app, client, login_as, world):
    response = client.post("/agenda/feed/regenerate")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")
    assert login_as("a1").get("/agenda/feed/regenerate").status_code == 405


def test_regenerating_without_csrf_token_is_refused(app, login_as, world, monkeypatch):
    old = _token(app, world["a1"])
    browser = login_as("a1")
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    assert browser.post("/agenda/feed/regenerate").status_code == 400
    assert _token(app, world["a1"]) == old


# One event's file ------------------------------------------------------------------------------


def test_an_event_file_is_downloaded_by_who_may_see_the_event(app, login_as, world):
    s1 = _event_id(app, world, "S1")
    response = login_as("a1").get(f"/events/{s1}.ics")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert response.headers["Content-Disposition"] == (
        "attachment; filename=session-1-panorama-des-partenariats-et-fragilites.ics"
    )
    (component,) = Calendar.from_ical(response.data).walk("VEVENT")
    assert str(component["UID"]) == _uid(s1)


@pytest.mark.parametrize(
    ("role", "code", "territory", "status"),
    [
        ("a2", "SUIVI1", "territory_a1", 403),
        ("b1", "S1", None, 403),
        ("committee", "T0", None, 403),
        ("outsider", "S1", None, 403),
        ("coach", "SUIVI1", "territory_a1", 200),
        ("admin", "SUIVI1", "territory_a2", 200),
    ],
)
def test_an_event_file_follows_the_event_rule(app, login_as, world, role, code, territory, status):
    event_id = _event_id(app, world, code, territory=territory)
    assert login_as(role).get(f"/events/{event_id}.ics").status_code == status


def test_an_event_file_needs_login(app, client, world):
    response = client.get(f"/events/{_event_id(app, world, 'S1')}.ics")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_an_unknown_event_file_is_not_found(login_as, world):
    assert login_as("a1").get("/events/999999.ics").status_code == 404


@pytest.mark.commits  # the requests run in threads, each on a connection of its own
def test_simultaneous_first_requests_for_a_feed_address_create_one_feed(
    app, create_user, monkeypatch
):
    from sqlalchemy import delete, func

    from tests.conftest import login
    from tests.parallel import check_together, in_parallel

    user_id = create_user("simultane@example.org")
    with app.app_context():
        db.session.execute(delete(CalendarFeed).where(CalendarFeed.user_id == user_id))
        db.session.commit()
    clients = [app.test_client() for _ in range(6)]
    for client in clients:
        login(client, "simultane@example.org")
    check_together(monkeypatch, agenda_queries, "feed_of", len(clients))
    results = in_parallel([lambda c=c: c.post("/agenda/feed/regenerate") for c in clients])
    assert [getattr(r, "status_code", r) for r in results] == [302] * len(clients)
    with app.app_context():
        count = db.session.scalar(
            select(func.count(CalendarFeed.id)).where(CalendarFeed.user_id == user_id)
        )
    assert count == 1
