"""Editing a record: a save over a version it did not show is a 409 with both texts; deleting
is soft and logged, restoring is for coordinators."""

import logging

import pytest
from sqlalchemy import select

from parcours.core.extensions import db
from parcours.suivi.actions.operations import ActionRow
from parcours.suivi.models import ActionItem, FollowUpRecord
from tests.conftest import page_text
from tests.forms import form_values
from tests.suivi.factories import TEAM_SECRET, add_items, add_record


@pytest.fixture
def record_id(app, world, meetings):
    with app.app_context():
        record = add_record(world["territory_a1"], world["coach"], event_id=meetings["SUIVI1"])
        add_items(record, world["coach"], [ActionRow("Relancer la mairie", world["a1"])])
        db.session.commit()
        return record.id


def _record(app, record_id) -> FollowUpRecord:
    with app.app_context():
        record = db.session.get(FollowUpRecord, record_id)
        db.session.expunge(record)
        return record


def test_two_people_saving_the_same_record_lose_nothing(app, as_role, world, record_id):
    url = f"/suivi/records/{record_id}/edit"
    coach, coordinator = as_role("coach"), as_role("coordinator")
    coach_form = form_values(coach.get(url), url)
    coordinator_form = form_values(coordinator.get(url), url)
    coordinator_form["decisions"] = "Forum reporté à novembre."
    assert coordinator.post(url, data=coordinator_form).status_code == 302
    coach_form["notes"] = "Ce que le coach a tapé pendant ce temps."
    coach_form["actions-0-title"] = "Relancer la mairie et la CCI"
    response = coach.post(url, data=coach_form)
    assert response.status_code == 409
    text = page_text(response)
    assert "Quelqu'un d'autre a enregistré une modification entre-temps" in text
    assert "Décisions Décisions partagées : relancer la mairie Forum reporté à novembre." in text
    assert "Notes Ce que le coach a tapé pendant ce temps. Notes : " + TEAM_SECRET in text
    stored = _record(app, record_id)
    assert stored.decisions == "Forum reporté à novembre."
    assert stored.notes == "Notes : " + TEAM_SECRET, "nothing of the stale form was saved"
    with app.app_context():
        assert db.session.scalar(select(ActionItem.title)) == "Relancer la mairie"
    # The form kept what the coach typed; they take the other change in and save again.
    merged = form_values(response, url)
    assert merged["notes"].strip() == "Ce que le coach a tapé pendant ce temps."
    merged["decisions"] = "Forum reporté à novembre."
    assert coach.post(url, data=merged).status_code == 302
    stored = _record(app, record_id)
    assert (stored.notes, stored.decisions) == (
        "Ce que le coach a tapé pendant ce temps.",
        "Forum reporté à novembre.",
    )
    with app.app_context():
        assert db.session.scalar(select(ActionItem.title)) == "Relancer la mairie et la CCI"


def test_editing_items_from_the_record_form(app, as_role, world, record_id, outbox):
    url = f"/suivi/records/{record_id}/edit"
    client = as_role("coach")
    form = form_values(client.get(url), url)
    assert form["actions-0-title"] == "Relancer la mairie"
    form["actions-0-owner"] = str(world["a1bis"])  # handed over: a1bis is told
    form["actions-1-title"] = "Préparer le forum"
    form["actions-1-owner"] = str(world["coach"])
    outbox.clear()
    assert client.post(url, data=form).status_code == 302
    with app.app_context():
        items = db.session.scalars(select(ActionItem).order_by(ActionItem.id)).all()
        assert [(i.title, i.owner_id) for i in items] == [
            ("Relancer la mairie", world["a1bis"]),
            ("Préparer le forum", world["coach"]),
        ]
    assert [m.to for m in outbox] == ["a1bis@example.org"]
    form = form_values(client.get(url), url)
    form["actions-1-remove"] = "y"
    form["actions-0-done"] = "y"
    assert client.post(url, data=form).status_code == 302
    with app.app_context():
        (item,) = db.session.scalars(select(ActionItem)).all()
        assert item.is_done and item.done_by_id == world["coach"]


