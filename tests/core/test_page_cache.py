"""Main pages served again while nothing they show changed, and never to anyone else."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from parcours import create_app
from parcours.agenda.models import Event
from parcours.cohorts import operations as cohort_ops
from parcours.cohorts.models import Membership
from parcours.core import page_cache
from parcours.core.extensions import db
from parcours.core.pipeline import ANYONE, handles
from parcours.core.time import advance, freeze
from tests.conftest import app_config, page_text


@pytest.fixture
def cache(app):
    kept = page_cache.cache_of(app)
    assert kept is not None, "the tests run with the page cache on, as production does"
    kept.clear()
    yield kept
    kept.clear()


@pytest.fixture
def browse(login_as):
    """Log in as ``role`` and open a first page, which gives the session its CSRF secret."""

    def _browse(role: str):
        client = login_as(role)
        assert client.get("/account").status_code == 200
        return client

    return _browse


def _overview(world) -> str:
    return f"/cohorts/{world['cohort_a']}"


def _s1(world) -> Event:
    return db.session.scalar(
        select(Event).where(Event.cohort_id == world["cohort_a"], Event.code == "S1")
    )


def _csrf(html: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)


def test_a_page_served_again_is_the_same_page_for_a_fraction_of_the_queries(
    browse, world, cache, statement_log
):
    coordinator = browse("coordinator")
    with statement_log:
        first = coordinator.get(_overview(world))
    rendered = statement_log.count
    with statement_log:
        again = coordinator.get(_overview(world))
    assert again.status_code == 200
    assert again.get_data() == first.get_data()
    assert (cache.misses, cache.hits) == (1, 1)
    # The user with the version, the cohort, the memberships: the access check still runs.
    assert statement_log.count == 3 < rendered


def test_a_change_by_anyone_is_shown_at_the_next_load(app, browse, world, cache):
    coordinator = browse("coordinator")
    with app.app_context():
        title = _s1(world).title
    assert title in page_text(coordinator.get(_overview(world)))

    with app.app_context():  # another request's, or another process's, commit
        _s1(world).title = "Session de lancement à Bourges"
        db.session.commit()
    assert "Session de lancement à Bourges" in page_text(coordinator.get(_overview(world)))
    assert cache.hits == 0


def test_partners_of_one_binome_never_see_each_others_page(browse, world, cache):
    first, second = browse("a1"), browse("a1bis")
    url = f"/cohorts/{world['cohort_a']}/my-path"
    mine = page_text(first.get(url))
    theirs = page_text(second.get(url))
    assert mine != theirs
    assert "Catalyseur A1 bis" in mine  # each page names the other as the partner
    assert mine == page_text(first.get(url)) and theirs == page_text(second.get(url))
    assert (cache.misses, cache.hits) == (2, 2)


def test_two_sessions_of_one_person_keep_their_own_csrf_token(browse, world, cache):
    laptop, phone = browse("coordinator"), browse("coordinator")
    url = "/agenda"
    on_laptop = laptop.get(url).get_data(as_text=True)
    on_phone = phone.get(url).get_data(as_text=True)
    assert _csrf(on_laptop) != _csrf(on_phone)
    assert _csrf(laptop.get(url).get_data(as_text=True)) == _csrf(on_laptop)
    assert cache.hits == 1


def test_another_language_is_another_page(monkeypatch, browse, world, cache):
    coordinator = browse("coordinator")
    assert "Mon agenda" in page_text(coordinator.get("/agenda"))
    # The same data and minute: only the language differs (as a browser's does, logged out).
    monkeypatch.setattr("parcours.core.i18n._select_code", lambda: "en")
    assert "My schedule" in page_text(coordinator.get("/agenda"))
    assert (cache.misses, cache.hits) == (2, 0)


def test_a_page_is_at_most_a_minute_behind_the_clock(browse, world, cache):
    with freeze(datetime(2026, 3, 10, 9, 0, 5, tzinfo=UTC)):
        coordinator = browse("coordinator")
        coordinator.get("/agenda")
        advance(timedelta(seconds=50))
        coordinator.get("/agenda")
        assert (cache.misses, cache.hits) == (1, 1)
        advance(timedelta(seconds=10))  # 09:01:05: another minute
        coordinator.get("/agenda")
        assert (cache.misses, cache.hits) == (2, 1)


def test_a_flashed_message_is_shown_once_and_its_page_is_not_kept(browse, world, cache):
    coordinator = browse("coordinator")
    coordinator.get("/agenda")
    shown = coordinator.post("/agenda/feed/regenerate", follow_redirects=True)
    assert "Votre adresse d'abonnement a été renouvelée" in page_text(shown)
    assert len(cache) == 1  # the page before the change, not the one with the message
    again = page_text(coordinator.get("/agenda"))
    assert "Votre adresse d'abonnement a été renouvelée" not in again
    assert len(cache) == 2 and cache.hits == 0

    with coordinator.session_transaction() as session:
        session["_flashes"] = [("info", "Un message en attente")]
    assert "Un message en attente" in page_text(coordinator.get("/agenda"))
    assert cache.hits == 0  # a message waiting: the kept page would not show it
    assert "Un message en attente" not in page_text(coordinator.get("/agenda"))
    assert cache.hits == 1


def test_a_person_removed_from_the_cohort_is_refused_at_once(app, browse, world, cache):
    catalyseur = browse("a2")
    url = f"/cohorts/{world['cohort_a']}/my-path"
    assert catalyseur.get(url).status_code == 200
    assert catalyseur.get(url).status_code == 200
    assert cache.hits == 1
    with app.app_context():
        member = db.session.scalar(
            select(Membership).where(
                Membership.user_id == world["a2"], Membership.cohort_id == world["cohort_a"]
            )
        )
        cohort_ops.remove_member(member)
        db.session.commit()
    assert catalyseur.get(url).status_code == 403


def test_the_access_check_runs_before_the_cache_is_read(monkeypatch, browse, world, cache):
    catalyseur = browse("a1")
    url = f"/cohorts/{world['cohort_a']}/my-path"
    assert catalyseur.get(url).status_code == 200
    # Nothing written, the same minute: only the access check can refuse the kept page.
    monkeypatch.setattr("parcours.cohorts.permissions.role_in", lambda user, cohort: None)
    assert catalyseur.get(url).status_code == 403
    assert cache.hits == 0


def test_an_answer_other_than_200_is_not_kept(browse, world, cache):
    catalyseur = browse("a1")
    url = f"/cohorts/{world['cohort_a']}/belles-histoires?thematic=nope"
    first = catalyseur.get(url)
    assert first.status_code == 400
    assert catalyseur.get(url).status_code == 400
    assert len(cache) == 0


def test_the_first_page_of_a_session_is_not_kept(login_as, world, cache):
    client = login_as("coordinator")
    first = client.get("/agenda")  # creates the session's CSRF secret, which its forms carry
    assert first.status_code == 200 and len(cache) == 0
    again = client.get("/agenda")
    assert len(cache) == 1
    assert _csrf(client.get("/agenda").get_data(as_text=True)) == _csrf(again.get_data(True))
    assert cache.hits == 1


def test_an_anonymous_visitor_is_sent_to_the_login_page_not_the_cache(client, world, cache):
    response = client.get("/agenda")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert len(cache) == 0


def test_the_cache_is_off_in_debug_mode_and_at_size_zero(database_url_for_tests):
    assert page_cache.cache_of(create_app(app_config(database_url_for_tests, DEBUG=True))) is None
    off = create_app(app_config(database_url_for_tests, PARCOURS_PAGE_CACHE_MB=0))
    assert page_cache.cache_of(off) is None


def test_a_server_switched_to_debug_mode_renders_every_page(monkeypatch, app, browse, cache):
    coordinator = browse("coordinator")
    monkeypatch.setattr(app, "debug", True)
    coordinator.get("/agenda")
    coordinator.get("/agenda")
    assert len(cache) == 0 and cache.hits == 0


def test_only_the_pages_of_a_logged_in_person_may_be_kept():
    with pytest.raises(ValueError, match="logged-in"):
        handles(allow=ANYONE, cache_page=True)
