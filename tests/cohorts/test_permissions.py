"""Every cohort page, every role: who gets in and who is refused."""

import pytest

from parcours.cohorts.models import Membership
from parcours.core.extensions import db
from tests.conftest import ROLES

# page -> roles that may open it; every other role gets 403, anonymous visitors go to login.
GET_PAGES = {
    "/cohorts/{cohort_a}": {"admin", "coordinator", "committee"},
    "/cohorts/{cohort_a}/edit": {"admin", "coordinator"},
    "/cohorts/{cohort_a}/members": {"admin", "coordinator"},
    "/cohorts/{cohort_a}/territories/new": {"admin", "coordinator"},
    "/cohorts/{cohort_a}/import": {"admin", "coordinator"},
    "/cohorts/{cohort_a}/import/modele.csv": {"admin", "coordinator"},
    "/territories/{territory_a1}": {"admin", "coordinator", "coach", "a1", "a1bis"},
    "/territories/{territory_a2}": {"admin", "coordinator", "a2"},
    "/territories/{territory_a1}/edit": {"admin", "coordinator"},
    "/cohorts/{cohort_a}/my-path": {"a1", "a1bis", "a2"},
    "/cohorts/{cohort_a}/my-territories": {"coach"},
    "/cohorts/new": {"admin", "coordinator"},  # an administrator allowed A's, not B's
    "/cohorts/{cohort_b}": {"admin", "coordinator_b"},
    "/territories/{territory_b1}": {"admin", "coordinator_b", "b1"},
}


@pytest.mark.parametrize("role", ROLES)
def test_get_pages_per_role(login_as, world, role):
    client = login_as(role)
    for page, allowed in GET_PAGES.items():
        url = page.format(**world)
        status = client.get(url).status_code
        expected = 200 if role in allowed else 403
        assert status == expected, f"{role} on {url}: {status}, expected {expected}"


def test_anonymous_visitors_are_sent_to_login(client, world):
    for page in GET_PAGES:
        response = client.get(page.format(**world))
        assert response.status_code == 302
        assert "/login" in response.headers["Location"]


def test_unknown_objects_answer_404(login_as, world):
    client = login_as("admin")
    for url in ("/cohorts/999999", "/territories/999999", "/cohorts/999999/my-path"):
        assert client.get(url).status_code == 404


MANAGERS = {"admin", "coordinator"}


def _posts(world, member_id):
    return [
        (
            f"/cohorts/{world['cohort_a']}/edit",
            {
                "name": "Piraté",
                "start_date": "2026-03-02",
                "timezone": "Europe/Paris",
                "target_territories": "12",
            },
        ),
        (
            f"/cohorts/{world['cohort_a']}/members",
            {"role": "coach", "full_name": "Intrus", "email": "intrus@example.org"},
        ),
        (
            f"/cohorts/{world['cohort_a']}/territories/new",
            {"name": "Intrus", "kind": "rural", "carrier_type": "public", "status": "accepted"},
        ),
        (
            f"/territories/{world['territory_a1']}/edit",
            {"name": "Piraté", "kind": "rural", "carrier_type": "public", "status": "accepted"},
        ),
        (
            f"/territories/{world['territory_a2']}/catalyseurs",
            {"full_name": "Intrus", "email": "intrus@example.org"},
        ),
        (f"/territories/{world['territory_a2']}/coach", {"coach": "0"}),
        (f"/cohorts/{world['cohort_a']}/members/{member_id}/remove", {}),
        (
            f"/cohorts/{world['cohort_a']}/import/confirm",
            {"content": "territoire;type;type_structure\nIntrus;rural;public\n"},
        ),
    ]


@pytest.mark.parametrize("role", sorted(set(ROLES) - MANAGERS))
def test_changes_are_refused_to_non_managers(app, login_as, world, role):
    with app.app_context():
        member_id = db.session.scalar(
            db.select(Membership.id).where(Membership.user_id == world["a2"])
        )
    client = login_as(role)
    for url, data in _posts(world, member_id):
        assert client.post(url, data=data).status_code == 403, f"{role} could POST {url}"
    with app.app_context():
        from parcours.cohorts.models import Cohort, Territory

        assert db.session.get(Cohort, world["cohort_a"]).name == "Cohorte A"
        assert db.session.get(Territory, world["territory_a1"]).name == "Territoire A1"
        assert db.session.get(Membership, member_id) is not None
        assert (
            db.session.scalar(
                db.select(db.func.count(Territory.id)).where(
                    Territory.cohort_id == world["cohort_a"]
                )
            )
            == 2
        )


def test_a_coordinator_cannot_remove_a_member_of_another_cohort(app, login_as, world):
    with app.app_context():
        member_b = db.session.scalar(
            db.select(Membership.id).where(Membership.user_id == world["b1"])
        )
    client = login_as("coordinator")
    response = client.post(f"/cohorts/{world['cohort_a']}/members/{member_b}/remove")
    assert response.status_code == 404
    with app.app_context():
        assert db.session.get(Membership, member_b) is not None


def test_one_request_asks_for_a_persons_memberships_once(app, world, query_counter):
    from parcours.accounts.models import User
    from parcours.cohorts import operations
    from parcours.cohorts import permissions as can
    from parcours.cohorts.models import Cohort, Role
    from parcours.outbox import mail

    with app.test_request_context():
        mail.suppress_until_commit()
        coordinator = db.session.get(User, world["coordinator"])
        cohort_a = db.session.get(Cohort, world["cohort_a"])
        cohort_b = db.session.get(Cohort, world["cohort_b"])
        with query_counter:
            answers = [
                can.can_create_cohort(coordinator),
                can.can_manage_cohort(coordinator, cohort_a),
                can.can_view_overview(coordinator, cohort_a),
                can.can_view_overview(coordinator, cohort_b),
                can.role_in(coordinator, cohort_b),
            ]
        assert answers == [True, True, True, False, None]
        assert query_counter.count == 1
        # A change of memberships during the request is seen by the questions that follow.
        operations.add_member(
            cohort_b,
            role=Role.COMMITTEE,
            email=coordinator.email,
            full_name=coordinator.full_name,
            organisation="",
            invited_by=coordinator,
        )
        assert can.can_view_overview(coordinator, cohort_b)
        db.session.rollback()
