"""The shape of a curriculum file, validated with pydantic.

Every rule a curriculum must respect lives here, so that ``curricula validate`` and
``curricula load`` refuse exactly the same files.
"""

import importlib
import re
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

#: What a code (of a phase, a session, a competence…) is made of.
CODE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$"
Code = Annotated[str, StringConstraints(pattern=CODE_PATTERN)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
LongText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4000)]
Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", max_length=80)]


class EventKind(StrEnum):
    """What a dated moment of a programme is; the agenda's events carry one."""

    SESSION = "session"
    BILATERAL = "bilateral"
    FOLLOW_UP = "follow_up"
    FIELD_VISIT = "field_visit"
    COMMITTEE = "committee"
    ASSESSMENT = "assessment"
    OTHER = "other"

    @property
    def is_meeting(self) -> bool:
        """Tell whether people meet: a self-assessment window is dated but nobody attends it."""
        return self is not EventKind.ASSESSMENT


#: Kinds where people meet: attendance is taken, invitations and reminders are sent.
MEETING_KINDS = tuple(kind for kind in EventKind if kind.is_meeting)

#: What ``[[events]]`` may plan (sessions and assessment moments have sections of their own).
PLANNED_KINDS = (
    EventKind.BILATERAL,
    EventKind.FOLLOW_UP,
    EventKind.FIELD_VISIT,
    EventKind.COMMITTEE,
    EventKind.OTHER,
)
PlannedKind = Literal[tuple(kind.value for kind in PLANNED_KINDS)]


class _Strict(BaseModel):
    # Unknown keys are mistakes (a typo would silently drop data), so refuse them.
    model_config = ConfigDict(extra="forbid", frozen=True)


def _unique(items, attribute: str, what: str) -> None:
    seen = set()
    for item in items:
        value = getattr(item, attribute)
        if value in seen:
            raise ValueError(f"duplicate {what} {value!r}")
        seen.add(value)


class Programme(_Strict):
    slug: Slug
    name: Text
    description: LongText
    duration_months: int = Field(ge=1, le=36)
    language: Literal["fr", "en"] = "fr"


class Phase(_Strict):
    code: Code
    name: Text
    start_month: int = Field(ge=0, le=36)
    end_month: int = Field(ge=0, le=36)
    steps: list[Text] = Field(min_length=1)

    @model_validator(mode="after")
    def _ordered(self):
        if self.end_month <= self.start_month:
            raise ValueError("end_month must be after start_month")
        return self


class Thematic(_Strict):
    code: Code
    name: Text


class _Dated(_Strict):
    offset_days: int = Field(ge=0, description="days after the cohort's start date")
    duration_days: int = Field(default=1, ge=1, le=31)
    start_time: time = time(9, 30)
    end_time: time = time(17, 0)

    @model_validator(mode="after")
    def _times(self):
        if self.duration_days == 1 and self.end_time <= self.start_time:
            raise ValueError("end_time must be after start_time")
        return self


class CollectiveSession(_Dated):
    code: Code
    title: Text
    thematics: list[Code] = Field(min_length=1)
    description: LongText | None = None


class PackKind(StrEnum):
    """Which of the Comité d'orientation's meetings a report pack is prepared for."""

    LAUNCH = "launch"
    MIDWAY = "midway"
    FINAL = "final"


