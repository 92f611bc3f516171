"""Past events are kept as records without notices; programme lines move with their event."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from parcours.accounts.models import User
from parcours.agenda import operations
from parcours.agenda.models import Event
from parcours.agenda.operations import EventDraft, ItemDraft
from parcours.cohorts.models import Cohort
from parcours.core.extensions import db
from parcours.core.time import freeze
from tests.conftest import ROLES, page_text
from tests.forms import form_values

BEFORE_THE_COHORT = datetime(2026, 2, 16, 9, 0, tzinfo=UTC)


def _event(app, world, code: str, territory: str | None = None) -> Event:
    query = select(Event).where(Event.cohort_id == world["cohort_a"], Event.code == code)
    if territory:
        query = query.where(Event.territory_id == world[territory])
    with app.app_context():
        event = db.session.scalar(query)
        db.session.expunge(event)
        return event


def _edit_form(client, event_id: int):
    response = client.get(f"/events/{event_id}/edit")
    assert response.status_code == 200
    return form_values(response, f"/events/{event_id}/edit")


# Past events -----------------------------------------------------------------------------


def test_editing_an_ended_event_warns_then_saves_without_any_notice(app, login_as, world, outbox):
    s1 = _event(app, world, "S1")
    client = login_as("coordinator")
    with freeze(s1.ends_at + timedelta(weeks=5)):
        data = _edit_form(client, s1.id)
        data["venue_name"] = "Salle corrigée après coup"
        response = client.post(f"/events/{s1.id}/edit", data=data)
        assert response.status_code == 200
        assert "Cet événement est terminé" in page_text(response)
        with app.app_context():
            assert db.session.get(Event, s1.id).venue_name != "Salle corrigée après coup"
        data["confirm"] = "y"
        response = client.post(f"/events/{s1.id}/edit", data=data, follow_redirects=True)
    assert "sans avis aux personnes attendues" in page_text(response)
    with app.app_context():
        saved = db.session.get(Event, s1.id)
        assert saved.venue_name == "Salle corrigée après coup"
        assert saved.sequence == s1.sequence + 1  # feeds still see the correction
    assert outbox == []


def test_moving_an_ended_event_notifies_nobody(ctx, world, outbox):
    s1 = db.session.scalar(
        select(Event).where(Event.cohort_id == world["cohort_a"], Event.code == "S1")
    )
    coordinator = db.session.get(User, world["coordinator"])
    draft = EventDraft(
        kind=s1.kind,
        title=s1.title,
        starts_at=s1.starts_at + timedelta(hours=1),
        ends_at=s1.ends_at + timedelta(hours=1),
    )
    with freeze(s1.ends_at + timedelta(days=2)):
        assert operations.update_event(s1, draft, coordinator) is True
        db.session.commit()
    assert outbox == []
    # The same move ahead of the event tells everyone expected.
    with freeze(BEFORE_THE_COHORT):
        later = EventDraft(
            kind=s1.kind,
            title=s1.title,
            starts_at=s1.starts_at + timedelta(hours=2),
            ends_at=s1.ends_at + timedelta(hours=2),
        )
        operations.update_event(s1, later, coordinator)
        db.session.commit()
    assert {message.to for message in outbox} >= {"a1@example.org", "a2@example.org"}


def test_a_coach_records_a_past_visit_with_a_warning_and_invites_nobody(
    app, login_as, world, outbox
):
    client = login_as("coach")
    url = f"/territories/{world['territory_a1']}/events/new"
    data = {
        "kind": "field_visit",
        "territory": str(world["territory_a1"]),
        "title": "Visite déjà faite",
        "start_date": "2026-05-12",
        "start_time": "10:00",
        "end_date": "2026-05-12",
        "end_time": "12:00",
    }
    with freeze(datetime(2026, 5, 20, 8, 0, tzinfo=UTC)):
        response = client.post(url, data=data)
        assert response.status_code == 200
        assert "Cet événement est dans le passé" in page_text(response)
        response = client.post(url, data={**data, "confirm": "y"}, follow_redirects=True)
    assert "L'événement passé est enregistré ; personne n'est invité." in page_text(response)
    with app.app_context():
        count = select(func.count(Event.id)).where(Event.title == "Visite déjà faite")
        assert db.session.scalar(count) == 1
    assert outbox == []


def test_an_event_created_ahead_still_invites_everyone(ctx, world, outbox):
    cohort = db.session.get(Cohort, world["cohort_a"])
    coordinator = db.session.get(User, world["coordinator"])
    start = datetime(2026, 6, 10, 8, 0, tzinfo=UTC)
    draft = EventDraft(
        kind="other", title="Webinaire", starts_at=start, ends_at=start.replace(hour=9)
    )
    with freeze(BEFORE_THE_COHORT):
        assert not any("passé" in w for w in operations.warnings(cohort, draft))
        operations.create_event(cohort, draft, coordinator)
        db.session.commit()
    assert "a1@example.org" in {message.to for message in outbox}


# Programme lines ---------------------------------------------------------------------------


def _with_programme(ctx_world) -> Event:
    """Give S2 a morning and an afternoon line, as a coordinator types them (Paris times)."""
    world = ctx_world
    s2 = db.session.scalar(
        select(Event).where(Event.cohort_id == world["cohort_a"], Event.code == "S2")
    )
    coordinator = db.session.get(User, world["coordinator"])
    day = s2.starts_at
    draft = EventDraft(
        kind=s2.kind,
        title=s2.title,
        starts_at=s2.starts_at,
        ends_at=s2.ends_at,
        thematics=list(s2.thematics),
        items=[
            ItemDraft(day, day + timedelta(hours=1), "plenary", "Ouverture"),
            ItemDraft(s2.ends_at - timedelta(hours=1), s2.ends_at, "plenary", "Clôture"),
        ],
    )
    with freeze(BEFORE_THE_COHORT):
        operations.update_event(s2, draft, coordinator)
    db.session.commit()
    return s2


def test_lines_follow_the_start_by_the_same_offset(ctx, world):
    s2 = _with_programme(world)
    before = [(i.starts_at, i.ends_at) for i in s2.items]
    half_hour = timedelta(minutes=30)
    typed = EventDraft(
        kind=s2.kind,
        title=s2.title,
        starts_at=s2.starts_at + half_hour,
        ends_at=s2.ends_at + half_hour,
        thematics=list(s2.thematics),
        items=[ItemDraft(i.starts_at, i.ends_at, i.kind, i.title) for i in s2.items],
    )
    with pytest.raises(operations.EventError):  # as typed, the last line overflows
        operations.validate(s2.cohort, typed)
    carried = operations.carry_items(s2, typed)
    operations.validate(s2.cohort, carried)
    assert [(i.starts_at, i.ends_at) for i in carried.items] == [
        (start + half_hour, end + half_hour) for start, end in before
    ]


def test_a_line_typed_anew_is_kept_as_typed(ctx, world):
    s2 = _with_programme(world)
    opening, _closing = s2.items
    new_line = ItemDraft(
        s2.starts_at + timedelta(hours=3), s2.starts_at + timedelta(hours=4), "workshop", "Atelier"
    )
    draft = EventDraft(
        kind=s2.kind,
        title=s2.title,
        starts_at=s2.starts_at + timedelta(days=1),
        ends_at=s2.ends_at + timedelta(days=1),
        items=[ItemDraft(opening.starts_at, opening.ends_at, "plenary", "Ouverture"), new_line],
    )
    carried = operations.carry_items(s2, draft)
    assert carried.items[0].starts_at == opening.starts_at + timedelta(days=1)
    assert carried.items[1] == new_line


def test_lines_keep_their_wall_clock_time_across_daylight_saving(ctx, world):
    s1 = db.session.scalar(
        select(Event).where(Event.cohort_id == world["cohort_a"], Event.code == "S1")
    )
    # 10:00 in Paris on Friday 27 March 2026 (UTC+1), moved a week later (UTC+2).
    start = datetime(2026, 3, 27, 9, 0, tzinfo=UTC)
    s1.starts_at, s1.ends_at = start - timedelta(minutes=30), start + timedelta(hours=6)
    s1.items = []
    db.session.flush()
    draft = EventDraft(
        kind=s1.kind,
        title=s1.title,
        starts_at=s1.starts_at,
        ends_at=s1.ends_at,
        items=[ItemDraft(start, start + timedelta(hours=1), "plenary", "Accueil")],
    )
    with freeze(BEFORE_THE_COHORT):
        operations.update_event(s1, draft, db.session.get(User, world["coordinator"]))
    week = timedelta(days=7, hours=-1)  # the same wall-clock time a week later, in UTC
    moved = EventDraft(
        kind=s1.kind,
        title=s1.title,
        starts_at=s1.starts_at + week,
        ends_at=s1.ends_at + week,
        items=[ItemDraft(start, start + timedelta(hours=1), "plenary", "Accueil")],
    )
    (line,) = operations.carry_items(s1, moved).items
    assert line.starts_at == datetime(2026, 4, 3, 8, 0, tzinfo=UTC)  # 10:00 in Paris


def test_shifting_a_session_by_half_an_hour_through_the_form_moves_its_lines(app, login_as, world):
    with app.test_request_context():
        s2 = _with_programme(world)
        lines = [(i.starts_at, i.ends_at) for i in s2.items]
        event_id = s2.id
    client = login_as("coordinator")
    with freeze(BEFORE_THE_COHORT):
        data = _edit_form(client, event_id)
        data["start_time"] = "10:00"  # S2 starts at 09:30
        data["end_time"] = "17:30"
        response = client.post(f"/events/{event_id}/edit", data=data)
    assert response.status_code == 302, page_text(response)[:800]
    with app.app_context():
        items = db.session.get(Event, event_id).items
        assert [(i.starts_at, i.ends_at) for i in items] == [
            (start + timedelta(minutes=30), end + timedelta(minutes=30)) for start, end in lines
        ]


def test_add_a_line_without_javascript_keeps_what_was_typed_and_saves_nothing(
    app, login_as, world, outbox
):
    s2 = _event(app, world, "S2")
    client = login_as("coordinator")
    with freeze(BEFORE_THE_COHORT):
        data = _edit_form(client, s2.id)
        rows = len([key for key in data if key.endswith("-title") and key.startswith("items-")])
        for index in range(rows):
            data[f"items-{index}-start_time"] = f"{10 + index}:00"
            data[f"items-{index}-end_time"] = f"{10 + index}:30"
            data[f"items-{index}-title"] = f"Ligne {index + 1}"
        data["title"] = "Titre en cours de saisie"
        response = client.post(f"/events/{s2.id}/edit", data={**data, "add_item": "1"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'value="Titre en cours de saisie"' in html
    assert all(f'value="Ligne {index + 1}"' in html for index in range(rows))
    assert f'name="items-{rows}-title"' in html  # a blank line more
    assert "field-error" not in html and "contient des erreurs" not in html
    with app.app_context():
        assert db.session.get(Event, s2.id).title == s2.title
    assert outbox == []


@pytest.mark.parametrize("role", ROLES)
def test_adding_a_line_is_for_those_who_edit_the_event(app, login_as, world, role):
    s2 = _event(app, world, "S2")
    with freeze(BEFORE_THE_COHORT):
        status = login_as(role).post(f"/events/{s2.id}/edit", data={"add_item": "1"}).status_code
    assert status == (200 if role in {"admin", "coordinator"} else 403)


def test_the_event_form_loads_its_script_from_the_app_under_the_csp(app, login_as, world):
    s2 = _event(app, world, "S2")
    response = login_as("coordinator").get(f"/events/{s2.id}/edit")
    html = response.get_data(as_text=True)
    assert '<script src="/static/js/event-form.js" defer></script>' in html
    assert "<script>" not in html and " onclick=" not in html
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    script = login_as("coordinator").get("/static/js/event-form.js")
    assert script.status_code == 200 and b"data-add-row" in script.data
    script.close()
