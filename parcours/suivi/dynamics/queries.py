"""Reading a territory's dynamics: every recording, the ones that count, and the change.

Each moment (launch, mid-way, end) may be recorded more than once: a correction is a new
recording. The latest recording of a moment is the one that counts. The change compares the
earliest moment that counts with the latest one: launch → mid-way, then launch → end.

:func:`summarise` is pure (snapshots and a curriculum in, plain data out), so that the change
is tested exactly; :func:`territory_dynamics` gathers the snapshots in one query.
"""

import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import bindparam, select
from sqlalchemy.orm import aliased

from parcours.accounts.models import User
from parcours.cohorts.models import Territory
from parcours.core.extensions import db
from parcours.curricula.schema import Choice, CurriculumDocument
from parcours.suivi.models import DynamicsMoment, DynamicsSnapshot

#: The moments in the order of the parcours.
MOMENTS = (DynamicsMoment.LAUNCH, DynamicsMoment.MIDWAY, DynamicsMoment.END)
MOMENT_RANK = {moment: rank for rank, moment in enumerate(MOMENTS)}


@dataclass(frozen=True)
class Item:
    """An entry of a curriculum list, as a recording names it."""

    code: str
    label: str


@dataclass(frozen=True)
class Reading:
    """One recording, as pages show it: labels from the cohort's curriculum."""

    id: int
    moment: DynamicsMoment
    recorded_on: date
    recorded_at: datetime
    recorded_by: str  # the person's name, "" when unknown
    maturity: int
    maturity_label: str
    forms: tuple[Item, ...]
    fragilities: tuple[Item, ...]
    partnerships: tuple[Item, ...]
    comment: str
    #: False when a later recording of the same moment replaced it.
    counts: bool


@dataclass(frozen=True)
class ListChange:
    """What a list gained and lost between two recordings."""

    added: tuple[Item, ...]
    dropped: tuple[Item, ...]

    @property
    def changed(self) -> bool:
        return bool(self.added or self.dropped)


@dataclass(frozen=True)
class Change:
    """From the earliest moment recorded to the latest one."""

    since: Reading
    latest: Reading
    maturity_delta: int
    forms: ListChange
    fragilities: ListChange
    partnerships: ListChange


@dataclass(frozen=True)
class TerritoryDynamics:
    """A territory's dynamics: its latest reading, the change, and every recording."""

    latest: Reading | None
    change: Change | None  # None until two moments are recorded
    history: tuple[Reading, ...]  # every recording, newest first
    counting: tuple[Reading, ...]  # the one reading of each moment recorded, in order

    @property
    def moments_recorded(self) -> tuple[DynamicsMoment, ...]:
        return tuple(reading.moment for reading in self.counting)


def _items(codes: Iterable[str], choices: Sequence[Choice]) -> tuple[Item, ...]:
    labels = {choice.code: choice.label for choice in choices}
    # A code of another version of the curriculum keeps its code as its label.
    return tuple(Item(code, labels.get(code, code)) for code in codes)


def maturity_label(curriculum: CurriculumDocument, value: int | None) -> str | None:
    """Return the label of a maturity level of the curriculum's scale (None for None)."""
    if value is None:
        return None
    for level in curriculum.maturity.levels:
        if level.value == value:
            return level.label
    return str(value)


def _list_change(before: tuple[Item, ...], after: tuple[Item, ...]) -> ListChange:
    had = {item.code for item in before}
    has = {item.code for item in after}
    return ListChange(
        added=tuple(item for item in after if item.code not in had),
        dropped=tuple(item for item in before if item.code not in has),
    )


def change_between(since: Reading, latest: Reading) -> Change:
    """Return what changed from ``since`` to ``latest``."""
    return Change(
        since=since,
        latest=latest,
        maturity_delta=latest.maturity - since.maturity,
        forms=_list_change(since.forms, latest.forms),
        fragilities=_list_change(since.fragilities, latest.fragilities),
        partnerships=_list_change(since.partnerships, latest.partnerships),
    )


def _newest_first(snapshot) -> tuple:
    return (snapshot.recorded_at, snapshot.id)


def summarise(
    snapshots: Iterable, curriculum: CurriculumDocument, names: dict[int, str] | None = None
) -> TerritoryDynamics:
    """Turn a territory's snapshots into what its pages show.

    ``snapshots`` need ``id``, ``moment``, ``recorded_on``, ``recorded_at``,
    ``recorded_by_id``, ``maturity``, ``forms``, ``fragilities``, ``partnerships`` and
    ``comment``; ``names`` gives the recorders' names by id.
    """
    names = names or {}
    ordered = sorted(snapshots, key=_newest_first, reverse=True)
    counting_ids = {}
    for snapshot in ordered:
        counting_ids.setdefault(DynamicsMoment(snapshot.moment), snapshot.id)
    dynamics = curriculum.dynamics
    history = tuple(
        Reading(
            id=s.id,
            moment=DynamicsMoment(s.moment),
            recorded_on=s.recorded_on,
            recorded_at=s.recorded_at,
            recorded_by=names.get(s.recorded_by_id, ""),
            maturity=s.maturity,
            maturity_label=maturity_label(curriculum, s.maturity),
            forms=_items(s.forms, dynamics.forms),
            fragilities=_items(s.fragilities, dynamics.fragilities),
            partnerships=_items(s.partnerships, dynamics.partnerships),
            comment=s.comment,
            counts=counting_ids[DynamicsMoment(s.moment)] == s.id,
        )
        for s in ordered
    )
    counting = tuple(
        sorted((r for r in history if r.counts), key=lambda reading: MOMENT_RANK[reading.moment])
    )
    latest = counting[-1] if counting else None
    change = change_between(counting[0], latest) if len(counting) >= 2 else None
    return TerritoryDynamics(latest=latest, change=change, history=history, counting=counting)


@functools.cache
def _snapshots():
    # Built once per process: the territory page runs it on every visit.
    recorder = aliased(User)
    return (
        select(DynamicsSnapshot, recorder.full_name)
        .outerjoin(recorder, recorder.id == DynamicsSnapshot.recorded_by_id)
        .where(DynamicsSnapshot.territory_id == bindparam("territory_id"))
    )


def territory_dynamics(territory: Territory) -> TerritoryDynamics:
    """Return the dynamics of ``territory``, in one query whatever the number of recordings."""
    rows = db.session.execute(_snapshots(), {"territory_id": territory.id}).all()
    names = {snapshot.recorded_by_id: name for snapshot, name in rows if name is not None}
    return summarise((snapshot for snapshot, _name in rows), territory.cohort.curriculum, names)


def suggested_moment(dynamics: TerritoryDynamics) -> DynamicsMoment:
    """Return the moment a new recording most likely is: the first one not recorded yet."""
    recorded = set(dynamics.moments_recorded)
    return next((moment for moment in MOMENTS if moment not in recorded), DynamicsMoment.END)
