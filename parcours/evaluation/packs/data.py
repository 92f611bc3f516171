"""A committee pack's data: a plain tree of frozen dataclasses, and its JSON snapshot.

Nothing here is an ORM object or a translated label: codes (a territory's status, an event's
kind) stay codes, which the renderer names in the reader's language; what the curriculum says
(domain names, maturity levels) is copied as it read at generation. ``PackData.snapshot()``
writes the tree as JSON-safe data (dates as ISO strings) and ``PackData.from_snapshot()`` reads
it back exactly: the snapshot frozen with a pack is what both PDFs and « données du rapport »
were drawn from.
"""

import dataclasses
import types
import typing
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from typing import Any, Union

from parcours.cohorts.models import MAX_CATALYSEURS_PER_TERRITORY
from parcours.curricula.schema import PackKind

# -- The composition of the cohort ------------------------------------------------------------


@dataclass(frozen=True)
class TerritoryInfo:
    """A territory of the cohort as the pack presents it (names only in the full version)."""

    id: int
    name: str
    region: str
    department: str
    kind: str  # a code of cohorts.models.TERRITORY_KINDS
    carrier_structure: str
    carrier_type: str  # a code of cohorts.models.CARRIER_TYPES
    status: str  # a TerritoryStatus
    status_reason: str
    coach: str  # the coach's name, "" when none
    catalyseurs: tuple[str, ...]  # their names, as the cohort shows them

    @property
    def is_binome(self) -> bool:
        return len(self.catalyseurs) == MAX_CATALYSEURS_PER_TERRITORY

    @property
    def accepted(self) -> bool:
        return self.status == "accepted"


@dataclass(frozen=True)
class Composition:
    """The cohort's territories, solicited, accepted, refused or withdrawn."""

    target: int  # the territories the cohort was planned for
    territories: tuple[TerritoryInfo, ...]

    def count(self, status: str) -> int:
        return sum(1 for t in self.territories if t.status == status)

    @property
    def asked(self) -> int:
        """Every territory approached: the denominator of the acceptance rate."""
        return len(self.territories)

    @property
    def accepted(self) -> tuple[TerritoryInfo, ...]:
        return tuple(t for t in self.territories if t.accepted)

    @property
    def participants(self) -> int:
        return sum(len(t.catalyseurs) for t in self.accepted)

    @property
    def binomes(self) -> int:
        return sum(1 for t in self.accepted if t.is_binome)


# -- The calendar ------------------------------------------------------------------------------


@dataclass(frozen=True)
class CalendarEvent:
    """A collective moment of the cohort: a session, a comité, an assessment window…"""

    kind: str  # an EventKind
    code: str
    title: str
    starts_on: date  # local dates
    ends_on: date
    cancelled: bool
    past: bool  # over at generation


# -- Participation -----------------------------------------------------------------------------


@dataclass(frozen=True)
class SessionAttendance:
    """Attendance at one collective session, in person half-days."""

    code: str
    title: str
    starts_on: date
    taken: bool  # attendance recorded for at least one half-day
    half_days: int  # half-days whose attendance was taken
    expected: int  # participants expected (the denominator per half-day)
    attended: int  # person half-days attended (present or late)
    possible: int  # person half-days taken (expected × half-days taken)


@dataclass(frozen=True)
class TerritoryActivity:
    """One accepted territory's participation, from the agenda, attendance and suivi."""

    territory_id: int
    participants: int
    attended: int  # person half-days attended at collective sessions
    possible: int
    sessions_represented: int
    sessions_taken: int
    bilaterals: int  # meetings held (planned, over at generation)
    follow_ups: int
    field_visits: int
    records: int  # follow-up records written
    visit_reports: int
    journal_entries: int