class PlannedEvent(_Dated):
    """A moment of the programme; a per-territory one is spread over a window, one slot each.

    For a per-territory event, ``offset_days`` opens its window of ``window_days`` days, and
    ``start_time``/``end_time`` bound the hours in which its meetings of ``slot_minutes`` are
    placed (the whole span when ``slot_minutes`` is left out).
    """

    code: Code
    kind: PlannedKind
    title: Text
    per_territory: bool = False
    window_days: int | None = Field(default=None, ge=1, le=90)
    slot_minutes: int | None = Field(default=None, ge=15, le=24 * 60)
    description: LongText | None = None
    #: For a comité d'orientation: the report pack it reads (launch, midway or final).
    pack: PackKind | None = None

    @model_validator(mode="after")
    def _window(self):
        if self.pack is not None and (self.kind != EventKind.COMMITTEE or self.per_territory):
            raise ValueError('only a comité (kind = "committee", not per territory) reads a pack')
        if not self.per_territory:
            if self.window_days is not None or self.slot_minutes is not None:
                raise ValueError(
                    "window_days and slot_minutes only apply to per-territory events "
                    "(per_territory = true)"
                )
            return self
        if self.duration_days != 1:
            raise ValueError("a per-territory event lasts one day (duration_days = 1)")
        if self.slot_minutes is not None and self.slot_minutes > self.hours_minutes:
            raise ValueError(
                f"slot_minutes ({self.slot_minutes}) is longer than the hours between "
                f"start_time and end_time ({self.hours_minutes} minutes)"
            )
        return self

    @property
    def hours_minutes(self) -> int:
        """How long the hours a meeting may be placed in last, in minutes."""
        span = datetime.combine(date.min, self.end_time) - datetime.combine(
            date.min, self.start_time
        )
        return span // timedelta(minutes=1)

    @property
    def window(self) -> int:
        """How many days, from ``offset_days``, the meetings are spread over."""
        return self.window_days or 1

    @property
    def slot(self) -> timedelta:
        """How long one territory's meeting lasts."""
        return timedelta(minutes=self.slot_minutes or self.hours_minutes)


class AssessmentMoment(_Strict):
    code: Code
    name: Text
    offset_days: int = Field(ge=0)
    window_days: int = Field(default=21, ge=1, le=90)
    #: The code of the comité that examines its results: it must meet after the window closes.
    feeds: Code | None = None

    @property
    def closes_on_day(self) -> int:
        """The first day (after the start) on which nobody may answer any more."""
        return self.offset_days + self.window_days


class Calendar(_Strict):
    """The working days and hours generated meetings keep to."""

    #: Public holidays of this country (ISO 3166 code, as the ``holidays`` package knows it).
    country: str = "FR"
    #: A region with holidays of its own ("57" for Moselle); none: the whole country's only.
    subdivision: str | None = None
    #: Meetings shorter than their whole day's hours never start or end inside this break.
    lunch_break: tuple[time, time] | None = (time(12, 30), time(14, 0))

    @model_validator(mode="after")
    def _known(self):
        # The registry names every country without importing them all (seconds on a busy
        # machine, at every worker's start): only the country asked for is imported.
        from holidays import registry

        known = {codes[1]: (module, codes[0]) for module, codes in registry.COUNTRIES.items()}
        if self.country not in known:
            raise ValueError(f"unknown country {self.country!r} for public holidays")
        if self.subdivision is not None:
            module, name = known[self.country]
            country = getattr(importlib.import_module(f"holidays.countries.{module}"), name)
            if self.subdivision not in country.subdivisions:
                raise ValueError(
                    f"unknown subdivision {self.subdivision!r} of {self.country!r}; known: "
                    + ", ".join(country.subdivisions)
                )
        if self.lunch_break is not None and self.lunch_break[1] <= self.lunch_break[0]:
            raise ValueError("lunch_break must end after it starts")
        return self


class Competence(_Strict):
    code: Code
    label: Text
    description: Text


class Domain(_Strict):
    code: Code
    name: Text
    competences: list[Competence] = Field(min_length=1, max_length=12)


class Level(_Strict):
    value: int = Field(ge=0, le=10)
    label: Text
    description: Text | None = None


def _check_scale(levels: list[Level]) -> None:
    values = [level.value for level in levels]
    if values != list(range(len(values))):
        raise ValueError(f"level values must be 0, 1, 2… in order, got {values}")


class Referential(_Strict):
    name: Text
    levels: list[Level] = Field(min_length=2, max_length=10)
    domains: list[Domain] = Field(min_length=1)

    @model_validator(mode="after")
    def _consistent(self):
        _check_scale(self.levels)
        _unique(self.domains, "code", "domain code")
        _unique([c for d in self.domains for c in d.competences], "code", "competence code")
        return self


class MaturityScale(_Strict):
    name: Text
    levels: list[Level] = Field(min_length=2, max_length=10)

    @model_validator(mode="after")
    def _consistent(self):
        _check_scale(self.levels)
        return self


class Choice(_Strict):
    """One entry of a list the product offers to pick from (a form, a partnership type…)."""

    code: Code
    label: Text
    description: Text | None = None


class FragilityGroup(_Strict):
    code: Code
    name: Text
    fragilities: list[Choice] = Field(min_length=1)


