"""Downloading a pack: who may, the bytes as stored, the log; « données du rapport » access."""

import hashlib
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from parcours.core.extensions import db
from parcours.core.time import freeze
from parcours.evaluation.models import CommitteePack, PackDownload
from tests.conftest import ROLES
from tests.evaluation.packs.helpers import stored_pack

READERS = {
    "cohort_a": {"admin", "coordinator", "committee"},
    "cohort_b": {"admin", "coordinator_b"},
}
MANAGERS = {"cohort_a": {"admin", "coordinator"}, "cohort_b": {"admin", "coordinator_b"}}
NOW = datetime(2026, 3, 10, 8, 0, tzinfo=UTC)


@pytest.fixture
def pack_ids(app, world):
    with app.test_request_context():
        ids = {
            cohort: stored_pack(world[cohort], "midway", 1, by_id=world["admin"]).id
            for cohort in ("cohort_a", "cohort_b")
        }
        db.session.commit()
        return ids


def _download(client, pack_id, variant="full"):
    return client.post(f"/comite/dossiers/{pack_id}/telecharger/{variant}")


@pytest.mark.parametrize("cohort", ["cohort_a", "cohort_b"])
@pytest.mark.parametrize("role", ROLES)
def test_coordinators_and_the_committee_of_the_cohort_download_its_packs(
    login_as, world, pack_ids, role, cohort, ctx
):
    response = _download(login_as(role), pack_ids[cohort], "pseudonymised")
    allowed = role in READERS[cohort]
    assert response.status_code == (200 if allowed else 403)
    logged = db.session.scalars(select(PackDownload)).all()
    assert len(logged) == (1 if allowed else 0)


@pytest.mark.parametrize("cohort", ["cohort_a", "cohort_b"])
@pytest.mark.parametrize("role", ROLES)
def test_only_those_who_run_the_cohort_download_the_report_data(
    login_as, world, pack_ids, role, cohort
):
    response = login_as(role).get(f"/comite/dossiers/{pack_ids[cohort]}/donnees.csv")
    assert response.status_code == (200 if role in MANAGERS[cohort] else 403)


def test_anonymous_visitors_are_sent_to_login(client, world, pack_ids):
    for response in (
        _download(client, pack_ids["cohort_a"]),
        client.get(f"/comite/dossiers/{pack_ids['cohort_a']}/donnees.xlsx"),
    ):
        assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_get_downloads_nothing_and_other_variants_are_not_found(login_as, world, pack_ids):
    committee = login_as("committee")
    assert (
        committee.get(f"/comite/dossiers/{pack_ids['cohort_a']}/telecharger/full").status_code
        == 405
    )
    assert _download(committee, pack_ids["cohort_a"], "draft").status_code == 404
    assert _download(committee, 999_999).status_code == 404
    assert committee.get(f"/comite/dossiers/{pack_ids['cohort_a']}/donnees.pdf").status_code == 404


@pytest.mark.parametrize("variant", ["full", "pseudonymised"])
def test_the_download_is_the_stored_file_and_is_logged(login_as, world, pack_ids, variant, ctx):
    with freeze(NOW):
        response = _download(login_as("committee"), pack_ids["cohort_a"], variant)
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.headers["Cache-Control"] == "private, no-store"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment")
    assert "Cohorte A" in disposition and "mi-parcours v1" in disposition
    assert ("pseudonymis" in disposition) == (variant == "pseudonymised")
    pack = db.session.get(CommitteePack, pack_ids["cohort_a"])
    stored = pack.sha256 if variant == "full" else pack.pseudonymised_sha256
    assert hashlib.sha256(response.data).hexdigest() == stored
    download = db.session.scalars(select(PackDownload)).one()
    assert (download.pack_id, download.user_id, download.variant) == (
        pack.id,
        world["committee"],
        variant,
    )
    assert download.downloaded_at.replace(tzinfo=UTC) == NOW


def test_a_download_without_its_form_token_is_refused_and_not_logged(app, world, pack_ids, ctx):
    from tests.conftest import login

    app.config["WTF_CSRF_ENABLED"] = True
    try:
        client = app.test_client()
        app.config["WTF_CSRF_ENABLED"] = False
        login(client, "comite@example.org")
        app.config["WTF_CSRF_ENABLED"] = True
        response = _download(client, pack_ids["cohort_a"])
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert response.status_code == 400
    assert "Le formulaire a expiré" in response.get_data(as_text=True)
    assert db.session.scalars(select(PackDownload)).all() == []
