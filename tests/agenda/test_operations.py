"""Scheduling: validation, warnings before saving, SEQUENCE, cancellation."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from parcours.accounts.models import User
from parcours.agenda import operations
from parcours.agenda.models import Event
from parcours.agenda.operations import DocumentDraft, EventDraft, ItemDraft
from parcours.cohorts.models import Cohort, Territory
from parcours.core.extensions import db
from parcours.core.time import freeze


@pytest.fixture(autouse=True)
def _before_the_cohort():
    """Run while cohort A is being prepared: its events are ahead, so edits notify people."""
    with freeze(datetime(2026, 2, 16, 9, 0, tzinfo=UTC)):
        yield


@pytest.fixture
def cohort(ctx, world):
    return db.session.get(Cohort, world["cohort_a"])


@pytest.fixture
def coordinator(ctx, world):
    return db.session.get(User, world["coordinator"])


def _at(day: int, hour: int, minute: int = 0) -> datetime:
    """A moment in May 2026 (Paris is UTC+2), given in Paris time."""
    return datetime(2026, 5, day, hour - 2, minute, tzinfo=UTC)


def _draft(**changes) -> EventDraft:
    values = {
        "kind": "other",
        "title": "Webinaire RSE",
        "starts_at": _at(20, 14),
        "ends_at": _at(20, 16),
    }
    return EventDraft(**{**values, **changes})


def test_end_must_follow_start(cohort):
    with pytest.raises(operations.EventError) as error:
        operations.validate(cohort, _draft(ends_at=_at(20, 13)))
    assert error.value.field == "end_time"


def test_territory_events_need_a_territory_of_the_cohort(cohort, world):
    with pytest.raises(operations.EventError) as error:
        operations.validate(cohort, _draft(kind="follow_up"))
    assert error.value.field == "territory"
    foreign = db.session.get(Territory, world["territory_b1"])
    with pytest.raises(operations.EventError):
        operations.validate(cohort, _draft(kind="follow_up", territory=foreign))
    own = db.session.get(Territory, world["territory_a1"])
    with pytest.raises(operations.EventError):
        operations.validate(cohort, _draft(kind="session", territory=own))


def test_agenda_items_must_fit_in_the_event(cohort):
    item = ItemDraft(starts_at=_at(20, 15), ends_at=_at(20, 17), kind="plenary", title="Débat")
    with pytest.raises(operations.EventError) as error:
        operations.validate(cohort, _draft(items=[item]))
    assert (error.value.field, error.value.item) == ("end_time", 0)  # the line's end
    assert "Débat" in str(error.value)


def test_unknown_thematics_are_refused(cohort):
    with pytest.raises(operations.EventError):
        operations.validate(cohort, _draft(thematics=["T99"]))
    operations.validate(cohort, _draft(thematics=["T1", "T8"]))


def test_events_outside_the_cohort_dates_are_flagged(cohort):
    late = cohort.end_date + timedelta(days=10)
    start = datetime(late.year, late.month, late.day, 9, tzinfo=UTC)
    found = operations.warnings(cohort, _draft(starts_at=start, ends_at=start + timedelta(hours=2)))
    assert any("en dehors des dates de la cohorte" in w for w in found)
    assert operations.warnings(cohort, _draft()) == []


def test_clashes_for_the_same_people_are_flagged(cohort, world):
    s1 = db.session.scalar(select(Event).where(Event.cohort_id == cohort.id, Event.code == "S1"))
    territory = db.session.get(Territory, world["territory_a1"])
    draft = _draft(
        kind="follow_up",
        territory=territory,
        starts_at=s1.starts_at,
        ends_at=s1.starts_at + timedelta(hours=1),
    )
    found = operations.warnings(cohort, draft)
    assert len(found) == 1
    assert s1.title in found[0]
    assert "Catalyseur A1" in found[0] and "Catalyseur A2" not in found[0]
    # Once the session is cancelled it no longer clashes.
    operations.cancel_event(s1, db.session.get(User, world["coordinator"]))
    assert operations.warnings(cohort, draft) == []


def test_follow_ups_of_different_territories_at_the_same_time_do_not_clash(cohort, world):
    a1 = db.session.get(Territory, world["territory_a1"])
    a2 = db.session.get(Territory, world["territory_a2"])
    coordinator = db.session.get(User, world["coordinator"])
    operations.create_event(cohort, _draft(kind="field_visit", territory=a2), coordinator)
    assert operations.warnings(cohort, _draft(kind="field_visit", territory=a1)) == []


def test_create_update_and_cancel_keep_the_sequence(cohort, coordinator):
    item = ItemDraft(
        starts_at=_at(20, 14, 30),
        ends_at=_at(20, 15),
        kind="testimony",
        title="Témoignage",
        speaker="Élise",
    )
    first = ItemDraft(
        starts_at=_at(20, 14), ends_at=_at(20, 14, 30), kind="plenary", title="Ouverture"
    )
    draft = _draft(
        items=[item, first],
        documents=[DocumentDraft("Programme", "https://x.org/p")],
        venue_name="Tiers-lieu",
        thematics=["T8"],
    )
    event = operations.create_event(cohort, draft, coordinator)
    assert event.sequence == 0 and event.status == "planned"
    assert [i.title for i in event.items] == ["Ouverture", "Témoignage"]
    assert event.documents[0].url == "https://x.org/p"
    assert event.created_by_id == coordinator.id

    assert operations.update_event(event, draft, coordinator) is False
    assert event.sequence == 0
    moved = _draft(
        **{**draft.__dict__, "starts_at": _at(21, 14), "ends_at": _at(21, 16), "items": []}
    )
    assert operations.update_event(event, moved, coordinator) is True
    assert event.sequence == 1
    assert event.items == []

    operations.cancel_event(event, coordinator)
    assert (event.status, event.sequence) == ("cancelled", 2)
    assert event.cancelled_at is not None
    with pytest.raises(operations.EventError):
        operations.cancel_event(event, coordinator)
    with pytest.raises(operations.EventError):
        operations.update_event(event, moved, coordinator)