class Dynamics(_Strict):
    """What the coach records with a binôme about their territory's co-construction."""

    #: The forms of co-construction a territory practises (animation, expérimentation…).
    forms: list[Choice] = Field(min_length=1)
    #: The fragilités a territory's alliances address, in groups (économiques, sociaux…).
    fragility_groups: list[FragilityGroup] = Field(min_length=1)
    #: The kinds of partnership between organisations (mécénat, coopération économique…).
    partnerships: list[Choice] = Field(min_length=1)

    @model_validator(mode="after")
    def _consistent(self):
        _unique(self.forms, "code", "form code")
        _unique(self.fragility_groups, "code", "fragility group code")
        _unique(self.fragilities, "code", "fragility code")
        _unique(self.partnerships, "code", "partnership code")
        return self

    @property
    def fragilities(self) -> list[Choice]:
        return [f for group in self.fragility_groups for f in group.fragilities]


class QuestionKind(StrEnum):
    """How a survey question is answered."""

    SCALE = "scale"
    SINGLE = "single"
    MULTIPLE = "multiple"
    SHORT_TEXT = "short_text"
    LONG_TEXT = "long_text"
    #: A long text with the author's consent to its publication (named, anonymous, or not).
    TESTIMONY = "testimony"

    @property
    def is_closed(self) -> bool:
        """Tell whether answers are counted (a chart) rather than listed (text)."""
        return self in (QuestionKind.SCALE, QuestionKind.SINGLE, QuestionKind.MULTIPLE)


class SurveyKind(StrEnum):
    #: « À chaud »: one survey per collective session, opened when the session ends.
    SESSION = "session"
    #: The end-of-programme evaluation, opened on its day (or earlier by a coordinator).
    FINAL = "final"


class SurveyQuestionTemplate(_Strict):
    code: Code
    kind: QuestionKind
    text: Text
    help: Text | None = None
    #: A heading the results and the packs group questions under (« Les 3 impacts »…).
    theme: Text | None = None
    #: For a scale: the label of each point, from the lowest (1) to the highest.
    labels: list[Text] = Field(default_factory=list, max_length=10)
    #: For a single or multiple choice.
    choices: list[Choice] = Field(default_factory=list, max_length=20)
    #: Offer « je ne souhaite pas répondre ».
    allow_decline: bool = True
    required: bool = False
    #: For a scale in a session survey: one question per item of the session's agenda.
    per_agenda_item: bool = False

    @model_validator(mode="after")
    def _answerable(self):
        if self.kind == QuestionKind.SCALE and len(self.labels) < 2:
            raise ValueError(f"question {self.code!r}: a scale needs at least 2 labels")
        if self.kind != QuestionKind.SCALE and self.labels:
            raise ValueError(f"question {self.code!r}: only a scale has labels")
        choosing = self.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE)
        if choosing and len(self.choices) < 2:
            raise ValueError(f"question {self.code!r}: a choice needs at least 2 choices")
        if not choosing and self.choices:
            raise ValueError(f"question {self.code!r}: only a single or multiple choice has them")
        if self.per_agenda_item and self.kind != QuestionKind.SCALE:
            raise ValueError(f"question {self.code!r}: per_agenda_item applies to a scale only")
        _unique(self.choices, "code", "choice code")
        return self


class SurveyTemplate(_Strict):
    code: Code
    kind: SurveyKind
    name: Text
    introduction: LongText | None = None
    #: Anonymous answers keep no link to who gave them; identified ones do.
    anonymous: bool
    #: How long answering stays open once the survey opens.
    window_days: int = Field(default=14, ge=1, le=60)
    #: One reminder to those who have not answered, this many days after opening (none: 0).
    remind_after_days: int = Field(default=3, ge=0, le=60)
    #: For the final survey: the day (after the cohort's start) it opens.
    offset_days: int | None = Field(default=None, ge=0)
    questions: list[SurveyQuestionTemplate] = Field(min_length=1, max_length=60)

    @model_validator(mode="after")
    def _consistent(self):
        _unique(self.questions, "code", "question code")
        if self.kind == SurveyKind.FINAL and self.offset_days is None:
            raise ValueError(f"survey {self.code!r}: a final survey needs offset_days")
        if self.kind == SurveyKind.SESSION and self.offset_days is not None:
            raise ValueError(
                f"survey {self.code!r}: a session survey opens when each session ends "
                "(no offset_days)"
            )
        if self.kind == SurveyKind.FINAL and any(q.per_agenda_item for q in self.questions):
            raise ValueError(f"survey {self.code!r}: per_agenda_item needs a session survey")
        if self.anonymous and any(q.kind == QuestionKind.TESTIMONY for q in self.questions):
            # A testimony may be published under its author's name: it cannot be anonymous.
            raise ValueError(f"survey {self.code!r}: an anonymous survey cannot hold a testimony")
        if self.remind_after_days >= self.window_days:
            raise ValueError(f"survey {self.code!r}: the reminder must come before the close")
        return self


