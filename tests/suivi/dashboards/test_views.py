"""The dashboards' pages: who sees them, what they highlight, how they sort, and their cost."""

import re
from datetime import date, timedelta

import pytest

from parcours.cohorts.models import Territory
from parcours.core.extensions import db
from parcours.core.time import freeze
from tests.conftest import page_text
from tests.suivi.dashboards import helpers
from tests.suivi.dashboards.helpers import NOW, TODAY

ALLOWED = ["admin", "coordinator"]
REFUSED = ["coach", "coach2", "committee", "a1", "a1bis", "a2", "coordinator_b", "b1", "outsider"]
SORTS = [
    "territory",
    "coach",
    "last_record",
    "next_meeting",
    "open_items",
    "overdue_items",
    "last_entry",
    "maturity",
]


@pytest.fixture
def as_role(app, world, login_as):
    def _as(role):
        if role == "coach2":
            helpers.second_coach(app, world)
            return helpers.client_for(app, "coach2@example.org")
        return login_as(role)

    return _as


def _page(world, **query) -> str:
    url = f"/cohorts/{world['cohort_a']}/suivi"
    if query:
        url += "?" + "&".join(f"{key}={value}" for key, value in query.items())
    return url


def _fill(app, world, copies: int = 1) -> None:
    """Give each territory of cohort A ``copies`` times each kind of suivi row."""
    with app.app_context():
        territories = (
            db.session.query(Territory).filter(Territory.cohort_id == world["cohort_a"]).all()
        )
        for territory in territories:
            for n in range(copies):
                record = helpers.record(territory.id, TODAY - timedelta(days=10 + n))
                helpers.item(
                    territory.id,
                    "Action",
                    due_on=TODAY - timedelta(days=n + 1),
                    record_id=record.id,
                )
                helpers.item(territory.id, "Action", due_on=TODAY + timedelta(days=n))
                for visibility in ("binome", "coach", "cohort"):
                    helpers.entry(territory.id, TODAY - timedelta(days=n), visibility)
                helpers.meeting(territory.id, NOW + timedelta(days=n + 1))
                helpers.snapshot(
                    territory.id,
                    ("launch", "midway", "end")[n % 3],
                    n % 4,
                    NOW - timedelta(days=100 - n),
                )
        db.session.commit()


def _more_territories(app, world, count: int) -> None:
    """Add ``count`` accepted territories to cohort A, followed by its coach."""
    with app.app_context():
        for n in range(count):
            db.session.add(
                Territory(
                    cohort_id=world["cohort_a"],
                    name=f"Territoire supplémentaire {n:02d}",
                    kind="rural",
                    carrier_type="associatif",
                    status="accepted",
                    coach_id=world["coach"],
                )
            )
        db.session.commit()


# Access -----------------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_login(client, world):
    response = client.get(_page(world))
    assert response.status_code == 302 and "/login" in response.headers["Location"]


@pytest.mark.parametrize("role", ALLOWED)
def test_those_who_run_the_cohort_see_its_suivi(as_role, world, role):
    response = as_role(role).get(_page(world))
    assert response.status_code == 200
    assert "Suivi des territoires" in page_text(response)


@pytest.mark.parametrize("role", REFUSED)
def test_nobody_else_sees_the_cohort_suivi(as_role, world, role):
    assert as_role(role).get(_page(world)).status_code == 403


def test_the_coordinator_of_another_cohort_sees_their_own(login_as, world):
    client = login_as("coordinator_b")
    assert client.get(f"/cohorts/{world['cohort_b']}/suivi").status_code == 200
    assert client.get(_page(world)).status_code == 403


def test_an_unknown_cohort_is_not_found(login_as):
    assert login_as("admin").get("/cohorts/999999/suivi").status_code == 404


def test_the_overview_links_to_the_suivi_for_coordinators_not_for_the_committee(login_as, world):
    url = f"/cohorts/{world['cohort_a']}"
    link = f'href="{_page(world)}"'
    assert link in login_as("coordinator").get(url).get_data(as_text=True)
    committee = login_as("committee").get(url)
    assert committee.status_code == 200 and link not in committee.get_data(as_text=True)


# What the page shows ----------------------------------------------------------------------


def test_stale_territories_and_overdue_items_are_highlighted_in_words(
    app, login_as, world, monkeypatch
):
    a1 = world["territory_a1"]
    with freeze(NOW), app.app_context():
        record = helpers.record(a1, date(2026, 5, 2))  # 44 days ago
        helpers.item(a1, "En retard", due_on=date(2026, 6, 14), record_id=record.id)
        db.session.commit()
    client = login_as("coordinator")
    with freeze(NOW):
        text = page_text(client.get(_page(world)))
        assert text.count("sans suivi depuis plus de 45 jours") == 1  # A2 only: never followed
        assert "1 en retard" in text
        monkeypatch.setitem(app.config, "PARCOURS_SUIVI_STALE_DAYS", 30)
        html = client.get(_page(world)).get_data(as_text=True)
    assert page_text_of(html).count("sans suivi depuis plus de 30 jours") == 2
    assert "Sans suivi depuis plus de 30 jours" in page_text_of(html)  # the per-coach column
    assert len(re.findall(r'<td class="suivi-stale">', html)) == 2
    assert 'class="badge badge-overdue"' in html


