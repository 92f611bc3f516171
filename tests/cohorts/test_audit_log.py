"""A cohort's « Journal des actions »: its coordinators read its entries, nobody else."""

import csv
import io

import pytest
from sqlalchemy import select

from parcours.audit.models import AuditEntry
from parcours.core.extensions import db
from tests.audit.helpers import DAYS, add_entries, add_many
from tests.conftest import page_text

REFUSED = ["coordinator_b", "coach", "committee", "a1", "a2", "b1", "outsider"]


def _urls(world):
    base = f"/cohorts/{world['cohort_a']}/journal"
    return base, f"{base}/export.csv"


@pytest.mark.parametrize("role", REFUSED)
def test_other_roles_and_other_cohorts_coordinators_are_refused(app, login_as, world, role):
    page, export = _urls(world)
    client = login_as(role)
    assert client.get(page).status_code == 403
    assert client.post(export).status_code == 403
    with app.app_context():
        exports = select(AuditEntry).where(AuditEntry.object_type == "audit_entries")
        assert db.session.scalars(exports).all() == []


def test_anonymous_visitors_are_sent_to_login(client, world):
    page, export = _urls(world)
    for response in (client.get(page), client.post(export)):
        assert response.status_code == 302 and "/login" in response.headers["Location"]


@pytest.mark.parametrize("role", ["coordinator", "admin"])
def test_the_cohorts_coordinator_sees_only_its_entries(app, login_as, world, role):
    add_entries(app, world)
    page, _export = _urls(world)
    text = page_text(login_as(role).get(page, query_string={**DAYS, "cohort": world["cohort_b"]}))
    assert "1 entrée." in text
    assert (
        "10/06/2025 14:00 Rôle modifié Coordination A Catalyseur A2 membre de la cohorte n° 5"
        in text
    )
    assert "Import de données Coordination B" not in text  # cohort B's, and the filter is ignored
    assert "Connexion réussie Catalyseur A1" not in text  # no cohort


def test_the_coordinator_finds_the_journal_on_the_cohort_page(login_as, world):
    html = login_as("coordinator").get(f"/cohorts/{world['cohort_a']}").get_data(as_text=True)
    assert f'href="/cohorts/{world["cohort_a"]}/journal"' in html
    committee = login_as("committee").get(f"/cohorts/{world['cohort_a']}").get_data(as_text=True)
    assert "/journal" not in committee


def test_the_filters_work_on_the_cohort_page(app, login_as, world):
    add_entries(app, world)
    page, _export = _urls(world)
    client = login_as("coordinator")
    person = page_text(client.get(page, query_string={**DAYS, "person": world["a2"]}))
    assert "1 entrée." in person
    none = page_text(client.get(page, query_string={**DAYS, "action": "login.failed"}))
    assert "Aucune entrée ne correspond à ces filtres." in none
    bad = client.get(page, query_string={"to": "demain"})
    assert bad.status_code == 400
    assert "« Au » doit être une date au format AAAA-MM-JJ." in page_text(bad)


def test_the_cohort_page_keeps_its_queries_constant(app, login_as, world, query_counter):
    page, _export = _urls(world)
    client = login_as("coordinator")
    add_many(app, world, 3)
    with query_counter:
        assert client.get(page).status_code == 200
    few = query_counter.count
    add_many(app, world, 120)
    with query_counter:
        assert client.get(page).status_code == 200
    assert query_counter.count == few


def test_the_cohort_export_holds_its_entries_and_is_recorded_in_the_cohort(app, login_as, world):
    add_entries(app, world)
    _page, export = _urls(world)
    response = login_as("coordinator").post(export, query_string=DAYS)
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "journal-des-actions-cohorte-a-" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig")), delimiter=";"))
    assert [row[1:] for row in rows[1:]] == [
        [
            "10/06/2025 14:00",
            "Rôle modifié",
            "Coordination A",
            "Catalyseur A2",
            "Cohorte A",
            "memberships",
            "5",
            "203.0.113.9",
            "avant : Catalyseur·rice · après : =coach",
        ]
    ]
    with app.app_context():
        entry = db.session.scalar(
            select(AuditEntry).where(AuditEntry.object_type == "audit_entries")
        )
        assert (entry.actor_id, entry.cohort_id, entry.details) == (
            world["coordinator"],
            world["cohort_a"],
            {"rows": 1},
        )
    # The export now shows in the cohort's log.
    text = page_text(login_as("coordinator").get(_page, query_string={"action": "data.exported"}))
    assert "Export de données Coordination A" in text
    assert "journal des actions 127.0.0.1 lignes : 1" in text