class CurriculumDocument(_Strict):
    programme: Programme
    phases: list[Phase] = Field(min_length=1)
    thematics: list[Thematic] = Field(min_length=1)
    sessions: list[CollectiveSession] = Field(min_length=1)
    events: list[PlannedEvent] = Field(default_factory=list)
    assessment_moments: list[AssessmentMoment] = Field(default_factory=list)
    calendar: Calendar = Field(default_factory=Calendar)
    referential: Referential
    maturity: MaturityScale
    dynamics: Dynamics
    #: The kinds of parties prenantes a field visit meets (pouvoirs publics, médias…).
    stakeholders: list[Choice] = Field(min_length=1)
    surveys: list[SurveyTemplate] = Field(default_factory=list)

    @model_validator(mode="after")
    def _consistent(self):
        _unique(self.phases, "code", "phase code")
        _unique(self.surveys, "code", "survey code")
        _unique([e for e in self.events if e.pack is not None], "pack", "committee pack")
        _unique(self.thematics, "code", "thematic code")
        _unique([*self.sessions, *self.events], "code", "session or event code")
        _unique(self.assessment_moments, "code", "assessment moment code")
        _unique(self.stakeholders, "code", "stakeholder code")
        known = {t.code for t in self.thematics}
        for session in self.sessions:
            unknown = [code for code in session.thematics if code not in known]
            if unknown:
                raise ValueError(f"session {session.code!r} names unknown thematics {unknown}")
        # A month is at most 31 days: anything later falls outside the programme.
        last_day = self.programme.duration_months * 31
        finals = [s for s in self.surveys if s.kind == SurveyKind.FINAL]
        for item in [*self.sessions, *self.events, *self.assessment_moments, *finals]:
            if item.offset_days > last_day:
                raise ValueError(
                    f"{item.code!r} is planned on day {item.offset_days}, after the end of a "
                    f"{self.programme.duration_months}-month programme"
                )
        for event in self.events:
            if event.per_territory and event.offset_days + event.window - 1 > last_day:
                raise ValueError(
                    f"the window of {event.code!r} ends after the end of a "
                    f"{self.programme.duration_months}-month programme"
                )
        for phase in self.phases:
            if phase.end_month > self.programme.duration_months:
                raise ValueError(f"phase {phase.code!r} ends after the programme")
        self._check_assessment_timing()
        return self

    def _check_assessment_timing(self) -> None:
        """Refuse a comité that would meet before the answers it examines are all in."""
        committees = {
            e.code: e for e in self.events if e.kind == EventKind.COMMITTEE and not e.per_territory
        }
        for moment in self.assessment_moments:
            if moment.feeds is None:
                continue
            committee = committees.get(moment.feeds)
            if committee is None:
                raise ValueError(
                    f"l'auto-évaluation « {moment.name} » ({moment.code}) alimente "
                    f"{moment.feeds!r}, qui n'est pas un comité du programme"
                )
            if committee.offset_days < moment.closes_on_day:
                raise ValueError(
                    f"le comité « {committee.title} » ({committee.code}, jour "
                    f"{committee.offset_days}) se réunit avant la clôture de l'auto-évaluation "
                    f"« {moment.name} » ({moment.code}, ouverte jusqu'au jour "
                    f"{moment.closes_on_day - 1}) qu'il doit examiner : placez-le au jour "
                    f"{moment.closes_on_day} ou après"
                )

    @property
    def competences(self) -> list[Competence]:
        return [c for d in self.referential.domains for c in d.competences]


def natural_key(code: str) -> list:
    """Sort "S10" after "S2"."""
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", code)]
