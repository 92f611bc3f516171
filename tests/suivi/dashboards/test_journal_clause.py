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


@pytest.mark.parametrize("role", [*ROLES, "coach2"])
def test_the_followed_territories_are_those_of_the_per_person_rule(app, world, role):
    if role == "coach2":
        world = {**world, "coach2": helpers.second_coach(app, world)}
    with app.test_request_context():
        user = db.session.get(User, world[role])
        for cohort_key in ("cohort_a", "cohort_b"):
            cohort = db.session.get(Cohort, world[cohort_key])
            reading = can.cohort_reading(user, cohort)
            followed = set()
            if reading is not None:
                followed = set(
                    db.session.scalars(
                        select(Territory.id).where(
                            Territory.cohort_id == cohort.id,
                            can.followed_territories_clause(
                                reading,
                                user_id=reading.user_id,
                                own_territory_id=reading.own_territory_id,
                            ),
                        )
                    )
                )
            expected = set(
                db.session.scalars(
                    select(Territory.id).where(can.coached_territories_clause(user, cohort))
                )
            )
            assert followed == expected, (role, cohort_key)
            readable = {t.id for t in cohort.territories if can.can_read_suivi(user, t)}
            assert followed == readable, (role, cohort_key)


def test_the_committee_and_strangers_read_nothing_of_a_cohort(app, world):
    with app.test_request_context():
        cohort = db.session.get(Cohort, world["cohort_a"])
        for role in ("committee", "coordinator_b", "b1", "outsider"):
            assert can.cohort_reading(db.session.get(User, world[role]), cohort) is None
        assert can.cohort_reading(db.session.get(User, world["a2"]), cohort) == can.CohortReading(
            user_id=world["a2"],
            scope=can.Scope.OWN,
            own_territory_id=world["territory_a2"],
            cohort_entries=True,
        )
