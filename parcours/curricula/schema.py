"""The shape of a curriculum file, validated with pydantic.

Every rule a curriculum must respect lives here, so that ``curricula validate`` and
``curricula load`` refuse exactly the same files.
"""

import re
from datetime import time
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

Code = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$")]
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


class PlannedEvent(_Dated):
    code: Code
    kind: PlannedKind
    title: Text
    per_territory: bool = False
    description: LongText | None = None


class AssessmentMoment(_Strict):
    code: Code
    name: Text
    offset_days: int = Field(ge=0)
    window_days: int = Field(default=21, ge=1, le=90)


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


class CurriculumDocument(_Strict):
    programme: Programme
    phases: list[Phase] = Field(min_length=1)
    thematics: list[Thematic] = Field(min_length=1)
    sessions: list[CollectiveSession] = Field(min_length=1)
    events: list[PlannedEvent] = Field(default_factory=list)
    assessment_moments: list[AssessmentMoment] = Field(default_factory=list)
    referential: Referential
    maturity: MaturityScale

    @model_validator(mode="after")
    def _consistent(self):
        _unique(self.phases, "code", "phase code")
        _unique(self.thematics, "code", "thematic code")
        _unique([*self.sessions, *self.events], "code", "session or event code")
        _unique(self.assessment_moments, "code", "assessment moment code")
        known = {t.code for t in self.thematics}
        for session in self.sessions:
            unknown = [code for code in session.thematics if code not in known]
            if unknown:
                raise ValueError(f"session {session.code!r} names unknown thematics {unknown}")
        # A month is at most 31 days: anything later falls outside the programme.
        last_day = self.programme.duration_months * 31
        for item in [*self.sessions, *self.events, *self.assessment_moments]:
            if item.offset_days > last_day:
                raise ValueError(
                    f"{item.code!r} is planned on day {item.offset_days}, after the end of a "
                    f"{self.programme.duration_months}-month programme"
                )
        for phase in self.phases:
            if phase.end_month > self.programme.duration_months:
                raise ValueError(f"phase {phase.code!r} ends after the programme")
        return self

    @property
    def competences(self) -> list[Competence]:
        return [c for d in self.referential.domains for c in d.competences]


def natural_key(code: str) -> list:
    """Sort "S10" after "S2"."""
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", code)]
