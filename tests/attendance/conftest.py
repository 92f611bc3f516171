"""Helpers for attendance tests: the events of the ``world`` fixture, and accented names."""

from datetime import datetime

import pytest
from sqlalchemy import select

from parcours.accounts.models import User
from parcours.agenda.models import Event
from parcours.cohorts.models import Territory
from parcours.cohorts.operations import accept_memberships
from parcours.core.extensions import db
from parcours.core.time import local_to_utc

# Cohort A starts on 2 March 2026: S1 is on Wednesday 1 April 2026, 09:30-17:00 Paris time
# (UTC+2), S3 on 19-20 August 2026, the launch comité on 9 March 2026 14:00-17:00 (UTC+1).
S1_DAY = "2026-04-01"


def paris(day: str, at: str) -> datetime:
    """Return an aware UTC datetime for a wall-clock time in Paris."""
    return local_to_utc(
        datetime.fromisoformat(day).date(), datetime.strptime(at, "%H:%M").time(), "Europe/Paris"
    )


@pytest.fixture
def events(app, world):
    """Return the ids of cohort A's events by code (BILAT-A1, BILAT-A2 for the territories)."""
    with app.app_context():
        rows = db.session.execute(
            select(Event.id, Event.code, Event.territory_id).where(
                Event.cohort_id == world["cohort_a"]
            )
        ).all()
    names = {world["territory_a1"]: "A1", world["territory_a2"]: "A2"}
    ids = {}
    for event_id, code, territory_id in rows:
        key = f"{code}-{names[territory_id]}" if territory_id else code
        ids[key] = event_id
    ids["S1-B"] = _cohort_b_s1(app, world)
    return ids


def _cohort_b_s1(app, world) -> int:
    with app.app_context():
        return db.session.scalar(
            select(Event.id).where(Event.cohort_id == world["cohort_b"], Event.code == "S1")
        )


@pytest.fixture
def accents(app, world):
    """Give cohort A's people and territories names with accents.

    Chosen so that plain and French alphabetical orders agree (É before L, P before V).
    """
    with app.app_context():
        db.session.get(User, world["a1"]).full_name = "Élise Château"
        db.session.get(User, world["a1"]).organisation = "Maison de l'Économie sociale"
        db.session.get(User, world["a1bis"]).full_name = "Étienne Lefèvre"
        db.session.get(User, world["a2"]).full_name = "Françoise Nœl-Dupré"
        db.session.get(Territory, world["territory_a1"]).name = "Pays de Sèvre et Bocage"
        db.session.get(Territory, world["territory_a2"]).name = "Vallée de l'Orne"
        for key in ("a1", "a1bis", "a2"):  # they logged in, and chose these names themselves
            accept_memberships(db.session.get(User, world[key]))
        db.session.commit()
