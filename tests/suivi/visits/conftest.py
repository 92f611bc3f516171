"""Helpers for visit-report tests: the world's field visits, a second coach, stored reports."""

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from parcours.accounts.models import User
from parcours.agenda.models import Event
from parcours.cohorts import operations as cohort_ops
from parcours.cohorts.models import Role, Territory
from parcours.core.extensions import db
from parcours.core.time import freeze
from parcours.outbox import mail
from parcours.suivi.visits import operations
from parcours.suivi.visits.operations import Stakeholder, VisitFields
from tests.conftest import login

#: Well after cohort A's field visits (summer 2026), before its end.
AFTER_THE_VISITS = datetime(2026, 10, 5, 8, 0, tzinfo=UTC)

#: Everyone of the world who reads nothing of territory A1's visits.
NOT_READERS = ["a2", "committee", "coordinator_b", "b1", "outsider", "coach_a2"]
#: Those who read A1's reports but do not write them.
READ_ONLY = ["a1", "a1bis"]
#: The territory's team: they write.
WRITERS = ["coordinator", "coach", "admin"]


@pytest.fixture(autouse=True)
def after_the_visits():
    with freeze(AFTER_THE_VISITS):
        yield


@pytest.fixture
def visits(app, world) -> dict[str, int]:
    """Return the ids of the world's field visits: A1, A2 (cohort A) and B1 (cohort B)."""
    names = {world["territory_a1"]: "A1", world["territory_a2"]: "A2", world["territory_b1"]: "B1"}
    with app.app_context():
        rows = db.session.execute(
            select(Event.id, Event.territory_id).where(Event.kind == "field_visit")
        ).all()
    return {names[territory_id]: event_id for event_id, territory_id in rows}


@pytest.fixture
def coach_a2(app, world, create_user) -> int:
    """A second coach of cohort A, who follows territory A2 (not A1)."""
    user_id = create_user("coach-a2@example.org", "Coach A2")
    with app.test_request_context():
        mail.suppress_until_commit()
        user = db.session.get(User, user_id)
        cohort_ops.add_member(
            db.session.get(Territory, world["territory_a2"]).cohort,
            role=Role.COACH,
            email=user.email,
            full_name=user.full_name,
            organisation="",
            invited_by=db.session.get(User, world["coordinator"]),
        )
        cohort_ops.assign_coach(db.session.get(Territory, world["territory_a2"]), user)
        db.session.commit()
    return user_id


@pytest.fixture
def client_as(login_as, coach_a2, client):
    """Return a client logged in as a role of the world, ``coach_a2``, or ``anonymous``."""

    def _client(role: str):
        if role == "anonymous":
            return client
        if role == "coach_a2":
            fresh = client.application.test_client()
            login(fresh, "coach-a2@example.org")
            return fresh
        return login_as(role)

    return _client


FIELDS = VisitFields(
    visited_on=date(2026, 8, 6),
    places="Tiers-lieu La Grange\nMairie de Plélan",
    observed="Un **atelier** très suivi.",
    what_works="- la cantine partagée\n- le marché",
    difficulties="Le transport en commun manque.",
    stakeholders=[
        Stakeholder("pouvoirs-publics", "Mme Le Maire", "Commune de Plélan"),
        Stakeholder("citoyens", "Jeanne", "Collectif des habitants"),
        Stakeholder("pouvoirs-publics", "", "Conseil départemental"),
    ],
    thematics=["T5"],
    competences=["D4.2"],
)


@pytest.fixture
def make_report(app, world, visits):
    """Return a function that writes a report of a territory's visit, as the coordinator."""

    def _make(territory: str = "A1", fields: VisitFields = FIELDS) -> int:
        with app.test_request_context():
            event = db.session.get(Event, visits[territory])
            user = db.session.get(User, world["coordinator"])
            report = operations.create_report(event, fields, user=user)
            db.session.commit()
            return report.id

    return _make