@dataclass(frozen=True)
class Participation:
    sessions: tuple[SessionAttendance, ...]
    territories: tuple[TerritoryActivity, ...]

    def total(self, name: str) -> int:
        return sum(getattr(t, name) for t in self.territories)

    @property
    def sessions_taken(self) -> int:
        return sum(1 for s in self.sessions if s.taken)

    @property
    def attended(self) -> int:
        return sum(s.attended for s in self.sessions)

    @property
    def possible(self) -> int:
        return sum(s.possible for s in self.sessions)


# -- Competences -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Domain:
    code: str
    name: str


@dataclass(frozen=True)
class MomentAnswers:
    code: str
    name: str
    answers: int  # self-assessments submitted at this moment


@dataclass(frozen=True)
class DomainFigure:
    """The cohort's self-assessments for one domain and moment (hidden below the threshold)."""

    moment: str
    domain: str
    count: int
    median: float | None
    q1: float | None
    q3: float | None

    @property
    def hidden(self) -> bool:
        return self.median is None


@dataclass(frozen=True)
class Competences:
    """The cohort's competence picture, for the moments the pack covers."""

    scale: tuple[str, ...]  # the referential's level labels, 0 first
    domains: tuple[Domain, ...]
    participants: int  # the cohort's catalyseurs: the denominator of the answers
    threshold: int
    moments: tuple[MomentAnswers, ...]
    figures: tuple[DomainFigure, ...]
    #: The moments whose medians are all shown: those the radar draws and progress compares.
    charted: tuple[str, ...]
    progress_first: str | None
    progress_last: str | None
    changes: tuple[tuple[str, float | None], ...]  # domain → change of the median
    largest: tuple[str, ...]
    stagnant: tuple[str, ...]

    def figure(self, moment: str, domain: str) -> DomainFigure | None:
        for item in self.figures:
            if item.moment == moment and item.domain == domain:
                return item
        return None

    @property
    def answers(self) -> int:
        return sum(m.answers for m in self.moments)


@dataclass(frozen=True)
class TerritoryLevels:
    """A territory's level per domain at each moment answered: its binôme's consensus, or its
    single catalyseur's self-assessment."""

    source: str  # a Viewpoint: "consensus" or "self"
    people: int  # how many people the levels come from (k ≥ 5 hides them when pseudonymised)
    levels: tuple[tuple[str, tuple[float | None, ...]], ...]  # moment → one level per domain


# -- Territorial dynamics ----------------------------------------------------------------------


@dataclass(frozen=True)
class Choice:
    code: str
    label: str


@dataclass(frozen=True)
class TerritoryDynamics:
    """A territory's dynamics: its maturity at launch and now, what it practises now."""

    launch_maturity: int | None
    maturity: int | None  # the latest moment recorded the pack covers
    moment: str | None  # that moment (a DynamicsMoment)
    forms: tuple[str, ...]  # codes
    fragilities: tuple[str, ...]
    partnerships: tuple[str, ...]

    @property
    def recorded(self) -> bool:
        return self.maturity is not None


@dataclass(frozen=True)
class DynamicsFrame:
    """The curriculum's lists, for naming the codes the territories hold."""

    maturity: tuple[str, ...]  # the maturity levels' labels, 0 first
    forms: tuple[Choice, ...]
    fragilities: tuple[Choice, ...]
    partnerships: tuple[Choice, ...]


# -- Surveys -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class OptionCount:
    label: str
    count: int


@dataclass(frozen=True)
class QuestionSynthesis:
    """A closed question's counts (or, for texts, their number; texts only in the full pack)."""

    code: str
    text: str
    kind: str  # a QuestionKind
    theme: str
    answered: int  # answers given, « je ne souhaite pas répondre » left out
    declined: int
    options: tuple[OptionCount, ...]  # closed questions: one count per label or choice
    texts: tuple[str, ...]  # open questions' answers (never printed when pseudonymised)
    mean: float | None  # scale questions
    hidden: bool  # an anonymous survey's figure from fewer than k answers (nothing kept)


@dataclass(frozen=True)
class SurveySynthesis:
    id: int
    title: str
    kind: str  # a SurveyKind
    anonymous: bool
    invited: int  # the denominator of the response rate
    responses: int
    hidden: bool  # an anonymous survey with fewer than k responses
    questions: tuple[QuestionSynthesis, ...]


