"""« Retirer » a member: a confirmation saying what it does, notices, undo, the last coordinator."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from parcours.accounts.models import User
from parcours.agenda.models import Event
from parcours.attendance.models import Attendance
from parcours.cohorts import operations
from parcours.cohorts.models import Cohort, Membership, MembershipRemoval, Role, Territory
from parcours.core.extensions import db
from parcours.core.time import freeze
from tests.agenda.calendars import invitation, received
from tests.cohorts.removals import confirm_removal
from tests.conftest import ROLES, page_text
from tests.forms import form_values

#: While cohort A is being prepared: all its meetings are ahead.
BEFORE_THE_COHORT = datetime(2026, 2, 16, 9, 0, tzinfo=UTC)
MANAGERS = {"admin", "coordinator"}


@pytest.fixture(autouse=True)
def _before_the_cohort():
    with freeze(BEFORE_THE_COHORT):
        yield


def _membership(app, world, key: str) -> int:
    with app.app_context():
        return db.session.scalar(
            select(Membership.id).where(
                Membership.user_id == world[key], Membership.cohort_id == world["cohort_a"]
            )
        )


def _url(world, membership_id: int) -> str:
    return f"/cohorts/{world['cohort_a']}/members/{membership_id}/remove"


def _expected_events(app, world, key: str) -> dict[int, int]:
    """Return the sequence of each upcoming meeting of cohort A that expects ``key``."""
    from parcours.agenda.operations import upcoming_events_of

    with app.test_request_context():
        user = db.session.get(User, world[key])
        cohort = db.session.get(Cohort, world["cohort_a"])
        return {event.id: event.sequence for event in upcoming_events_of(user, cohort)}


def _methods(app, outbox) -> list[tuple[str, str, str]]:
    found = []
    for message in outbox:
        method, calendar = invitation(received(app, message))
        (vevent,) = [c for c in calendar.walk("VEVENT")]
        found.append((message.to, method, str(vevent["UID"])))
    return found


def test_the_confirmation_says_what_will_happen_and_changes_nothing(app, login_as, world):
    member_id = _membership(app, world, "a1")
    response = login_as("coordinator").get(_url(world, member_id))
    assert response.status_code == 200
    text = page_text(response)
    assert "Retirer Catalyseur A1 de la cohorte ?" in text
    assert "Territoire A1" in text
    events = _expected_events(app, world, "a1")
    assert f"Ses invitations aux {len(events)} rendez-vous à venir sont annulées" in text
    assert "Session 1" in text and "Bilatérale" in text
    assert (
        "Ses présences, les rendez-vous passés et les e-mails envoyés restent enregistrés" in text
    )
    assert "Vous vous retirez vous-même" not in text
    with app.app_context():
        assert db.session.get(Membership, member_id) is not None


def test_removal_cancels_their_invitations_for_them_only_and_undo_invites_again(
    app, login_as, world, outbox
):
    member_id = _membership(app, world, "a1")
    before = _expected_events(app, world, "a1")
    client = login_as("coordinator")
    response = confirm_removal(client, world["cohort_a"], member_id)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/territories/{world['territory_a1']}")
    page = client.get(response.headers["Location"])
    html = page.get_data(as_text=True)
    assert "Catalyseur A1 ne fait plus partie de la cohorte." in page_text(page)
    assert "Annuler ce retrait" in html  # in the message itself

    sent = _methods(app, outbox)
    assert {to for to, _method, _uid in sent} == {"a1@example.org"}
    assert {method for _to, method, _uid in sent} == {"CANCEL"}
    assert len(sent) == len(before)
    with app.app_context():
        assert db.session.get(Membership, member_id) is None
        removal = db.session.scalar(select(MembershipRemoval))
        assert (removal.user_id, removal.role, removal.territory_id) == (
            world["a1"],
            Role.CATALYSEUR,
            world["territory_a1"],
        )
        assert removal.removed_by_id == world["coordinator"]
        for event_id, sequence in before.items():  # the cancellation outranks the invitation
            assert db.session.get(Event, event_id).sequence == sequence + 1
        removal_id = removal.id

    outbox.clear()
    undo = form_values(page, f"/cohorts/{world['cohort_a']}/removals/{removal_id}/restore")
    response = client.post(f"/cohorts/{world['cohort_a']}/removals/{removal_id}/restore", data=undo)
    assert response.status_code == 302
    assert "Catalyseur A1 fait de nouveau partie de la cohorte" in page_text(
        client.get(response.headers["Location"])
    )
    sent = _methods(app, outbox)
    assert {(to, method) for to, method, _uid in sent} == {("a1@example.org", "REQUEST")}
    assert len(sent) == len(before)
    with app.app_context():
        member = db.session.scalar(select(Membership).where(Membership.user_id == world["a1"]))
        assert (member.role, member.territory_id, member.accepted) == (
            Role.CATALYSEUR,
            world["territory_a1"],
            False,
        )
        assert member.invited_name == "Catalyseur A1"
        assert db.session.get(MembershipRemoval, removal_id).restored_at == BEFORE_THE_COHORT
    assert _expected_events(app, world, "a1").keys() == before.keys()


def test_their_attendance_is_kept(app, login_as, world):
    from parcours.attendance.operations import record_attendance

    with app.test_request_context():
        s1 = db.session.scalar(
            select(Event).where(Event.cohort_id == world["cohort_a"], Event.code == "S1")
        )
        with freeze(s1.starts_at):
            record_attendance(
                s1,
                db.session.get(User, world["a1"]),
                s1.starts_at.date(),
                "am",
                "present",
                recorded_by=db.session.get(User, world["coordinator"]),
            )
        db.session.commit()
    confirm_removal(login_as("coordinator"), world["cohort_a"], _membership(app, world, "a1"))
    with app.app_context():
        kept = select(func.count(Attendance.id)).where(Attendance.user_id == world["a1"])
        assert db.session.scalar(kept) == 1


def test_the_last_coordinator_is_never_removed_not_even_by_themselves(app, login_as, world):
    member_id = _membership(app, world, "coordinator")
    client = login_as("coordinator")
    page = client.get(_url(world, member_id))
    text = page_text(page)
    assert "La cohorte doit garder au moins un·e coordinateur·rice." in text
    assert "Retirer Coordination A</button>" not in page.get_data(as_text=True)
    response = client.post(_url(world, member_id), data={"version": "1", "preview": "x"})
    assert response.status_code == 409
    with app.app_context():
        assert db.session.get(Membership, member_id) is not None


def _second_coordinator(app, world) -> None:
    with app.test_request_context():
        operations.add_member(
            db.session.get(Cohort, world["cohort_a"]),
            role=Role.COORDINATOR,
            email="coord2@example.org",
            full_name="Coordination bis",
            organisation="",
            invited_by=db.session.get(User, world["coordinator"]),
        )
        db.session.commit()


def test_a_coordinator_removing_themselves_is_warned_and_can_undo(app, login_as, world, outbox):
    _second_coordinator(app, world)
    member_id = _membership(app, world, "coordinator")
    client = login_as("coordinator")
    assert "Vous vous retirez vous-même." in page_text(client.get(_url(world, member_id)))
    outbox.clear()
    response = confirm_removal(client, world["cohort_a"], member_id)
    assert response.status_code == 302 and response.headers["Location"] == "/"
    page = client.get("/")
    assert "Coordination A ne fait plus partie de la cohorte." in page_text(page)
    assert client.get(f"/cohorts/{world['cohort_a']}/members").status_code == 403
    assert {message.to for message in outbox} == {"coord@example.org"}
    with app.app_context():
        removal_id = db.session.scalar(select(MembershipRemoval.id))
    restore = f"/cohorts/{world['cohort_a']}/removals/{removal_id}/restore"
    response = client.post(restore, data=form_values(page, restore))
    assert response.status_code == 302
    assert client.get(f"/cohorts/{world['cohort_a']}/members").status_code == 200


def test_a_stale_confirmation_removes_nothing_and_shows_what_changed(app, login_as, world, outbox):
    member_id = _membership(app, world, "coach")
    client = login_as("coordinator")
    stale = form_values(client.get(_url(world, member_id)), _url(world, member_id))
    with app.test_request_context():  # meanwhile the coach takes on territory A2
        territory = db.session.get(Territory, world["territory_a2"])
        operations.assign_coach(territory, db.session.get(User, world["coach"]))
        db.session.commit()
    outbox.clear()
    response = client.post(_url(world, member_id), data=stale)
    assert response.status_code == 409
    text = page_text(response)
    assert "a changé depuis l'ouverture de la page : rien n'a été fait" in text
    assert "Territoire A1, Territoire A2" in text
    assert outbox == []
    with app.app_context():
        assert db.session.get(Membership, member_id) is not None
    response = client.post(
        _url(world, member_id), data=form_values(response, _url(world, member_id))
    )
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(Membership, member_id) is None


def test_a_role_changed_meanwhile_is_a_conflict(app, login_as, world):
    member_id = _membership(app, world, "committee")
    client = login_as("coordinator")
    stale = form_values(client.get(_url(world, member_id)), _url(world, member_id))
    with app.test_request_context():
        operations.change_role(db.session.get(Membership, member_id), Role.COACH)
        db.session.commit()
    assert client.post(_url(world, member_id), data=stale).status_code == 409
    with app.app_context():
        assert db.session.get(Membership, member_id).role == Role.COACH


def test_undo_gives_a_coach_back_the_territories_still_unfollowed(app, login_as, world):
    client = login_as("coordinator")
    confirm_removal(client, world["cohort_a"], _membership(app, world, "coach"))
    with app.app_context():
        assert db.session.get(Territory, world["territory_a1"]).coach_id is None
        removal_id = db.session.scalar(select(MembershipRemoval.id))
    members = client.get(f"/cohorts/{world['cohort_a']}/members")
    assert "Retraits récents" in page_text(members)
    restore = f"/cohorts/{world['cohort_a']}/removals/{removal_id}/restore"
    assert client.post(restore, data=form_values(members, restore)).status_code == 302
    with app.app_context():
        assert db.session.get(Territory, world["territory_a1"]).coach_id == world["coach"]
    assert "Retraits récents" not in page_text(client.get(f"/cohorts/{world['cohort_a']}/members"))


def test_undo_is_refused_once_they_are_back_or_their_territory_is_full(app, login_as, world):
    client = login_as("coordinator")
    confirm_removal(client, world["cohort_a"], _membership(app, world, "a1"))
    with app.test_request_context():
        removal = db.session.scalar(select(MembershipRemoval))
        operations.add_catalyseur(
            db.session.get(Territory, world["territory_a1"]),
            email="nouvelle@example.org",
            full_name="Nouvelle",
            organisation="",
            invited_by=db.session.get(User, world["coordinator"]),
        )
        db.session.commit()
        removal_id = removal.id
    restore = f"/cohorts/{world['cohort_a']}/removals/{removal_id}/restore"
    response = client.post(restore, follow_redirects=True)
    assert "a déjà deux catalyseurs" in page_text(response)
    with app.test_request_context():
        removal = db.session.get(MembershipRemoval, removal_id)
        assert removal.restored_at is None
        with pytest.raises(operations.CohortError):
            operations.restore_member(removal, db.session.get(User, world["admin"]))
    # Back another way: nothing to restore.
    confirm_removal(client, world["cohort_a"], _membership(app, world, "committee"))
    with app.test_request_context():
        removal = db.session.scalar(
            select(MembershipRemoval).where(MembershipRemoval.user_id == world["committee"])
        )
        operations.add_member(
            db.session.get(Cohort, world["cohort_a"]),
            role=Role.COMMITTEE,
            email="comite@example.org",
            full_name="Comité A",
            organisation="",
            invited_by=db.session.get(User, world["coordinator"]),
        )
        db.session.commit()
        removal_id = removal.id
    response = client.post(
        f"/cohorts/{world['cohort_a']}/removals/{removal_id}/restore", follow_redirects=True
    )
    assert "fait de nouveau partie de la cohorte (Membre du Comité d'orientation)" in page_text(
        response
    )
    with app.app_context():
        count = select(func.count(Membership.id)).where(Membership.user_id == world["committee"])
        assert db.session.scalar(count) == 1


@pytest.mark.parametrize("role", ROLES)
def test_removal_and_undo_are_for_those_who_run_the_cohort(app, login_as, world, role):
    member_id = _membership(app, world, "a2")
    with app.test_request_context():
        removal = operations.remove_member(
            db.session.get(Membership, _membership(app, world, "committee")),
            db.session.get(User, world["coordinator"]),
        )
        db.session.commit()
        removal_id = removal.id
    client = login_as(role)
    allowed = role in MANAGERS
    assert client.get(_url(world, member_id)).status_code == (200 if allowed else 403)
    response = client.post(_url(world, member_id), data={"version": "1", "preview": ""})
    assert response.status_code == (409 if allowed else 403)  # a made-up page: nothing done
    restore = client.post(f"/cohorts/{world['cohort_a']}/removals/{removal_id}/restore")
    assert restore.status_code == (302 if allowed else 403)
    with app.app_context():
        assert db.session.get(Membership, member_id) is not None
        restored = db.session.get(MembershipRemoval, removal_id).restored_at is not None
        assert restored is allowed


def test_a_removal_of_another_cohort_is_not_found(app, login_as, world):
    with app.test_request_context():
        member = db.session.scalar(select(Membership).where(Membership.user_id == world["b1"]))
        removal = operations.remove_member(member, db.session.get(User, world["coordinator_b"]))
        db.session.commit()
        removal_id = removal.id
    client = login_as("coordinator")
    assert (
        client.post(f"/cohorts/{world['cohort_a']}/removals/{removal_id}/restore").status_code
        == 404
    )
