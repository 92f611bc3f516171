"""Helpers for the carnet de bord's tests: a second coach, entries, a frozen day."""

from datetime import UTC, date, datetime

import pytest

from parcours.accounts.models import User
from parcours.cohorts import operations as cohort_ops
from parcours.cohorts.models import Cohort, Role, Territory
from parcours.core.extensions import db
from parcours.core.time import freeze
from parcours.outbox import mail
from parcours.suivi.journal import operations
from parcours.suivi.journal.operations import EntryDraft
from parcours.suivi.models import JournalVisibility
from tests.conftest import PASSWORD, login

#: A Monday of cohort A (2 March – 2 December 2026), 10:00 in Paris.
TODAY = date(2026, 5, 4)
NOW = datetime(2026, 5, 4, 8, 0, tzinfo=UTC)
COACH2_EMAIL = "coach2@example.org"


@pytest.fixture(autouse=True)
def frozen():
    """Every test of the carnet runs on TODAY."""
    with freeze(NOW):
        yield


@pytest.fixture
def coach2(app, world, create_user):
    """A second coach of cohort A, who follows territory A2 (not A1)."""
    user_id = create_user(COACH2_EMAIL, "Coach A2")
    with app.test_request_context():
        mail.suppress_until_commit()
        cohort = db.session.get(Cohort, world["cohort_a"])
        coordinator = db.session.get(User, world["coordinator"])
        cohort_ops.add_member(
            cohort,
            role=Role.COACH,
            email=COACH2_EMAIL,
            full_name="Coach A2",
            organisation="",
            invited_by=coordinator,
        )
        cohort_ops.assign_coach(
            db.session.get(Territory, world["territory_a2"]), db.session.get(User, user_id)
        )
        db.session.commit()
    return user_id


@pytest.fixture
def login_coach2(app, coach2):
    def _login():
        client = app.test_client()
        login(client, COACH2_EMAIL, PASSWORD)
        return client

    return _login


#: Every role that may log in, the second coach included.
ALL_ROLES = [
    "admin",
    "coordinator",
    "coach",
    "coach2",
    "committee",
    "a1",
    "a1bis",
    "a2",
    "coordinator_b",
    "b1",
    "outsider",
]


@pytest.fixture
def client_of(login_as, login_coach2):
    """Return a function that gives a logged-in client for any role of ALL_ROLES."""

    def _client(role: str):
        return login_coach2() if role == "coach2" else login_as(role)

    return _client


def draft(**fields) -> EntryDraft:
    """Return an entry's content, with plausible defaults."""
    values = {
        "written_on": date(2026, 4, 20),
        "title": "Premier atelier « speed-dating »",
        "what_we_did": "Nous avons réuni **douze** acteurs du territoire.",
        "what_we_learned": "",
        "what_we_try_next": "",
        "visibility": JournalVisibility.COACH,
        "thematics": (),
        "competences": (),
    }
    values.update(fields)
    if isinstance(values["visibility"], str):
        values["visibility"] = JournalVisibility(values["visibility"])
    return EntryDraft(**values)


@pytest.fixture
def write_entry(app, world):
    """Return a function that writes an entry of a territory (A1 by a1 by default); its id."""

    def _write(territory: str = "territory_a1", author: str = "a1", **fields) -> int:
        with app.test_request_context():
            entry = operations.create_entry(
                db.session.get(Territory, world[territory]),
                draft(**fields),
                db.session.get(User, world[author]),
            )
            db.session.commit()
            return entry.id

    return _write


@pytest.fixture
def delete_entry(app, world):
    """Return a function that deletes an entry (by a1)."""

    def _delete(entry_id: int, by: str = "a1") -> None:
        from parcours.suivi.models import JournalEntry

        with app.test_request_context():
            operations.delete_entry(
                db.session.get(JournalEntry, entry_id), db.session.get(User, world[by])
            )
            db.session.commit()

    return _delete
