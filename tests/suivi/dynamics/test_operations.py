"""Recording dynamics: checked against the cohort's curriculum, kept as a new row every time."""

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from parcours.accounts.models import User
from parcours.cohorts.models import Territory
from parcours.core.extensions import db
from parcours.core.time import freeze
from parcours.suivi.dynamics import operations
from parcours.suivi.dynamics.operations import DynamicsDraft, DynamicsError, SnapshotsAreKept
from parcours.suivi.models import DynamicsSnapshot

NOW = datetime(2026, 6, 15, 10, 0, tzinfo=UTC)


def _count() -> int:
    return db.session.scalar(select(func.count()).select_from(DynamicsSnapshot))


def _draft(**changes) -> DynamicsDraft:
    values = {
        "moment": "launch",
        "recorded_on": date(2026, 3, 17),
        "maturity": 1,
        "forms": ("experimentation", "animation", "animation"),
        "fragilities": ("mobilite", "emploi"),
        "partnerships": ("mecenat",),
        "comment": "  Deux associations se parlent enfin.  ",
    }
    return DynamicsDraft(**{**values, **changes})


@pytest.fixture
def territory(app, world, ctx):
    return db.session.get(Territory, world["territory_a1"])


def test_a_recording_is_a_new_row_with_the_codes_in_the_curriculum_order(world, territory, caplog):
    coach = db.session.get(User, world["coach"])
    with freeze(NOW), caplog.at_level("INFO", logger="parcours.suivi.dynamics.operations"):
        first = operations.record_dynamics(territory, _draft(), recorded_by=coach)
        second = operations.record_dynamics(
            territory, _draft(moment="midway", maturity=2), recorded_by=coach
        )
    assert first.id != second.id and _count() == 2
    assert first.forms == ["animation", "experimentation"]  # once each, in the file's order
    assert first.fragilities == ["emploi", "mobilite"]
    assert first.partnerships == ["mecenat"]
    assert first.comment == "Deux associations se parlent enfin."
    assert first.curriculum_version_id == territory.cohort.curriculum_version_id
    assert first.recorded_by_id == coach.id and first.recorded_at == NOW
    assert (first.moment, first.maturity, second.moment, second.maturity) == (
        "launch",
        1,
        "midway",
        2,
    )
    assert f"Dynamics launch of territory {territory.id} recorded by user {coach.id}" in caplog.text


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"forms": ("animation", "danse-folklorique")}, "forms"),
        ({"fragilities": ("richesses-humaines",)}, "fragilities"),  # the sister curriculum's
        ({"partnerships": ("mecenat", "")}, "partnerships"),
        ({"maturity": 4}, "maturity"),
        ({"maturity": -1}, "maturity"),
        ({"moment": "debut"}, "moment"),
        ({"recorded_on": date(2026, 6, 16)}, "recorded_on"),  # tomorrow in Paris
        ({"comment": "x" * 2001}, "comment"),
    ],
)
def test_what_the_curriculum_does_not_know_is_refused_and_nothing_is_stored(
    world, territory, changes, field
):
    with freeze(NOW), pytest.raises(DynamicsError) as refused:
        operations.record_dynamics(territory, _draft(**changes), recorded_by=None)
    assert refused.value.field == field
    assert _count() == 0


def test_an_unknown_code_is_named_in_the_message(territory):
    with freeze(NOW), pytest.raises(DynamicsError, match="danse-folklorique"):
        operations.record_dynamics(
            territory, _draft(forms=("danse-folklorique",)), recorded_by=None
        )


def test_today_in_the_cohort_zone_is_allowed(territory):
    late_evening = datetime(2026, 6, 15, 21, 30, tzinfo=UTC)  # 23:30 in Paris, still the 15th
    with freeze(late_evening):
        operations.record_dynamics(
            territory, _draft(recorded_on=date(2026, 6, 15)), recorded_by=None
        )
    assert _count() == 1


def test_a_recording_is_never_changed_nor_deleted(territory):
    with freeze(NOW):
        snapshot_id = operations.record_dynamics(territory, _draft(), recorded_by=None).id
    db.session.commit()
    db.session.get(DynamicsSnapshot, snapshot_id).maturity = 3
    with pytest.raises(SnapshotsAreKept, match="record a new one instead"):
        db.session.flush()
    db.session.rollback()
    db.session.delete(db.session.get(DynamicsSnapshot, snapshot_id))
    with pytest.raises(SnapshotsAreKept, match="cannot be deleted"):
        db.session.flush()
    db.session.rollback()
    assert db.session.get(DynamicsSnapshot, snapshot_id).maturity == 1
