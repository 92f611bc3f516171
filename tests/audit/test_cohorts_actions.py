"""Memberships, roles, territory statuses and the territories import leave audit entries."""

import io
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from parcours.cohorts.models import Cohort, Membership, MembershipRemoval, Territory
from parcours.core.extensions import db
from tests.audit.conftest import CLIENT, fields
from tests.cohorts.removals import confirm_removal
from tests.cohorts.test_csv_import import GOOD_ROWS, _csv
from tests.forms import form_values


def _membership(app, cohort_id: int, user_id: int) -> Membership:
    with app.app_context():
        member = db.session.scalar(
            select(Membership).where(
                Membership.cohort_id == cohort_id, Membership.user_id == user_id
            )
        )
        db.session.expunge_all()
        return member


@pytest.mark.parametrize("role", ["coordinator", "coach", "committee"])
def test_inviting_a_member_is_recorded_with_their_role(app, login_as, world, audit_log, role):
    client = login_as("coordinator")
    audit_log.mark()
    response = client.post(
        f"/cohorts/{world['cohort_a']}/members",
        data={"role": role, "full_name": "Nouvelle Personne", "email": "nouvelle@example.org"},
    )
    assert response.status_code == 302
    entry = audit_log.one("membership.added")
    member = _membership(app, world["cohort_a"], entry.subject_id)
    assert fields(entry) == {
        "action": "membership.added",
        "actor_id": world["coordinator"],
        "subject_id": member.user_id,
        "cohort_id": world["cohort_a"],
        "object_type": "memberships",
        "object_id": member.id,
        "address": CLIENT,
        "details": {"role": role, "via": "invitation"},
    }


def test_inviting_a_catalyseur_is_recorded(app, login_as, world, audit_log):
    client = login_as("coordinator")
    audit_log.mark()
    response = client.post(
        f"/territories/{world['territory_a2']}/catalyseurs",
        data={"full_name": "Jeanne Nouvelle", "email": "jeanne@example.org"},
    )
    assert response.status_code == 302
    entry = audit_log.one("membership.added")
    member = _membership(app, world["cohort_a"], entry.subject_id)
    assert (entry.actor_id, entry.cohort_id, entry.object_id, entry.details) == (
        world["coordinator"],
        world["cohort_a"],
        member.id,
        {"role": "catalyseur", "via": "invitation"},
    )


def test_a_coach_invited_from_a_territory_page_is_recorded(login_as, world, audit_log):
    client = login_as("coordinator")
    audit_log.mark()
    data = {"coach_invite-email": "guide@example.org", "coach_invite-full_name": "Guide"}
    response = client.post(f"/territories/{world['territory_a2']}/coach/email", data=data)
    assert response.status_code == 302
    entry = audit_log.one("membership.added")
    assert (entry.actor_id, entry.details) == (
        world["coordinator"],
        {"role": "coach", "via": "invitation"},
    )


def test_a_refused_invitation_writes_nothing(login_as, world, audit_log):
    client = login_as("coordinator")
    audit_log.mark()
    response = client.post(
        f"/territories/{world['territory_a2']}/catalyseurs",
        data={"full_name": "Déjà là", "email": "a1@example.org"},
    )
    assert response.status_code == 400
    assert audit_log.new() == []


def test_the_creator_of_a_cohort_joins_it_on_the_record(app, login_as, world, audit_log):
    client = login_as("coordinator")
    with app.app_context():
        version_id = db.session.get(Cohort, world["cohort_a"]).curriculum_version_id
    audit_log.mark()
    response = client.post(
        "/cohorts/new",
        data={
            "curriculum": version_id,
            "name": "Promotion 2027",
            "start_date": "2027-01-11",
            "timezone": "Europe/Paris",
            "target_territories": "12",
        },
    )
    assert response.status_code == 302
    entry = audit_log.one("membership.added")
    with app.app_context():
        cohort_id = db.session.scalar(select(Cohort.id).where(Cohort.name == "Promotion 2027"))
    assert (entry.actor_id, entry.subject_id, entry.cohort_id, entry.details) == (
        world["coordinator"],
        world["coordinator"],
        cohort_id,
        {"role": "coordinator", "via": "creation"},
    )


def test_removing_then_restoring_a_member_is_recorded(app, login_as, world, audit_log):
    member = _membership(app, world["cohort_a"], world["a1"])
    client = login_as("coordinator")
    audit_log.mark()
    assert confirm_removal(client, world["cohort_a"], member.id).status_code == 302
    with app.app_context():
        removal_id = db.session.scalar(select(MembershipRemoval.id))
    assert fields(audit_log.one("membership.removed")) == {
        "action": "membership.removed",
        "actor_id": world["coordinator"],
        "subject_id": world["a1"],
        "cohort_id": world["cohort_a"],
        "object_type": "membership_removals",
        "object_id": removal_id,
        "address": CLIENT,
        "details": {"role": "catalyseur"},
    }
    audit_log.mark()
    restore = f"/cohorts/{world['cohort_a']}/removals/{removal_id}/restore"
    assert client.post(restore).status_code == 302
    entry = audit_log.one("membership.added")
    back = _membership(app, world["cohort_a"], world["a1"])
    assert (entry.actor_id, entry.subject_id, entry.object_id, entry.details) == (
        world["coordinator"],
        world["a1"],
        back.id,
        {"role": "catalyseur", "via": "restoration", "removal": removal_id},
    )


