"""Who sees which event: the Python rule and the SQL filter agree, role by role."""

import pytest
from sqlalchemy import select

from parcours.accounts.models import User
from parcours.agenda.models import Event
from parcours.agenda.permissions import (
    can_edit_event,
    can_take_attendance,
    can_view_event,
    visible_events_clause,
)
from parcours.core.extensions import db
from tests.conftest import ROLES


def _event(world, cohort, code, territory=None):
    query = select(Event).where(Event.cohort_id == world[cohort], Event.code == code)
    if territory:
        query = query.where(Event.territory_id == world[territory])
    return db.session.scalar(query)


# (cohort, code, territory) -> roles that see it
EXPECTED = {
    ("cohort_a", "S1", None): {"admin", "coordinator", "coach", "committee", "a1", "a1bis", "a2"},
    ("cohort_a", "COMITE1", None): {"admin", "coordinator", "committee"},
    ("cohort_a", "T0", None): {"admin", "coordinator", "coach", "a1", "a1bis", "a2"},
    ("cohort_a", "SUIVI1", "territory_a1"): {"admin", "coordinator", "coach", "a1", "a1bis"},
    ("cohort_a", "SUIVI1", "territory_a2"): {"admin", "coordinator", "a2"},
    ("cohort_b", "S1", None): {"admin", "coordinator_b", "b1"},
    ("cohort_b", "BILAT", "territory_b1"): {"admin", "coordinator_b", "b1"},
}


@pytest.mark.parametrize("role", ROLES)
def test_who_sees_which_event(ctx, world, role):
    user = db.session.get(User, world[role])
    for (cohort, code, territory), allowed in EXPECTED.items():
        event = _event(world, cohort, code, territory)
        assert can_view_event(user, event) == (role in allowed), (role, cohort, code, territory)


@pytest.mark.parametrize("role", ROLES)
def test_sql_filter_matches_the_python_rule(ctx, world, role):
    user = db.session.get(User, world[role])
    every = db.session.scalars(select(Event)).all()
    allowed = {e.id for e in every if can_view_event(user, e)}
    selected = set(db.session.scalars(select(Event.id).where(visible_events_clause(user))))
    assert selected == allowed
    assert bool(selected) == (role != "outsider")


def test_the_outsider_sees_nothing(ctx, world):
    user = db.session.get(User, world["outsider"])
    assert db.session.scalars(select(Event.id).where(visible_events_clause(user))).all() == []


def test_admin_personal_calendar_holds_only_their_cohorts(ctx, world):
    admin = db.session.get(User, world["admin"])
    assert (
        db.session.scalars(
            select(Event.id).where(visible_events_clause(admin, as_participant=True))
        ).all()
        == []
    )


def test_editing_and_attendance_rights(ctx, world):
    users = {role: db.session.get(User, world[role]) for role in ROLES}
    s1 = _event(world, "cohort_a", "S1")
    followup_a1 = _event(world, "cohort_a", "SUIVI1", "territory_a1")
    followup_a2 = _event(world, "cohort_a", "SUIVI1", "territory_a2")
    t0 = _event(world, "cohort_a", "T0")
    editors = {r for r in ROLES if can_edit_event(users[r], s1)}
    assert editors == {"admin", "coordinator"}
    assert {r for r in ROLES if can_edit_event(users[r], followup_a1)} == {
        "admin",
        "coordinator",
        "coach",
    }
    assert {r for r in ROLES if can_edit_event(users[r], followup_a2)} == {"admin", "coordinator"}
    assert {r for r in ROLES if can_take_attendance(users[r], s1)} == {"admin", "coordinator"}
    assert {r for r in ROLES if can_take_attendance(users[r], followup_a1)} == {
        "admin",
        "coordinator",
        "coach",
    }
    assert not any(can_take_attendance(users[r], t0) for r in ROLES)
