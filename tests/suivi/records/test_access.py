"""Every record route, for every role: who gets in, who is refused, who is sent to log in."""

import pytest

from parcours.core.extensions import db
from parcours.core.time import now_utc
from tests.suivi.factories import add_record

#: Read a territory's suivi: its binôme and its team (coach, coordinators, administrators).
READERS = ["a1", "a1bis", "coach", "coordinator", "admin"]
#: Write it: the team.
TEAM = ["coach", "coordinator", "admin"]
#: Restore a deleted record: those who run the cohort.
RESTORERS = ["coordinator", "admin"]
#: Everyone in the world plus a coach of the cohort who does not follow A1.
EVERYONE = [
    "a1",
    "a1bis",
    "a2",
    "coach",
    "other_coach",
    "coordinator",
    "admin",
    "committee",
    "coordinator_b",
    "b1",
    "outsider",
]

ROUTES = [
    ("GET", "/territories/{territory}/suivi", READERS),
    ("GET", "/territories/{territory}/suivi/records/new", TEAM),
    ("POST", "/territories/{territory}/suivi/records/new", TEAM),
    ("GET", "/events/{suivi2}/record", TEAM),
    ("POST", "/events/{suivi2}/record", TEAM),
    ("GET", "/suivi/records/{record}", READERS),
    ("GET", "/suivi/records/{record}/edit", TEAM),
    ("POST", "/suivi/records/{record}/edit", TEAM),
    ("GET", "/suivi/records/{record}/delete", TEAM),
    ("POST", "/suivi/records/{record}/next-meeting", TEAM),
    # A deleted record: the team still reads it, the binôme no longer; a coordinator restores it.
    ("GET", "/suivi/records/{deleted}", TEAM),
    ("GET", "/suivi/records/{deleted}/edit", []),
    ("POST", "/suivi/records/{deleted}/restore", RESTORERS),
]


@pytest.fixture
def ids(app, world, meetings):
    with app.app_context():
        record = add_record(world["territory_a1"], world["coach"], event_id=meetings["SUIVI1"])
        deleted = add_record(world["territory_a1"], world["coach"], deleted_at=now_utc())
        db.session.commit()
        return {
            "territory": world["territory_a1"],
            "suivi2": meetings["SUIVI2"],
            "record": record.id,
            "deleted": deleted.id,
        }


def _call(client, method, url):
    return client.get(url) if method == "GET" else client.post(url, data={})


@pytest.mark.parametrize(("method", "pattern", "allowed"), ROUTES)
def test_anonymous_visitors_are_sent_to_log_in(client, ids, method, pattern, allowed):
    response = _call(client, method, pattern.format(**ids))
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


@pytest.mark.parametrize("role", EVERYONE)
@pytest.mark.parametrize(("method", "pattern", "allowed"), ROUTES)
def test_each_role_gets_in_only_where_it_may(as_role, ids, method, pattern, allowed, role):
    response = _call(as_role(role), method, pattern.format(**ids))
    if role in allowed:
        # In: a page, a redirect, or a form refused for what it holds (empty here).
        assert response.status_code in (200, 302, 400), response.status_code
    else:
        assert response.status_code == 403


@pytest.mark.parametrize(
    "url",
    [
        "/territories/999999/suivi",
        "/territories/999999/suivi/records/new",
        "/events/999999/record",
        "/suivi/records/999999",
        "/suivi/records/999999/edit",
        "/suivi/records/999999/delete",
    ],
)
def test_unknown_ids_are_not_found(as_role, ids, url):
    assert as_role("coordinator").get(url).status_code == 404


def test_only_follow_ups_and_bilaterales_take_a_record(app, as_role, world, meetings):
    client = as_role("coordinator")
    assert client.get(f"/events/{meetings['VISITE']}/record").status_code == 403
    assert client.get(f"/events/{meetings['BILAT']}/record").status_code == 200
    from sqlalchemy import select

    from parcours.agenda.models import Event

    with app.app_context():
        s1 = db.session.scalar(
            select(Event.id).where(Event.cohort_id == world["cohort_a"], Event.code == "S1")
        )
    assert client.get(f"/events/{s1}/record").status_code == 403


def test_the_event_page_offers_the_record_to_the_team_and_shows_it_once_written(
    as_role, ids, meetings
):
    def buttons(role, code):
        html = as_role(role).get(f"/events/{meetings[code]}").get_data(as_text=True)
        return (f"/events/{meetings[code]}/record" in html, "Voir le compte rendu" in html)

    assert buttons("coach", "SUIVI2") == (True, False)
    assert buttons("a1", "SUIVI2") == (False, False)
    assert buttons("coach", "SUIVI1") == (False, True)
    assert buttons("a1", "SUIVI1") == (False, True)
    assert buttons("coach", "VISITE") == (False, False)


def test_an_existing_record_is_shown_rather_than_a_second_form(as_role, ids, meetings):
    response = as_role("coach").get(f"/events/{meetings['SUIVI1']}/record")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/suivi/records/{ids['record']}"
