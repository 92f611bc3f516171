"""The dashboards' journal condition states, for a whole cohort, the rule of each entry."""

from datetime import date

import pytest
from sqlalchemy import select

from parcours.accounts.models import User
from parcours.cohorts.models import Cohort, Territory
from parcours.core.extensions import db
from parcours.suivi import permissions as can
from parcours.suivi.models import JournalEntry, JournalVisibility
from tests.conftest import ROLES
from tests.suivi.dashboards import helpers


@pytest.mark.parametrize("role", [*ROLES, "coach2"])
def test_the_cohort_clause_selects_exactly_the_entries_each_person_may_read(app, world, role):
    if role == "coach2":
        world = {**world, "coach2": helpers.second_coach(app, world)}
    with app.test_request_context():
        entries = []
        for key in ("territory_a1", "territory_a2", "territory_b1"):
            for visibility in JournalVisibility:
                entries.append(helpers.entry(world[key], date(2026, 5, 4), visibility))
                entries.append(
                    helpers.entry(world[key], date(2026, 5, 5), visibility, deleted=True)
                )
        user = db.session.get(User, world[role])
        for cohort_key in ("cohort_a", "cohort_b"):
            cohort = db.session.get(Cohort, world[cohort_key])
            selected = set(
                db.session.scalars(
                    select(JournalEntry.id)
                    .join(Territory, Territory.id == JournalEntry.territory_id)
                    .where(can.readable_journal_in_cohort_clause(user, cohort))
                )
            )
            expected = {
                e.id
                for e in entries
                if e.territory.cohort_id == cohort.id
                and not e.is_deleted
                and can.can_read_journal_entry(user, e)
            }
            assert selected == expected, (role, cohort_key)


def test_the_coach_reads_the_entries_shared_with_them_the_coordinator_does_not(app, world):
    with app.test_request_context():
        shared_with_coach = helpers.entry(world["territory_a1"], date(2026, 5, 4), "coach")
        cohort = db.session.get(Cohort, world["cohort_a"])

        def reads(role):
            user = db.session.get(User, world[role])
            return shared_with_coach.id in db.session.scalars(
                select(JournalEntry.id)
                .join(Territory, Territory.id == JournalEntry.territory_id)
                .where(can.readable_journal_in_cohort_clause(user, cohort))
            )

        assert reads("coach") and reads("a1")
        assert not reads("coordinator") and not reads("committee") and not reads("a2")
