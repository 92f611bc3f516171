"""Two coordinators edit the same event: the older form gets a conflict, not an overwrite."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import select, text

from parcours.agenda.models import Event
from parcours.core.extensions import db
from parcours.core.time import freeze
from parcours.outbox import mail
from tests.conftest import page_text
from tests.forms import form_values


@pytest.fixture(autouse=True)
def _before_the_cohort():
    """Run while cohort A is being prepared: its events are ahead, so edits notify people."""
    with freeze(datetime(2026, 2, 16, 9, 0, tzinfo=UTC)):
        yield


def _s2(app, world) -> int:
    with app.app_context():
        return db.session.scalar(
            select(Event.id).where(Event.cohort_id == world["cohort_a"], Event.code == "S2")
        )


def _sent(app) -> int:
    with app.app_context():
        return len(mail.sent_messages())


def _open_twice(login_as, url):
    first, second = login_as("coordinator"), login_as("admin")
    forms = []
    for client in (first, second):
        page = client.get(url)
        assert page.status_code == 200
        forms.append(form_values(page))
    return (first, forms[0]), (second, forms[1])


def test_an_edit_from_an_older_form_is_a_conflict_and_keeps_the_other_change(app, login_as, world):
    event_id = _s2(app, world)
    url = f"/events/{event_id}/edit"
    (first, first_form), (second, second_form) = _open_twice(login_as, url)
    first_form["venue_name"] = "Halle aux grains"
    assert first.post(url, data=first_form).status_code == 302
    sent = _sent(app)
    assert sent > 0  # the venue change was announced
    second_form["title"] = "S2 — Tiers-lieux et modèles"
    response = second.post(url, data=second_form)
    assert response.status_code == 409
    text = page_text(response)
    assert "Quelqu'un d'autre a enregistré une modification entre-temps" in text
    assert "Nom du lieu (vide) Halle aux grains" in text
    assert "Titre S2 — Tiers-lieux et modèles Session 2" in text
    with app.app_context():
        event = db.session.get(Event, event_id)
        assert event.venue_name == "Halle aux grains"
        assert event.title.startswith("Session 2")
        assert event.sequence == 1
        stored_version = event.version
    assert _sent(app) == sent  # no second change notice
    # The page keeps what was typed, and carries the version now stored.
    again = form_values(response)
    assert again["title"] == "S2 — Tiers-lieux et modèles"
    assert again["version"] == str(stored_version)


def test_saving_the_conflict_page_merges_on_purpose(app, login_as, world):
    event_id = _s2(app, world)
    url = f"/events/{event_id}/edit"
    (first, first_form), (second, second_form) = _open_twice(login_as, url)
    first_form["venue_name"] = "Halle aux grains"
    assert first.post(url, data=first_form).status_code == 302
    second_form["title"] = "S2 — Tiers-lieux et modèles"
    conflict = second.post(url, data=second_form)
    assert conflict.status_code == 409
    merged = form_values(conflict)
    merged["venue_name"] = "Halle aux grains"  # taken from « version enregistrée »
    assert second.post(url, data=merged).status_code == 302
    with app.app_context():
        event = db.session.get(Event, event_id)
        assert (event.title, event.venue_name) == (
            "S2 — Tiers-lieux et modèles",
            "Halle aux grains",
        )
        assert event.sequence == 2


def test_an_edit_without_its_version_is_a_conflict(app, login_as, world):
    event_id = _s2(app, world)
    url = f"/events/{event_id}/edit"
    client = login_as("coordinator")
    data = form_values(client.get(url))
    del data["version"]
    data["title"] = "Titre sans version"
    assert client.post(url, data=data).status_code == 409
    with app.app_context():
        assert db.session.get(Event, event_id).title.startswith("Session 2")


def test_a_save_that_loses_the_race_at_flush_is_a_conflict(app, login_as, world, monkeypatch):
    """Between the version check and the UPDATE, another save commits: the UPDATE finds no row
    of the version read, and the user gets the conflict page, not a 500."""
    from parcours.agenda import operations

    event_id = _s2(app, world)
    url = f"/events/{event_id}/edit"
    client = login_as("coordinator")
    data = form_values(client.get(url))
    data["title"] = "Perdu dans la course"
    update = operations.update_event

    def racing(event, draft, changed_by):
        # Another request's commit, as this transaction would see it at its UPDATE.
        db.session.execute(
            text("UPDATE events SET version = version + 1, venue_name = 'Ailleurs' WHERE id = :id"),
            {"id": event_id},
        )
        return update(event, draft, changed_by)

    monkeypatch.setattr(operations, "update_event", racing)
    response = client.post(url, data=data)
    assert response.status_code == 409
    # (The simulated commit shares the test's rolled-back transaction, so it is undone too.)
    assert "Titre Perdu dans la course Session 2" in page_text(response)


def test_the_conflict_lists_programme_lines_not_the_blank_rows_of_the_form(app, login_as, world):
    event_id = _s2(app, world)
    url = f"/events/{event_id}/edit"
    (first, first_form), (second, second_form) = _open_twice(login_as, url)
    first_form["items-0-title"] = "Ouverture"
    first_form["items-0-start_time"], first_form["items-0-end_time"] = "09:30", "10:00"
    assert first.post(url, data=first_form).status_code == 302
    second_form["title"] = "S2 — autre titre"
    response = second.post(url, data=second_form)
    assert response.status_code == 409
    text = page_text(response)
    row = text[text.index("Déroulé (vide)") : text.index("Type d'événement")]
    assert row.endswith("· 09:30 · 10:00 · Plénière · Ouverture ")
    assert "Plénière Plénière" not in text
