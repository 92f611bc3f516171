"""Fragments kept per process: rendered once for the same rows, never stale, one per language."""

from sqlalchemy import select

from parcours.accounts.models import User
from parcours.agenda.models import Event
from parcours.agenda.queries import event_list_for
from parcours.core import fragments
from parcours.core.extensions import db
from tests.conftest import page_text


def _s1(world) -> Event:
    return db.session.scalar(
        select(Event).where(Event.cohort_id == world["cohort_a"], Event.code == "S1")
    )


def test_the_same_rows_are_rendered_once(app, world):
    with app.test_request_context():
        coordinator = db.session.get(User, world["coordinator"])
        rows = tuple(event_list_for(coordinator))
        fragments._render.cache_clear()
        first = fragments.fragment("agenda/_event_row.html", "event_list", rows)
        second = fragments.fragment("agenda/_event_row.html", "event_list", rows)
        info = fragments._render.cache_info()
        title = _s1(world).title
    assert (info.misses, info.hits) == (1, 1)
    assert second == first
    assert first.count("<li") == len(rows) > 10
    assert title in first


def test_a_changed_event_reads_at_once_on_the_pages_that_keep_fragments(ctx, login_as, world):
    coordinator = login_as("coordinator")
    overview = f"/cohorts/{world['cohort_a']}"
    before = _s1(world).title
    assert before in page_text(coordinator.get(overview))
    assert before in page_text(coordinator.get("/agenda"))

    _s1(world).title = "Session de lancement à Bourges"
    db.session.commit()

    for url in (overview, "/agenda"):
        text = page_text(coordinator.get(url))
        assert "Session de lancement à Bourges" in text
        assert before not in text


def test_each_language_has_its_own_fragment(login_as, world):
    coordinator = login_as("coordinator")
    overview = f"/cohorts/{world['cohort_a']}"
    assert "Session collective" in page_text(coordinator.get(overview))

    coordinator.post(
        "/account", data={"full_name": "Coordination A", "organisation": "", "locale": "en"}
    )

    text = page_text(coordinator.get(overview))
    assert "Group session" in text
    assert "Session collective" not in text
