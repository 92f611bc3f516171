"""The data of the attendance papers, gathered from the database; pdf.py draws them."""

from dataclasses import dataclass
from datetime import date, time
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from parcours.accounts.models import User
from parcours.agenda.models import KIND_LABELS, Event, EventKind, EventStatus
from parcours.agenda.permissions import ATTENDANCE_KINDS
from parcours.attendance.halfdays import (
    CountedHalfDay,
    HalfDaySlot,
    HoursBasis,
    counted_hours,
    event_half_days,
    programme_windows,
)
from parcours.attendance.models import ATTENDED, Attendance
from parcours.attendance.queries import attendance_grid
from parcours.cohorts.models import Cohort, Membership, Role
from parcours.core.extensions import db
from parcours.core.time import now_utc


@dataclass(frozen=True)
class ProgrammeLine:
    """One item of the event's programme, in local time."""

    starts_at: time
    ends_at: time
    kind_label: str
    title: str
    speaker: str


@dataclass(frozen=True)
class SheetLine:
    """One expected participant; ``marks`` holds the recorded status per half-day, if wanted."""

    name: str
    organisation: str
    marks: tuple[str | None, ...]


@dataclass(frozen=True)
class SheetGroup:
    territory: str  # "" for people who represent no territory (Comité d'orientation)
    lines: tuple[SheetLine, ...]


@dataclass(frozen=True)
class SignatureSheet:
    """The feuille d'émargement of one event."""

    programme: str
    cohort: str
    code: str
    title: str
    kind_label: str
    first_day: date
    last_day: date
    starts_at: time
    ends_at: time
    venue_name: str
    venue_address: str
    speakers: tuple[str, ...]
    agenda: tuple[ProgrammeLine, ...]
    half_days: tuple[HalfDaySlot, ...]
    groups: tuple[SheetGroup, ...]
    prefilled: bool

    @property
    def participant_count(self) -> int:
        return sum(len(group.lines) for group in self.groups)


def signature_sheet(event: Event, *, prefill: bool = False) -> SignatureSheet:
    """Gather the signature sheet of ``event``, blank or with the recorded presence."""
    cohort = event.cohort
    zone = ZoneInfo(cohort.timezone)
    grid = attendance_grid(event)
    groups = []
    for group in grid.groups:
        lines = []
        for person in group.people:
            marks = tuple(
                (record.status if (record := grid.record(person.user.id, slot)) else None)
                if prefill
                else None
                for slot in grid.slots
            )
            lines.append(
                SheetLine(
                    name=person.name,
                    organisation=person.organisation,
                    marks=marks,
                )
            )
        groups.append(
            SheetGroup(
                territory=group.territory.name if group.territory else "", lines=tuple(lines)
            )
        )
    local_start, local_end = event.starts_at.astimezone(zone), event.ends_at.astimezone(zone)
    return SignatureSheet(
        programme=cohort.curriculum.programme.name,
        cohort=cohort.name,
        code=event.code,
        title=event.title,
        kind_label=str(KIND_LABELS[EventKind(event.kind)]),
        first_day=local_start.date(),
        last_day=local_end.date(),
        starts_at=local_start.time(),
        ends_at=local_end.time(),
        venue_name=event.venue_name,
        venue_address=event.venue_address,
        speakers=tuple(event.speaker_list),
        agenda=tuple(
            ProgrammeLine(
                starts_at=item.starts_at.astimezone(zone).time(),
                ends_at=item.ends_at.astimezone(zone).time(),
                kind_label=str(item.kind_label),
                title=item.title,
                speaker=item.speaker,
            )
            for item in event.items
        ),
        half_days=tuple(grid.slots),
        groups=tuple(groups),
        prefilled=prefill,
    )


@dataclass(frozen=True)
class AttestationLine:
    """One event attended, with the half-days attended and the hours each counts for."""

    code: str
    title: str
    kind_label: str
    first_day: date
    half_days: tuple[CountedHalfDay, ...]

    @property
    def hours(self) -> float:
        return sum(half_day.hours for half_day in self.half_days)

    @property
    def bases(self) -> frozenset[HoursBasis]:
        """Where this line's hours come from (both when only some half-days have lines)."""
        return frozenset(half_day.basis for half_day in self.half_days)


@dataclass(frozen=True)
class Attestation:
    """The attestation de participation of one catalyseur in one cohort."""

    programme: str
    cohort: str
    cohort_start: date
    cohort_end: date
    participant: str
    organisation: str
    territory: str
    lines: tuple[AttestationLine, ...]
    signatories: tuple[str, ...]
    issued_on: date

    @property
    def total_hours(self) -> float:
        return sum(line.hours for line in self.lines)

    @property
    def half_day_count(self) -> int:
        return sum(len(line.half_days) for line in self.lines)

    @property
    def bases(self) -> frozenset[HoursBasis]:
        return frozenset(basis for line in self.lines for basis in line.bases)


def attestation(cohort: Cohort, member: Membership) -> Attestation:
    """Gather the attestation of the catalyseur ``member``: the half-days they attended."""
    user = member.user
    rows = db.session.execute(
        select(Event, Attendance.day, Attendance.half)
        .join(Attendance, Attendance.event_id == Event.id)
        .where(
            Event.cohort_id == cohort.id,
            Event.kind.in_(ATTENDANCE_KINDS),
            Event.status != EventStatus.CANCELLED,
            Attendance.user_id == user.id,
            Attendance.status.in_(ATTENDED),
        )
        .order_by(Event.starts_at, Event.id)
        .options(selectinload(Event.items))
    ).all()
    attended: dict[int, tuple[Event, set]] = {}
    for event, day, half in rows:
        attended.setdefault(event.id, (event, set()))[1].add((day, half))
    lines = []
    for event, keys in attended.values():
        slots = event_half_days(event.starts_at, event.ends_at, cohort.timezone)
        programme = programme_windows(event)
        kept = tuple(
            counted_hours(slot, programme) for slot in slots if (slot.day, slot.half) in keys
        )
        if not kept:
            continue  # the event moved after attendance was taken: nothing left to count
        lines.append(
            AttestationLine(
                code=event.code,
                title=event.title,
                kind_label=str(KIND_LABELS[EventKind(event.kind)]),
                first_day=slots[0].day,
                half_days=kept,
            )
        )
    coordinators = db.session.scalars(
        select(User.full_name)
        .join(Membership, Membership.user_id == User.id)
        .where(
            Membership.cohort_id == cohort.id,
            Membership.role == Role.COORDINATOR,
            User.active.is_(True),
        )
        .order_by(User.full_name)
    ).all()
    return Attestation(
        programme=cohort.curriculum.programme.name,
        cohort=cohort.name,
        cohort_start=cohort.start_date,
        cohort_end=cohort.end_date,
        participant=user.full_name,
        organisation=user.organisation,
        territory=member.territory.name if member.territory else "",
        lines=tuple(lines),
        signatories=tuple(coordinators),
        issued_on=now_utc().astimezone(ZoneInfo(cohort.timezone)).date(),
    )
