"""Committee packs, their downloads and data, survey answers and final attestations."""

from datetime import datetime

import pytest
from sqlalchemy import select

from parcours.core.extensions import db
from parcours.core.time import freeze
from parcours.evaluation.models import CommitteePack
from tests.audit.conftest import CLIENT, fields
from tests.evaluation.attestations.test_views import _issue
from tests.evaluation.packs.helpers import stored_pack

#: Cohort A between its mid-way and its final committees.
MIDWAY_TIME = datetime.fromisoformat("2026-07-01T08:00:00+00:00")


@pytest.fixture
def pack_id(app, world) -> int:
    with app.test_request_context():
        pack = stored_pack(world["cohort_a"], "midway", 2, by_id=world["admin"])
        db.session.commit()
        return pack.id


def test_generating_a_pack_is_recorded_with_its_version(app, login_as, world, audit_log):
    client = login_as("coordinator")
    audit_log.mark()
    with freeze(MIDWAY_TIME):
        url = f"/cohorts/{world['cohort_a']}/comite/dossiers/midway/generer"
        assert client.post(url).status_code == 302
    with app.app_context():
        pack_id = db.session.scalar(select(CommitteePack.id))
    assert fields(audit_log.one("pack.generated")) == {
        "action": "pack.generated",
        "actor_id": world["coordinator"],
        "subject_id": None,
        "cohort_id": world["cohort_a"],
        "object_type": "committee_packs",
        "object_id": pack_id,
        "address": CLIENT,
        "details": {"kind": "midway", "version": 1, "variants": "full,pseudonymised"},
    }


@pytest.mark.parametrize("variant", ["full", "pseudonymised"])
def test_downloading_a_pack_is_recorded_beside_its_download_log(
    login_as, world, audit_log, pack_id, variant
):
    client = login_as("committee")
    audit_log.mark()
    assert client.post(f"/comite/dossiers/{pack_id}/telecharger/{variant}").status_code == 200
    assert fields(audit_log.one("report.downloaded")) == {
        "action": "report.downloaded",
        "actor_id": world["committee"],
        "subject_id": None,
        "cohort_id": world["cohort_a"],
        "object_type": "committee_packs",
        "object_id": pack_id,
        "address": CLIENT,
        "details": {
            "document": "committee_pack",
            "kind": "midway",
            "version": 2,
            "variant": variant,
        },
    }


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_report_data_download_is_an_export(login_as, world, audit_log, pack_id, fmt):
    client = login_as("coordinator")
    audit_log.mark()
    assert client.get(f"/comite/dossiers/{pack_id}/donnees.{fmt}").status_code == 200
    entry = audit_log.one("data.exported")
    assert (entry.actor_id, entry.cohort_id, entry.object_type, entry.object_id) == (
        world["coordinator"],
        world["cohort_a"],
        "committee_packs",
        pack_id,
    )
    assert entry.details == {"document": "pack_data", "format": fmt, "version": 2}


def test_a_refused_download_writes_nothing(login_as, world, audit_log, pack_id):
    client = login_as("coach")
    audit_log.mark()
    assert client.post(f"/comite/dossiers/{pack_id}/telecharger/full").status_code == 403
    assert client.get(f"/comite/dossiers/{pack_id}/donnees.csv").status_code == 403
    assert audit_log.new() == []


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_exporting_survey_answers_is_recorded(login_as, world, audit_log, answered_s1, fmt):
    client = login_as("coordinator")
    audit_log.mark()
    assert client.get(f"/questionnaires/{answered_s1}/reponses.{fmt}").status_code == 200
    assert fields(audit_log.one("data.exported")) == {
        "action": "data.exported",
        "actor_id": world["coordinator"],
        "subject_id": None,
        "cohort_id": world["cohort_a"],
        "object_type": "surveys",
        "object_id": answered_s1,
        "address": CLIENT,
        "details": {"document": "survey_answers", "format": fmt},
    }


def test_downloading_a_final_attestation_is_recorded(app, login_as, finished, audit_log):
    attestation = _issue(app, finished)
    client = login_as("a1")
    audit_log.mark()
    assert client.get(f"/final-attestations/{attestation.id}.pdf").status_code == 200
    assert fields(audit_log.one("report.downloaded")) == {
        "action": "report.downloaded",
        "actor_id": finished["a1"],
        "subject_id": finished["a1"],
        "cohort_id": finished["cohort_a"],
        "object_type": "final_attestations",
        "object_id": attestation.id,
        "address": CLIENT,
        "details": {"document": "final_attestation", "version": 1},
    }
