"""The Comité d'orientation's space: who opens it, what it shows, and where members start."""

from datetime import UTC, datetime

import pytest

from parcours.accounts.models import User
from parcours.cohorts import operations as cohort_ops
from parcours.cohorts.models import Cohort, Role
from parcours.core.extensions import db
from parcours.core.time import freeze, now_utc
from parcours.evaluation.models import CommitteePack
from parcours.outbox import mail
from tests.conftest import ROLES, page_text
from tests.evaluation.packs.helpers import stored_pack

READERS = {
    "cohort_a": {"admin", "coordinator", "committee"},
    "cohort_b": {"admin", "coordinator_b"},
}
#: Cohort A starts on 2 March 2026; its launch committee meets a week later.
BEFORE_LAUNCH = datetime(2026, 3, 3, 9, 0, tzinfo=UTC)


def _url(world, cohort="cohort_a"):
    return f"/cohorts/{world[cohort]}/comite"


@pytest.fixture
def packs(app, world):
    with app.test_request_context():
        ids = [
            stored_pack(world["cohort_a"], "launch", 1).id,
            stored_pack(world["cohort_a"], "midway", 1).id,
            stored_pack(world["cohort_a"], "midway", 2).id,
        ]
        db.session.commit()
        return ids


@pytest.mark.parametrize("cohort", ["cohort_a", "cohort_b"])
@pytest.mark.parametrize("role", ROLES)
def test_the_cohorts_committee_and_coordinators_open_the_space(login_as, world, role, cohort):
    response = login_as(role).get(_url(world, cohort))
    assert response.status_code == (200 if role in READERS[cohort] else 403)


def test_anonymous_visitors_are_sent_to_login(client, world):
    response = client.get(_url(world))
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_the_space_lists_every_version_with_its_sha256_and_both_downloads(
    login_as, world, packs, ctx
):
    response = login_as("committee").get(_url(world))
    text, html = page_text(response), response.get_data(as_text=True)
    assert "Espace du comité d'orientation" in text
    assert "Dossier de lancement" in text and "Dossier de mi-parcours" in text
    assert "Dossier de bilan" not in text  # nothing generated for it yet
    for pack_id in packs:
        pack = db.session.get(CommitteePack, pack_id)
        assert pack.sha256 in text and pack.pseudonymised_sha256 in text
        for variant in ("full", "pseudonymised"):
            assert f"/comite/dossiers/{pack_id}/telecharger/{variant}" in html
    assert html.count('method="post"') >= 2 * len(packs)
    # Read-only: no editorial, no generation, no data export, no download log.
    assert "Générer" not in text and "Enregistrer l'éditorial" not in text
    assert "Téléchargements" not in text
    assert "donnees." not in html and "/generer" not in html and "/editorial" not in html
    assert f'href="/cohorts/{world["cohort_a"]}"' in html  # the cohort overview


def test_the_survey_syntheses_are_linked_once_their_page_exists(app, login_as, world):
    html = login_as("committee").get(_url(world)).get_data(as_text=True)
    surveys_registered = "evaluation.surveys" in app.view_functions
    assert ("Synthèses des questionnaires" in html) == surveys_registered


def test_the_empty_space_names_the_next_meeting(login_as, world):
    with freeze(BEFORE_LAUNCH):
        text = page_text(login_as("committee").get(_url(world)))
    assert "Aucun dossier n'a encore été généré." in text
    assert "Prochaine réunion du comité d'orientation" in text and "mars 2026" in text


def test_a_committee_member_starts_from_the_space(login_as, world):
    html = login_as("committee").get("/").get_data(as_text=True)
    assert f'href="/cohorts/{world["cohort_a"]}/comite"' in html
    assert "Espace du comité d'orientation" in html


def test_a_member_of_two_committees_finds_both_spaces_in_the_list(app, login_as, world):
    with app.test_request_context():
        mail.suppress_until_commit()
        cohort_b = db.session.get(Cohort, world["cohort_b"])
        member = cohort_ops.add_member(
            cohort_b,
            role=Role.COMMITTEE,
            email="comite@example.org",
            full_name="Comité A",
            organisation="",
            invited_by=db.session.get(User, world["coordinator_b"]),
        )
        member.accepted_at = now_utc()
        db.session.commit()
    committee = login_as("committee")
    html = committee.get("/").get_data(as_text=True)
    for cohort in ("cohort_a", "cohort_b"):
        assert f'href="/cohorts/{world[cohort]}/comite"' in html
    assert committee.get(_url(world, "cohort_b")).status_code == 200


def test_the_space_reads_the_database_in_a_fixed_number_of_queries(
    app, login_as, world, packs, query_counter
):
    committee = login_as("committee")
    with query_counter:
        committee.get(_url(world))
    few = query_counter.count
    with app.test_request_context():
        for number in range(3, 9):
            stored_pack(world["cohort_a"], "midway", number)
        stored_pack(world["cohort_a"], "final", 1)
        db.session.commit()
    with query_counter:
        response = committee.get(_url(world))
    assert response.status_code == 200
    assert query_counter.count == few
