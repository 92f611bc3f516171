"""The change of a territory's dynamics, from plain snapshots to plain data: tested exactly."""

from datetime import UTC, date, datetime
from types import SimpleNamespace

import pytest

from parcours.curricula.loader import parse_file
from parcours.suivi.dynamics.queries import (
    Change,
    Item,
    ListChange,
    Reading,
    TerritoryDynamics,
    suggested_moment,
    summarise,
)
from parcours.suivi.models import DynamicsMoment
from tests.conftest import CURRICULUM

LAUNCH, MIDWAY, END = DynamicsMoment.LAUNCH, DynamicsMoment.MIDWAY, DynamicsMoment.END


@pytest.fixture(scope="module")
def curriculum():
    return parse_file(CURRICULUM)


def _snapshot(id, moment, day, maturity, *, forms=(), fragilities=(), partnerships=(), by=7):
    return SimpleNamespace(
        id=id,
        moment=moment.value,
        recorded_on=day,
        recorded_at=datetime.combine(day, datetime.min.time(), tzinfo=UTC).replace(hour=id),
        recorded_by_id=by,
        maturity=maturity,
        forms=list(forms),
        fragilities=list(fragilities),
        partnerships=list(partnerships),
        comment=f"relevé {id}",
    )


ANIMATION = Item("animation", "Animation du territoire")
EXPERIMENTATION = Item("experimentation", "Expérimentation collective")
EMPLOI = Item("emploi", "Emploi, chômage, insertion")
MOBILITE = Item("mobilite", "Mobilité, transports")
ISOLEMENT = Item("isolement", "Isolement, lien social")
MECENAT = Item("mecenat", "Mécénat")
COOPERATION = Item("cooperation-economique", "Coopération économique")


def _reading(snapshot, items, label, *, counts=True, by="Coach A"):
    forms, fragilities, partnerships = items
    return Reading(
        id=snapshot.id,
        moment=DynamicsMoment(snapshot.moment),
        recorded_on=snapshot.recorded_on,
        recorded_at=snapshot.recorded_at,
        recorded_by=by,
        maturity=snapshot.maturity,
        maturity_label=label,
        forms=forms,
        fragilities=fragilities,
        partnerships=partnerships,
        comment=snapshot.comment,
        counts=counts,
    )


def test_launch_then_midway_gives_the_change_item_by_item(curriculum):
    launch = _snapshot(
        1,
        LAUNCH,
        date(2026, 3, 17),
        1,
        forms=["animation"],
        fragilities=["emploi", "mobilite"],
        partnerships=["mecenat"],
    )
    midway = _snapshot(
        2,
        MIDWAY,
        date(2026, 7, 22),
        2,
        forms=["animation", "experimentation"],
        fragilities=["mobilite", "isolement"],
        partnerships=["mecenat", "cooperation-economique"],
    )
    result = summarise([launch, midway], curriculum, {7: "Coach A"})
    first = _reading(
        launch, ((ANIMATION,), (EMPLOI, MOBILITE), (MECENAT,)), "Cela commence à émerger"
    )
    second = _reading(
        midway,
        ((ANIMATION, EXPERIMENTATION), (MOBILITE, ISOLEMENT), (MECENAT, COOPERATION)),
        "De plus en plus nombreuses",
    )
    assert result == TerritoryDynamics(
        latest=second,
        change=Change(
            since=first,
            latest=second,
            maturity_delta=1,
            forms=ListChange(added=(EXPERIMENTATION,), dropped=()),
            fragilities=ListChange(added=(ISOLEMENT,), dropped=(EMPLOI,)),
            partnerships=ListChange(added=(COOPERATION,), dropped=()),
        ),
        history=(second, first),
        counting=(first, second),
    )
    assert result.change.forms.changed and result.change.fragilities.changed


def test_a_correction_of_the_same_moment_replaces_it_and_the_first_stays_in_history(curriculum):
    wrong = _snapshot(1, LAUNCH, date(2026, 3, 17), 3)
    corrected = _snapshot(2, LAUNCH, date(2026, 3, 17), 1)
    result = summarise([corrected, wrong], curriculum)
    assert [r.id for r in result.history] == [2, 1]
    assert [r.counts for r in result.history] == [True, False]
    assert result.latest.id == 2 and result.latest.maturity_label == "Cela commence à émerger"
    assert result.change is None  # one moment recorded: nothing to compare yet
    assert result.latest.recorded_by == ""  # nobody named


def test_the_end_is_compared_with_the_launch_whatever_the_order_of_recording(curriculum):
    # The mid-way one was typed in late, after the end: the moments' order counts, not time.
    launch = _snapshot(1, LAUNCH, date(2026, 3, 17), 0, forms=["animation"])
    end = _snapshot(2, END, date(2026, 11, 20), 2, forms=["animation"])
    midway = _snapshot(3, MIDWAY, date(2026, 7, 22), 1)
    result = summarise([launch, end, midway], curriculum)
    assert result.moments_recorded == (LAUNCH, MIDWAY, END)
    assert result.latest.id == 2
    assert result.change.since.id == 1 and result.change.maturity_delta == 2
    assert result.change.forms == ListChange(added=(), dropped=())
    assert not result.change.forms.changed


def test_maturity_may_go_down_and_lists_may_empty(curriculum):
    launch = _snapshot(1, LAUNCH, date(2026, 3, 17), 2, partnerships=["mecenat"])
    midway = _snapshot(2, MIDWAY, date(2026, 7, 22), 1)
    change = summarise([launch, midway], curriculum).change
    assert change.maturity_delta == -1
    assert change.partnerships == ListChange(added=(), dropped=(MECENAT,))


def test_a_code_unknown_to_the_curriculum_keeps_its_code_as_label(curriculum):
    launch = _snapshot(1, LAUNCH, date(2026, 3, 17), 1, forms=["ancienne-forme"])
    assert summarise([launch], curriculum).latest.forms == (
        Item("ancienne-forme", "ancienne-forme"),
    )


def test_no_recording_means_no_latest_and_no_change(curriculum):
    assert summarise([], curriculum) == TerritoryDynamics(
        latest=None, change=None, history=(), counting=()
    )


def test_the_form_suggests_the_first_moment_not_recorded_yet(curriculum):
    def suggested(*moments):
        snapshots = [_snapshot(i + 1, m, date(2026, 3, 17), 1) for i, m in enumerate(moments)]
        return suggested_moment(summarise(snapshots, curriculum))

    assert suggested() is LAUNCH
    assert suggested(LAUNCH) is MIDWAY
    assert suggested(LAUNCH, MIDWAY) is END
    assert suggested(LAUNCH, MIDWAY, END) is END
    assert suggested(MIDWAY) is LAUNCH
