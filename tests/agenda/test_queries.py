"""Agenda read models: the timeline (other territories folded and counted), the event lists."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from parcours.accounts.models import User
from parcours.agenda.models import Event
from parcours.agenda.queries import cohort_timeline
from parcours.cohorts.models import Cohort
from parcours.core.extensions import db


def _entries(cohort, viewer, territory_id=None):
    return [
        entry
        for phase in cohort_timeline(cohort, viewer, territory_id=territory_id)
        for entry in phase.entries
    ]


def test_timeline_folds_other_territories_meetings_with_their_span_and_count(app, world):
    with app.test_request_context():
        cohort = db.session.get(Cohort, world["cohort_a"])
        coordinator = db.session.get(User, world["coordinator"])
        committee = db.session.get(User, world["committee"])
        bilaterals = {
            event.territory_id: event
            for event in db.session.scalars(
                select(Event).where(Event.cohort_id == cohort.id, Event.code == "BILAT")
            )
        }
        a1, a2 = bilaterals[world["territory_a1"]], bilaterals[world["territory_a2"]]
        a2.starts_at += timedelta(days=3)
        a2.ends_at += timedelta(days=3)
        a1.status = "cancelled"
        s1 = db.session.scalar(
            select(Event).where(Event.cohort_id == cohort.id, Event.code == "S1")
        )
        db.session.flush()

        folded = [e for e in _entries(cohort, coordinator) if e.code == "BILAT"]
        assert [(e.event_id, e.territory_count, e.status) for e in folded] == [(None, 2, "planned")]
        assert (folded[0].starts_at, folded[0].ends_at) == (a1.starts_at, a2.ends_at)
        assert (folded[0].kind, folded[0].title) == ("bilateral", a1.title)

        # A territory's page shows its own meeting as it is, and folds only the others'.
        own = [e for e in _entries(cohort, coordinator, world["territory_a1"]) if e.code == "BILAT"]
        assert [(e.event_id, e.territory_count, e.status) for e in own] == [
            (a1.id, 0, "cancelled"),
            (None, 1, "planned"),
        ]
        assert (own[1].starts_at, own[1].ends_at) == (a2.starts_at, a2.ends_at)

        sessions = [e for e in _entries(cohort, committee) if e.code == "S1"]
        assert [(e.event_id, e.territory_count, e.title) for e in sessions] == [
            (s1.id, 0, s1.title)
        ]
        assert sessions[0].starts_at == s1.starts_at
        assert not [e for e in _entries(cohort, committee) if e.code == "BILAT"]
        db.session.rollback()


@pytest.mark.parametrize("role", ["admin", "coordinator", "coach", "committee", "a1", "outsider"])
def test_event_list_holds_the_events_a_person_may_see(app, world, role):
    from parcours.agenda.queries import event_list_for, events_for

    with app.test_request_context():
        user = db.session.get(User, world[role])
        for as_participant in (True, False):
            events = events_for(user, as_participant=as_participant)
            listed = event_list_for(user, as_participant=as_participant)
            assert [e.id for e in listed] == [e.id for e in events]
            assert [
                (e.title, e.kind_label, e.starts_at, e.ends_at, e.is_cancelled, e.venue_name)
                for e in listed
            ] == [
                (e.title, e.kind_label, e.starts_at, e.ends_at, e.is_cancelled, e.venue_name)
                for e in events
            ]
            assert [(e.cohort.timezone, e.territory and e.territory.name) for e in listed] == [
                (e.cohort.timezone, e.territory and e.territory.name) for e in events
            ]
        if role == "coordinator":
            assert any(e.territory is not None for e in listed)