@dataclass(frozen=True)
class Testimony:
    """A testimony its author allowed to publish: named (with their name) or anonymous."""

    text: str
    consent: str  # a Consent: named or anonymous
    author: str  # "" when anonymous
    territory_id: int | None


# -- The pack ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Editorial:
    highlights: str
    concerns: str
    recommendations: str

    @property
    def empty(self) -> bool:
        return not (
            self.highlights.strip() or self.concerns.strip() or self.recommendations.strip()
        )


@dataclass(frozen=True)
class TerritoryPage:
    """What one accepted territory's page shows (its activity and dynamics are looked up)."""

    territory_id: int
    levels: TerritoryLevels | None


@dataclass(frozen=True)
class PackData:
    """Everything a committee pack prints, gathered once: no model, no query left."""

    kind: PackKind
    cohort_id: int
    cohort: str
    programme: str
    referential: str
    start_date: date
    end_date: date
    generated_at: datetime  # UTC
    as_of: date  # the cohort's local date at generation: « données au … »
    composition: Composition
    calendar: tuple[CalendarEvent, ...]
    participation: Participation
    competences: Competences
    dynamics_frame: DynamicsFrame
    dynamics: tuple[tuple[int, TerritoryDynamics], ...]  # territory id → its dynamics
    surveys: tuple[SurveySynthesis, ...] | None  # None: the pack has no survey part
    testimonies: tuple[Testimony, ...]
    editorial: Editorial
    territory_pages: tuple[TerritoryPage, ...]
    min_anonymous: int = 5  # k: fewer people than this, a figure is hidden when pseudonymised

    # Lookups ---------------------------------------------------------------------------------

    def territory(self, territory_id: int) -> TerritoryInfo:
        return next(t for t in self.composition.territories if t.id == territory_id)

    def activity(self, territory_id: int) -> TerritoryActivity | None:
        return next(
            (a for a in self.participation.territories if a.territory_id == territory_id), None
        )

    def dynamics_of(self, territory_id: int) -> TerritoryDynamics | None:
        return dict(self.dynamics).get(territory_id)

    def testimonies_of(self, territory_id: int) -> tuple[Testimony, ...]:
        return tuple(t for t in self.testimonies if t.territory_id == territory_id)

    # Snapshot --------------------------------------------------------------------------------

    def snapshot(self) -> dict:
        """Return the data as JSON-safe values (dates and times as ISO strings)."""
        return _dump(self)

    @classmethod
    def from_snapshot(cls, data: dict) -> "PackData":
        """Read a :meth:`snapshot` back into the same data."""
        return _load(cls, data)


# -- The codec: dataclasses ↔ JSON-safe values, driven by the type hints ----------------------


def _dump(value: Any) -> Any:
    if dataclasses.is_dataclass(value):
        return {f.name: _dump(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, tuple | list):
        return [_dump(item) for item in value]
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, PackKind):
        return value.value
    return value


@cache
def _hints(cls) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def _load(kind: Any, value: Any) -> Any:
    origin = typing.get_origin(kind)
    if origin in (Union, types.UnionType):
        if value is None:
            return None
        (inner,) = [arg for arg in typing.get_args(kind) if arg is not type(None)]
        return _load(inner, value)
    if origin is tuple:
        args = typing.get_args(kind)
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_load(args[0], item) for item in value)
        return tuple(_load(arg, item) for arg, item in zip(args, value, strict=True))
    if dataclasses.is_dataclass(kind):
        hints = _hints(kind)
        return kind(
            **{f.name: _load(hints[f.name], value[f.name]) for f in dataclasses.fields(kind)}
        )
    if kind is datetime:
        return datetime.fromisoformat(value)
    if kind is date:
        return date.fromisoformat(value)
    if kind is float:
        return float(value)
    if kind is PackKind:
        return PackKind(value)
    return value
