"""Deleting and restoring follow-up records, journal entries, visit reports and attachments."""

import pytest

from parcours.core.extensions import db
from tests.audit.conftest import CLIENT, fields
from tests.storage import samples
from tests.suivi.factories import add_record
from tests.suivi.test_attachments import _attach
from tests.suivi.visits.conftest import *  # noqa: F403  (the visit reports' fixtures)


def _entry(action, world, actor, object_type, object_id, details=None) -> dict:
    return {
        "action": action,
        "actor_id": world[actor],
        "subject_id": None,
        "cohort_id": world["cohort_a"],
        "object_type": object_type,
        "object_id": object_id,
        "address": CLIENT,
        "details": details or {},
    }


@pytest.fixture
def record_id(app, world) -> int:
    with app.app_context():
        record = add_record(world["territory_a1"], world["coach"])
        db.session.commit()
        return record.id


def test_deleting_and_restoring_a_follow_up_record(login_as, world, audit_log, record_id):
    client = login_as("coach")
    audit_log.mark()
    assert client.post(f"/suivi/records/{record_id}/delete").status_code == 302
    assert fields(audit_log.one("record.deleted")) == _entry(
        "record.deleted", world, "coach", "follow_up_records", record_id
    )
    client = login_as("coordinator")
    audit_log.mark()
    assert client.post(f"/suivi/records/{record_id}/restore").status_code == 302
    assert fields(audit_log.one("record.restored")) == _entry(
        "record.restored", world, "coordinator", "follow_up_records", record_id
    )


def test_deleting_and_restoring_a_journal_entry(login_as, world, audit_log, write_entry):
    entry_id = write_entry(visibility="coach", title="Erreur de saisie")
    client = login_as("a1")
    audit_log.mark()
    response = client.post(f"/suivi/journal/{entry_id}/delete", data={"version": "1"})
    assert response.status_code == 302
    assert fields(audit_log.one("record.deleted")) == _entry(
        "record.deleted", world, "a1", "journal_entries", entry_id
    )
    client = login_as("a1bis")
    audit_log.mark()
    assert client.post(f"/suivi/journal/{entry_id}/restore").status_code == 302
    assert fields(audit_log.one("record.restored")) == _entry(
        "record.restored", world, "a1bis", "journal_entries", entry_id
    )


def test_deleting_and_restoring_a_visit_report(client_as, world, audit_log, make_report):
    report_id = make_report()
    client = client_as("coach")
    audit_log.mark()
    assert client.post(f"/suivi/visits/{report_id}/delete").status_code == 302
    assert fields(audit_log.one("record.deleted")) == _entry(
        "record.deleted", world, "coach", "field_visit_reports", report_id
    )
    client = client_as("coordinator")
    audit_log.mark()
    assert client.post(f"/suivi/visits/{report_id}/restore").status_code == 302
    assert fields(audit_log.one("record.restored")) == _entry(
        "record.restored", world, "coordinator", "field_visit_reports", report_id
    )


def test_removing_an_attachment_names_what_it_was_attached_to(
    app, client_as, world, audit_log, make_report
):
    report_id = make_report()
    attachment_id = _attach(app, world, report_id, samples.png(40, 30), "grange.png")
    client = client_as("coach")
    audit_log.mark()
    assert client.post(f"/suivi/attachments/{attachment_id}/remove").status_code == 302
    assert fields(audit_log.one("record.deleted")) == _entry(
        "record.deleted",
        world,
        "coach",
        "suivi_attachments",
        attachment_id,
        {"owner_type": "field_visit_reports", "owner_id": report_id},
    )


def test_a_refused_deletion_writes_nothing(client_as, audit_log, make_report):
    report_id = make_report()
    client = client_as("a1")
    audit_log.mark()
    assert client.post(f"/suivi/visits/{report_id}/delete").status_code == 403
    assert audit_log.new() == []
