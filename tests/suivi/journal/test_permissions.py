"""Who reads, writes, deletes and restores the carnet de bord: one rule, in Python and in SQL."""

import pytest
from sqlalchemy import select

from parcours.accounts.models import User
from parcours.cohorts.models import Cohort, Territory
from parcours.core.extensions import db
from parcours.suivi import permissions as can
from parcours.suivi.models import JournalEntry
from tests.suivi.journal.conftest import ALL_ROLES

BINOME = {"a1", "a1bis"}
#: Who reads a living entry of territory A1, by visibility.
READERS = {
    "binome": BINOME,
    "coach": BINOME | {"coach"},
    # The coordination reads only what is shared with the cohort; so do the cohort's peers.
    "cohort": BINOME | {"coach", "coach2", "a2", "coordinator", "admin"},
}
#: Who reads and restores a deleted entry of territory A1: the binôme, and those who run the
#: cohort for an entry they read before (shared with the cohort).
RESTORERS = {"binome": BINOME, "coach": BINOME, "cohort": BINOME | {"coordinator", "admin"}}


@pytest.fixture
def users(app, world, coach2):
    ids = {role: world[role] for role in ALL_ROLES if role != "coach2"}
    ids["coach2"] = coach2
    return ids


def _user(users, role) -> User:
    return db.session.get(User, users[role])


@pytest.mark.parametrize("visibility", READERS)
def test_a_living_entry_is_read_as_its_visibility_says_in_python_and_in_sql(
    app, world, users, write_entry, visibility
):
    entry_id = write_entry(visibility=visibility)
    with app.test_request_context():
        entry = db.session.get(JournalEntry, entry_id)
        territory = entry.territory
        for role in ALL_ROLES:
            user = _user(users, role)
            expected = role in READERS[visibility]
            assert can.can_read_journal_entry(user, entry) is expected, role
            listed = db.session.scalars(
                select(JournalEntry.id).where(can.readable_journal_clause(user, territory))
            ).all()
            assert (entry_id in listed) is expected, role
            assert can.can_restore_journal_entry(user, entry) is False, role


@pytest.mark.parametrize("visibility", RESTORERS)
def test_a_deleted_entry_is_read_and_restored_by_its_binome_or_the_coordination_if_shared(
    app, world, users, write_entry, delete_entry, visibility
):
    entry_id = write_entry(visibility=visibility)
    delete_entry(entry_id)
    with app.test_request_context():
        entry = db.session.get(JournalEntry, entry_id)
        territory = entry.territory
        for role in ALL_ROLES:
            user = _user(users, role)
            expected = role in RESTORERS[visibility]
            assert can.can_read_journal_entry(user, entry) is expected, role
            assert can.can_restore_journal_entry(user, entry) is expected, role
            assert can.can_edit_journal_entry(user, entry) is False, role
            assert can.can_delete_journal_entry(user, entry) is False, role
            restorable = db.session.scalars(
                select(JournalEntry.id).where(can.restorable_journal_clause(user, territory))
            ).all()
            assert (entry_id in restorable) is expected, role
            readable = db.session.scalars(
                select(JournalEntry.id).where(can.readable_journal_clause(user, territory))
            ).all()
            assert entry_id not in readable, role  # gone from every list


def test_only_the_binome_writes_changes_and_deletes(app, world, users, write_entry):
    entry_id = write_entry()
    with app.test_request_context():
        entry = db.session.get(JournalEntry, entry_id)
        a1 = db.session.get(Territory, world["territory_a1"])
        for role in ALL_ROLES:
            user = _user(users, role)
            assert can.can_write_journal(user, a1) is (role in BINOME), role
            assert can.can_edit_journal_entry(user, entry) is (role in BINOME), role
            assert can.can_delete_journal_entry(user, entry) is (role in BINOME), role


def test_the_carnet_page_is_for_the_binome_its_coach_and_the_coordination(app, world, users):
    opens = BINOME | {"coach", "coordinator", "admin"}
    with app.test_request_context():
        a1 = db.session.get(Territory, world["territory_a1"])
        for role in ALL_ROLES:
            assert can.can_open_journal(_user(users, role), a1) is (role in opens), role


def test_belles_histoires_are_for_the_cohort_circle_not_the_committee(app, world, users):
    circle = BINOME | {"coach", "coach2", "a2", "coordinator", "admin"}
    with app.test_request_context():
        cohort_a = db.session.get(Cohort, world["cohort_a"])
        cohort_b = db.session.get(Cohort, world["cohort_b"])
        for role in ALL_ROLES:
            user = _user(users, role)
            assert can.can_read_belles_histoires(user, cohort_a) is (role in circle), role
            in_b = role in {"admin", "coordinator_b", "b1"}
            assert can.can_read_belles_histoires(user, cohort_b) is in_b, role


def test_belles_histoires_hold_only_the_cohorts_own_shared_entries(app, world, users, write_entry):
    shared_a = write_entry(visibility="cohort")
    write_entry(visibility="coach")
    shared_b = write_entry(territory="territory_b1", author="b1", visibility="cohort")
    with app.test_request_context():
        admin = _user(users, "admin")
        for cohort_key, expected in (("cohort_a", [shared_a]), ("cohort_b", [shared_b])):
            cohort = db.session.get(Cohort, world[cohort_key])
            found = db.session.scalars(
                select(JournalEntry.id).where(can.belles_histoires_clause(admin, cohort))
            ).all()
            assert found == expected, cohort_key
