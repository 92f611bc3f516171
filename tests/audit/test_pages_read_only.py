"""The audit log's pages only read: no route changes or deletes an entry, a GET never writes."""

import pytest
from sqlalchemy import func, select

from parcours.audit.models import AuditEntry
from parcours.core.extensions import db
from tests.audit.helpers import add_entries

#: The audit log's pages, and the one POST they answer: the export, which only adds its entry.
READ_ENDPOINTS = {"admin.audit_log", "cohorts.cohort_audit_log", "accounts.my_logins"}
EXPORTS = {"admin.audit_export", "cohorts.cohort_audit_export"}


def _audit_rules(app):
    return [
        rule
        for rule in app.url_map.iter_rules()
        if rule.endpoint in READ_ENDPOINTS | EXPORTS
        or rule.rule.startswith(
            ("/admin/journal", "/cohorts/<int:cohort_id>/journal", "/account/co")
        )
    ]


def test_no_route_edits_or_deletes_an_entry(app):
    rules = _audit_rules(app)
    assert {rule.endpoint for rule in rules} == READ_ENDPOINTS | EXPORTS
    for rule in rules:
        methods = rule.methods - {"HEAD", "OPTIONS"}
        assert methods == ({"POST"} if rule.endpoint in EXPORTS else {"GET"}), rule
        assert not {"PUT", "PATCH", "DELETE"} & rule.methods


def _snapshot(app):
    with app.app_context():
        return db.session.execute(
            select(
                AuditEntry.id, AuditEntry.action, AuditEntry.actor_id, AuditEntry.details
            ).order_by(AuditEntry.id)
        ).all()


@pytest.mark.parametrize("method", ["DELETE", "PUT", "PATCH"])
def test_other_methods_are_refused_and_change_nothing(app, login_as, world, method):
    add_entries(app, world)
    client = login_as("admin")
    before = _snapshot(app)
    for url in ["/admin/journal", f"/cohorts/{world['cohort_a']}/journal", "/account/connexions"]:
        assert client.open(url, method=method).status_code == 405
        assert client.post(url).status_code == 405
    assert _snapshot(app) == before


def test_reading_the_pages_writes_nothing_and_the_export_only_adds_its_entry(app, login_as, world):
    add_entries(app, world)
    client = login_as("admin")
    before = _snapshot(app)
    for url in [
        "/admin/journal",
        "/admin/journal?action=login.failed",
        f"/cohorts/{world['cohort_a']}/journal",
        "/account/connexions",
    ]:
        assert client.get(url).status_code == 200
    assert _snapshot(app) == before
    assert client.post("/admin/journal/export.csv").status_code == 200
    after = _snapshot(app)
    assert after[: len(before)] == before and len(after) == len(before) + 1
    assert after[-1].action == "data.exported"
    with app.app_context():
        assert db.session.scalar(select(func.count(AuditEntry.id))) == len(after)
