"""One rule per question: who reads and writes a territory's suivi, for every role.

The SQL conditions the lists use say exactly what the per-object functions say.
"""

from datetime import date

import pytest
from sqlalchemy import select

from parcours.accounts.models import User
from parcours.cohorts import operations as cohort_ops
from parcours.cohorts.models import Cohort, Role, Territory
from parcours.cohorts.permissions import forget_memberships
from parcours.core.extensions import db
from parcours.core.time import now_utc
from parcours.outbox import mail
from parcours.suivi import permissions
from parcours.suivi.models import (
    ActionItem,
    FollowUpRecord,
    JournalEntry,
    JournalVisibility,
    Visibility,
)

#: Everyone the world knows, plus a coach who follows territory A2 only.
PEOPLE = (
    "admin",
    "coordinator",
    "coach",
    "coach_a2",
    "committee",
    "a1",
    "a1bis",
    "a2",
    "coordinator_b",
    "b1",
    "outsider",
)


@pytest.fixture
def suivi(app, world):
    with app.test_request_context():
        mail.suppress_until_commit()
        coordinator = db.session.get(User, world["coordinator"])
        cohort = db.session.get(Cohort, world["cohort_a"])
        member = cohort_ops.add_member(
            cohort,
            role=Role.COACH,
            email="coach-a2@example.org",
            full_name="Coach A2",
            organisation="",
            invited_by=coordinator,
        )
        cohort_ops.assign_coach(db.session.get(Territory, world["territory_a2"]), member.user)
        db.session.commit()
        return {**world, "coach_a2": member.user_id}


def _ask(app, people: dict, who: str, question):
    with app.test_request_context():
        forget_memberships()
        user = db.session.get(User, people[who])
        return question(user)


def _territory(key):
    def load(people):
        return db.session.get(Territory, people[key])

    return load


READS_A1_SUIVI = {"admin", "coordinator", "coach", "a1", "a1bis"}
TEAM_OF_A1 = {"admin", "coordinator", "coach"}


@pytest.mark.parametrize("who", PEOPLE)
def test_the_suivi_of_a_territory_is_read_by_its_team_and_its_binome_only(app, suivi, who):
    def question(user):
        territory = db.session.get(Territory, suivi["territory_a1"])
        return (
            permissions.can_read_suivi(user, territory),
            permissions.sees_team_blocks(user, territory),
            permissions.can_write_suivi(user, territory),
        )

    reads, team, writes = _ask(app, suivi, who, question)
    assert reads is (who in READS_A1_SUIVI)
    assert team is (who in TEAM_OF_A1)
    assert writes is (who in TEAM_OF_A1)


def test_a_binome_never_gets_team_blocks_from_a_record():
    record = FollowUpRecord(
        agenda="ordre du jour",
        agenda_visibility=Visibility.SHARED,
        notes="notes privées",
        notes_visibility=Visibility.TEAM,
        decisions="décisions",
        decisions_visibility=Visibility.SHARED,
        team_notes="lecture de l'accompagnatrice",
    )
    shared = record.blocks(team=False)
    assert [name for name, _text, _v in shared] == ["agenda", "decisions"]
    assert all(visibility is Visibility.SHARED for _n, _t, visibility in shared)
    assert [name for name, *_ in record.blocks(team=True)] == [
        "agenda",
        "notes",
        "decisions",
        "team_notes",
    ]


def _entries(app, world) -> dict[JournalVisibility, int]:
    with app.test_request_context():
        ids = {}
        for visibility in JournalVisibility:
            entry = JournalEntry(
                territory_id=world["territory_a1"],
                author_id=world["a1"],
                written_on=date(2026, 4, 1),
                what_we_did=f"entrée {visibility}",
                visibility=visibility,
            )
            db.session.add(entry)
            db.session.flush()
            ids[visibility] = entry.id
        deleted = JournalEntry(
            territory_id=world["territory_a1"],
            author_id=world["a1"],
            written_on=date(2026, 4, 2),
            what_we_did="supprimée",
            visibility=JournalVisibility.COHORT,
            deleted_at=now_utc(),
        )
        db.session.add(deleted)
        db.session.commit()
        return ids


JOURNAL_READERS = {
    JournalVisibility.BINOME: {"a1", "a1bis"},
    JournalVisibility.COACH: {"a1", "a1bis", "coach"},
    JournalVisibility.COHORT: {"a1", "a1bis", "coach", "coach_a2", "a2", "admin", "coordinator"},
}


@pytest.mark.parametrize("who", PEOPLE)
def test_journal_entries_are_read_as_their_visibility_says_in_pages_and_in_lists(app, suivi, who):
    ids = _entries(app, suivi)

    def question(user):
        territory = db.session.get(Territory, suivi["territory_a1"])
        one_by_one = {
            visibility
            for visibility, entry_id in ids.items()
            if permissions.can_read_journal_entry(user, db.session.get(JournalEntry, entry_id))
        }
        listed = set(
            db.session.scalars(
                select(JournalEntry.visibility).where(
                    JournalEntry.territory_id == territory.id,
                    permissions.readable_journal_clause(user, territory),
                )
            )
        )
        shared = set(
            db.session.scalars(
                select(JournalEntry.visibility).where(
                    permissions.belles_histoires_clause(user, territory.cohort)
                )
            )
        )
        return one_by_one, {JournalVisibility(v) for v in listed}, shared

    one_by_one, listed, shared = _ask(app, suivi, who, question)
    expected = {v for v, readers in JOURNAL_READERS.items() if who in readers}
    assert one_by_one == expected
    assert listed == expected, "the list query says what the page says"
    assert shared == ({"cohort"} if who in JOURNAL_READERS[JournalVisibility.COHORT] else set())


@pytest.mark.parametrize("who", PEOPLE)
def test_an_action_item_is_ticked_by_its_owner_or_the_team(app, suivi, who):
    with app.test_request_context():
        item = ActionItem(
            territory_id=suivi["territory_a1"], title="Relancer", owner_id=suivi["a1"]
        )
        db.session.add(item)
        db.session.commit()
        item_id = item.id

    ticks = _ask(
        app,
        suivi,
        who,
        lambda user: permissions.can_tick_action_item(user, db.session.get(ActionItem, item_id)),
    )
    assert ticks is (who in {"a1", *TEAM_OF_A1})


@pytest.mark.parametrize("who", PEOPLE)
def test_the_cohort_suivi_is_for_those_who_run_it_and_dashboards_for_coaches(app, suivi, who):
    def question(user):
        cohort = db.session.get(Cohort, suivi["cohort_a"])
        visible = set(
            db.session.scalars(
                select(Territory.name).where(permissions.coached_territories_clause(user, cohort))
            )
        )
        return (
            permissions.can_view_cohort_suivi(user, cohort),
            permissions.can_view_coach_dashboard(user, cohort),
            visible,
        )

    runs, coaches, visible = _ask(app, suivi, who, question)
    assert runs is (who in {"admin", "coordinator"})
    assert coaches is (who in {"coach", "coach_a2"})
    expected = {
        "admin": {"Territoire A1", "Territoire A2"},
        "coordinator": {"Territoire A1", "Territoire A2"},
        "coach": {"Territoire A1"},
        "coach_a2": {"Territoire A2"},
        "a1": {"Territoire A1"},
        "a1bis": {"Territoire A1"},
        "a2": {"Territoire A2"},
    }.get(who, set())
    assert visible == expected
