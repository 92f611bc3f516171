"""Signature sheets and attestations downloaded, signed sheets removed, events cancelled."""

import pytest

from parcours.core.time import freeze
from tests.attendance.test_signed_sheets import AFTER_S1
from tests.attendance.test_signed_sheets import _attach as attach_sheet
from tests.audit.conftest import CLIENT, fields
from tests.storage import samples


@pytest.mark.parametrize(("prefill", "variant"), [("", "blank"), ("1", "prefilled")])
def test_a_signature_sheet_download_is_recorded(
    login_as,
    world,
    audit_log,
    events,
    prefill,
    variant,
):
    client = login_as("coordinator")
    audit_log.mark()
    url = f"/events/{events['S1']}/signature-sheet.pdf?prefill={prefill}"
    assert client.get(url).status_code == 200
    assert fields(audit_log.one("report.downloaded")) == {
        "action": "report.downloaded",
        "actor_id": world["coordinator"],
        "subject_id": None,
        "cohort_id": world["cohort_a"],
        "object_type": "events",
        "object_id": events["S1"],
        "address": CLIENT,
        "details": {"document": "signature_sheet", "variant": variant},
    }


def test_an_attendance_attestation_download_names_whom_it_is_for(login_as, world, audit_log):
    client = login_as("a1")
    audit_log.mark()
    assert (
        client.get(f"/cohorts/{world['cohort_a']}/attestations/{world['a1']}.pdf").status_code
        == 200
    )
    entry = audit_log.one("report.downloaded")
    assert (entry.actor_id, entry.subject_id, entry.cohort_id, entry.object_type) == (
        world["a1"],
        world["a1"],
        world["cohort_a"],
        "memberships",
    )
    assert entry.details == {"document": "attendance_attestation"}


def test_a_refused_download_writes_nothing(login_as, world, audit_log, events):
    client = login_as("a2")
    audit_log.mark()
    assert (
        client.get(f"/cohorts/{world['cohort_a']}/attestations/{world['a1']}.pdf").status_code
        == 403
    )
    assert client.get(f"/events/{events['S1']}/signature-sheet.pdf").status_code == 403
    assert audit_log.new() == []


def test_removing_a_signed_sheet_is_recorded(app, login_as, world, audit_log, events):
    with freeze(AFTER_S1):
        sheet_id = attach_sheet(app, world, events["S1"], samples.pdf(), "S1.pdf")
        client = login_as("coordinator")
        audit_log.mark()
        url = f"/events/{events['S1']}/attendance/signed-sheets/{sheet_id}/remove"
        assert client.post(url).status_code == 302
    assert fields(audit_log.one("record.deleted")) == {
        "action": "record.deleted",
        "actor_id": world["coordinator"],
        "subject_id": None,
        "cohort_id": world["cohort_a"],
        "object_type": "signed_sheets",
        "object_id": sheet_id,
        "address": CLIENT,
        "details": {"event_id": events["S1"]},
    }


def test_cancelling_an_event_is_recorded(login_as, world, audit_log, events):
    client = login_as("coordinator")
    audit_log.mark()
    assert client.post(f"/events/{events['S1']}/cancel").status_code == 302
    assert fields(audit_log.one("record.deleted")) == {
        "action": "record.deleted",
        "actor_id": world["coordinator"],
        "subject_id": None,
        "cohort_id": world["cohort_a"],
        "object_type": "events",
        "object_id": events["S1"],
        "address": CLIENT,
        "details": {"cancelled": True},
    }