def test_a_role_change_says_from_and_to(app, login_as, world, audit_log):
    member = _membership(app, world["cohort_a"], world["coach"])
    client = login_as("coordinator")
    url = f"/cohorts/{world['cohort_a']}/members/{member.id}/edit"
    form = form_values(client.get(url))
    form["role"] = "committee"
    audit_log.mark()
    assert client.post(url, data=form).status_code == 302
    assert fields(audit_log.one("role.changed")) == {
        "action": "role.changed",
        "actor_id": world["coordinator"],
        "subject_id": world["coach"],
        "cohort_id": world["cohort_a"],
        "object_type": "memberships",
        "object_id": member.id,
        "address": CLIENT,
        "details": {"from": "coach", "to": "committee"},
    }


def test_a_territory_status_change_says_from_and_to(login_as, world, audit_log):
    client = login_as("coordinator")
    url = f"/territories/{world['territory_a2']}/edit"
    form = form_values(client.get(url))
    form["carrier_structure"] = "Maison de l'emploi"
    audit_log.mark()
    assert client.post(url, data=form).status_code == 302
    assert audit_log.new() == []  # another field: no status change
    form = form_values(client.get(url))
    form["status"], form["status_reason"] = "withdrawn", "Changement d'équipe municipale"
    assert client.post(url, data=form).status_code == 302
    assert fields(audit_log.one("territory.status_changed")) == {
        "action": "territory.status_changed",
        "actor_id": world["coordinator"],
        "subject_id": None,
        "cohort_id": world["cohort_a"],
        "object_type": "territories",
        "object_id": world["territory_a2"],
        "address": CLIENT,
        "details": {"from": "accepted", "to": "withdrawn"},
    }


def _preview_content(client, cohort_id: int, rows) -> str:
    import html

    preview = client.post(
        f"/cohorts/{cohort_id}/import",
        data={"file": (io.BytesIO(_csv(rows)), "territoires.csv")},
        content_type="multipart/form-data",
    )
    content = preview.get_data(as_text=True).split('name="content" type="hidden" value="')[1]
    return html.unescape(content.split('"')[0])


def test_a_territories_import_is_recorded_with_its_counts(app, login_as, world, audit_log):
    client = login_as("coordinator")
    content = _preview_content(client, world["cohort_a"], GOOD_ROWS)
    audit_log.mark()
    response = client.post(
        f"/cohorts/{world['cohort_a']}/import/confirm", data={"content": content}
    )
    assert response.status_code == 302
    entries = audit_log.new()
    assert [entry.action for entry in entries] == ["membership.added"] * 3 + ["data.imported"]
    assert {entry.details["via"] for entry in entries[:3]} == {"import"}
    assert fields(entries[-1]) == {
        "action": "data.imported",
        "actor_id": world["coordinator"],
        "subject_id": None,
        "cohort_id": world["cohort_a"],
        "object_type": "territories",
        "object_id": None,
        "address": CLIENT,
        "details": {"format": "csv", "rows": 3, "catalyseurs": 3},
    }
    with app.app_context():
        assert db.session.scalar(select(Territory.id).where(Territory.name == "Cergy"))


def test_a_refused_import_writes_nothing(login_as, world, audit_log):
    client = login_as("coordinator")
    audit_log.mark()
    content = _csv([GOOD_ROWS[1], "Territoire A2;;;rural;;public;;;;;;;;"]).decode("utf-8-sig")
    response = client.post(
        f"/cohorts/{world['cohort_a']}/import/confirm", data={"content": content}
    )
    assert response.status_code == 400
    assert audit_log.new() == []


def test_changing_a_cohorts_settings_names_the_fields_changed(login_as, world, audit_log):
    client = login_as("coordinator")
    url = f"/cohorts/{world['cohort_a']}/edit"
    form = form_values(client.get(url))
    form["target_territories"] = "15"
    audit_log.mark()
    assert client.post(url, data=form).status_code == 302
    assert fields(audit_log.one("configuration.changed")) == {
        "action": "configuration.changed",
        "actor_id": world["coordinator"],
        "subject_id": None,
        "cohort_id": world["cohort_a"],
        "object_type": "cohorts",
        "object_id": world["cohort_a"],
        "address": CLIENT,
        "details": {"fields": "target_territories"},
    }


def test_moving_a_cohorts_start_says_from_and_to(app, world, audit_log):
    from parcours.cohorts import operations
    from parcours.core.time import freeze

    with app.test_request_context(), freeze(datetime(2026, 2, 10, 9, 0, tzinfo=UTC)):
        cohort = db.session.get(Cohort, world["cohort_b"])
        operations.update_cohort(
            cohort,
            name="Cohorte B",
            start_date=date(2026, 9, 8),
            timezone=cohort.timezone,
            target_territories=cohort.target_territories,
        )
        db.session.commit()
    entry = audit_log.one("configuration.changed")
    assert (entry.actor_id, entry.cohort_id) == (None, world["cohort_b"])
    assert entry.details == {
        "fields": "start_date",
        "start_from": "2026-09-01",
        "start_to": "2026-09-08",
    }