def page_text_of(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


@pytest.mark.parametrize("sort", [*SORTS, *(f"-{key}" for key in SORTS), "rubbish", "-", "%00"])
def test_every_sort_answers_and_an_unknown_one_falls_back(login_as, world, sort):
    response = login_as("coordinator").get(_page(world, sort=sort))
    assert response.status_code in (200, 400)  # a NUL is refused before any route
    if sort != "%00":
        assert response.status_code == 200


def test_the_headers_are_sort_links_that_work_without_javascript(app, login_as, world):
    with freeze(NOW), app.app_context():
        helpers.record(world["territory_a2"], date(2026, 6, 1))
        db.session.commit()
    client = login_as("coordinator")
    with freeze(NOW):
        html = client.get(_page(world, sort="last_record")).get_data(as_text=True)
        assert 'aria-sort="ascending"' in html
        assert f'href="{_page(world, sort="-last_record")}"' in html  # a second click reverses
        assert f'href="{_page(world, sort="maturity")}"' in html
        ascending = page_text(client.get(_page(world, sort="last_record")))
        descending = page_text(client.get(_page(world, sort="-last_record")))
    # A1 has no record: it comes first when the oldest come first.
    assert ascending.index("Territoire A1 Coach A") < ascending.index("Territoire A2")
    assert descending.index("Territoire A2") < descending.index("Territoire A1 Coach A")


def test_the_filter_per_coach_keeps_the_sort(login_as, world):
    client = login_as("coordinator")
    html = client.get(_page(world, sort="-maturity", coach="none")).get_data(as_text=True)
    text = page_text_of(html)
    assert "Territoires sans accompagnateur·rice" in text
    assert "Territoire A2" in text and ">Territoire A1<" not in html
    assert f'href="{_page(world, sort="-maturity")}"' in html  # back to every territory
    assert 'aria-current="page"' in html


def test_every_scrolling_table_can_take_the_keyboard_focus(app, login_as, world):
    _fill(app, world)
    pages = [
        (login_as("coordinator"), _page(world)),
        (login_as("coach"), f"/cohorts/{world['cohort_a']}/my-territories"),
    ]
    for client, url in pages:
        html = client.get(url).get_data(as_text=True)
        wraps = re.findall(r'<div class="table-wrap"[^>]*>', html)
        assert wraps and all('tabindex="0"' in wrap for wrap in wraps)
        assert '<th scope="col"' in html and '<th scope="row"' in html


# The coach's « Mes territoires » ----------------------------------------------------------


def test_the_coach_sees_the_figures_of_their_territories_on_mes_territoires(app, login_as, world):
    a1 = world["territory_a1"]
    with freeze(NOW), app.app_context():
        helpers.record(a1, date(2026, 6, 5))
        helpers.item(a1, "Relancer la mairie", due_on=date(2026, 6, 1))
        helpers.entry(a1, date(2026, 6, 3), "coach")
        helpers.entry(a1, date(2026, 6, 9), "binome")  # not theirs to read
        helpers.snapshot(a1, "launch", 1, NOW - timedelta(days=80))
        db.session.commit()
    with freeze(NOW):
        text = page_text(login_as("coach").get(f"/cohorts/{world['cohort_a']}/my-territories"))
    section = text[text.index("Suivi de mes territoires") :]
    assert "Territoire A1 5 juin 2026 il y a 10 jours" in section
    assert "1 1 en retard 3 juin 2026 Cela commence à émerger" in section
    assert "Territoire A2" not in section  # not theirs


def test_a_coach_without_territory_gets_an_empty_state(as_role, world):
    text = page_text(as_role("coach2").get(f"/cohorts/{world['cohort_a']}/my-territories"))
    assert "Aucun territoire engagé ne vous est encore confié" in text


# Constant SQL ---------------------------------------------------------------------------


def test_both_pages_run_the_same_queries_at_1x_and_10x_the_data(
    app, login_as, world, query_counter
):
    pages = [
        (login_as("coordinator"), _page(world, sort="-overdue_items")),
        (login_as("coach"), f"/cohorts/{world['cohort_a']}/my-territories"),
    ]

    def counts():
        found = []
        for client, url in pages:
            client.get(url)  # warm the caches
            with query_counter:
                assert client.get(url).status_code == 200
            found.append(query_counter.count)
        return found

    with freeze(NOW):
        _fill(app, world, copies=1)
        small = counts()
        _more_territories(app, world, 18)
        _fill(app, world, copies=10)
        large = counts()
    assert small == large