def test_deleting_is_asked_then_soft_and_logged(app, as_role, world, record_id, caplog):
    client = as_role("coach")
    url = f"/suivi/records/{record_id}/delete"
    page = page_text(client.get(url))
    assert "Supprimer le compte rendu du 8 avril 2026 ?" in page
    assert "Le compte rendu et son action disparaîtront" in page
    with caplog.at_level(logging.INFO, logger="parcours.suivi.records.operations"):
        response = client.post(url, data={})
    assert response.headers["Location"] == f"/territories/{world['territory_a1']}/suivi"
    assert f"Follow-up record {record_id} deleted by user {world['coach']}" in caplog.text
    stored = _record(app, record_id)
    assert stored.is_deleted and stored.deleted_by_id == world["coach"]
    assert stored.notes == "Notes : " + TEAM_SECRET, "kept as it was"
    # Gone for the binôme: the page, the list, its items.
    a1 = as_role("a1")
    assert a1.get(f"/suivi/records/{record_id}").status_code == 403
    assert "Compte rendu du 8 avril 2026" not in page_text(
        a1.get(f"/territories/{world['territory_a1']}/suivi")
    )
    assert "Relancer la mairie" not in page_text(a1.get(f"/cohorts/{world['cohort_a']}/my-path"))
    # The coach still sees it among the deleted ones, but cannot restore or edit it.
    listed = page_text(client.get(f"/territories/{world['territory_a1']}/suivi"))
    assert (
        "Comptes rendus supprimés" in listed and "supprimé le 1er juin 2026 par Coach A" in listed
    )
    assert "Restaurer" not in listed
    assert client.get(f"/suivi/records/{record_id}/edit").status_code == 403
    assert client.post(f"/suivi/records/{record_id}/restore").status_code == 403


def test_a_coordinator_restores_a_deleted_record(app, as_role, world, record_id, caplog):
    as_role("coach").post(f"/suivi/records/{record_id}/delete", data={})
    coordinator = as_role("coordinator")
    listed = page_text(coordinator.get(f"/territories/{world['territory_a1']}/suivi"))
    assert "Restaurer" in listed
    shown = page_text(coordinator.get(f"/suivi/records/{record_id}"))
    assert "Ce compte rendu est supprimé (le 1er juin 2026, par Coach A)" in shown
    with caplog.at_level(logging.INFO, logger="parcours.suivi.records.operations"):
        response = coordinator.post(f"/suivi/records/{record_id}/restore", data={})
    assert response.headers["Location"] == f"/suivi/records/{record_id}"
    assert f"Follow-up record {record_id} restored by user {world['coordinator']}" in caplog.text
    assert not _record(app, record_id).is_deleted
    assert as_role("a1").get(f"/suivi/records/{record_id}").status_code == 200
    # Restoring what is not deleted is refused.
    assert coordinator.post(f"/suivi/records/{record_id}/restore").status_code == 403


def test_two_records_of_one_meeting_the_second_keeps_its_text(app, as_role, world, meetings):
    url = f"/events/{meetings['SUIVI2']}/record"
    coach, coordinator = as_role("coach"), as_role("coordinator")
    coach_form = form_values(coach.get(url), url)
    coordinator_form = form_values(coordinator.get(url), url)
    coordinator_form["decisions"] = "Écrit par la coordination"
    assert coordinator.post(url, data=coordinator_form).status_code == 302
    coach_form["decisions"] = "Écrit par le coach"
    response = coach.post(url, data=coach_form)
    assert response.status_code == 409
    assert "Le compte rendu de ce rendez-vous a été écrit entre-temps" in page_text(response)
    assert form_values(response, url)["decisions"].strip() == "Écrit par le coach"
    with app.app_context():
        (record,) = db.session.scalars(select(FollowUpRecord)).all()
        assert record.decisions == "Écrit par la coordination"
    assert f"/suivi/records/{record.id}/edit" in response.get_data(as_text=True)
