"""Read-side of attendance: an event's grid, its signed sheets and a cohort's figures, in a fixed
number of queries."""

from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import and_, false, or_, select
from sqlalchemy.orm import joinedload, selectinload

from parcours.agenda.models import Event, EventKind, EventStatus
from parcours.agenda.permissions import ATTENDANCE_KINDS
from parcours.agenda.queries import ExpectedPerson, expected_participants
from parcours.attendance.halfdays import (
    CountedHalfDay,
    HalfDaySlot,
    counted_hours,
    event_half_days,
    half_days,
    programme_windows,
)
from parcours.attendance.models import (
    ATTENDED,
    Attendance,
    AttendanceStatus,
    CheckInCode,
    SignedSheet,
)
from parcours.cohorts.models import Cohort, Membership, Territory
from parcours.core.extensions import db
from parcours.core.time import now_utc
from parcours.storage.models import StoredFile

RecordKey = tuple[int, date, str]


@dataclass(frozen=True)
class TerritoryGroup:
    """The expected people of one territory (None for people who represent none)."""

    territory: Territory | None
    people: list[ExpectedPerson]


def group_by_territory(people: list[ExpectedPerson]) -> list[TerritoryGroup]:
    """Group people, already sorted by territory, into one group per territory."""
    groups: list[TerritoryGroup] = []
    for person in people:
        if not groups or groups[-1].territory is not person.territory:
            groups.append(TerritoryGroup(territory=person.territory, people=[]))
        groups[-1].people.append(person)
    return groups


@dataclass
class AttendanceGrid:
    """Who is expected at an event, its half-days, and what has been recorded."""

    event: Event
    slots: list[HalfDaySlot]
    groups: list[TerritoryGroup]
    records: dict[RecordKey, Attendance]

    @property
    def people(self) -> list[ExpectedPerson]:
        return [person for group in self.groups for person in group.people]

    def record(self, user_id: int, slot: HalfDaySlot) -> Attendance | None:
        return self.records.get((user_id, slot.day, slot.half))


def attendance_grid(event: Event) -> AttendanceGrid:
    """Return the attendance grid of ``event``: expected participants × half-days."""
    people = expected_participants(event)
    records = db.session.scalars(select(Attendance).where(Attendance.event_id == event.id))
    return AttendanceGrid(
        event=event,
        slots=half_days(event),
        groups=group_by_territory(people),
        records={(a.user_id, a.day, a.half): a for a in records},
    )


# Cohort figures ------------------------------------------------------------------------------


class _StatusCounts:
    """Read ``self.counts`` (a Counter of attendance statuses) by status."""

    counts: Counter

    @property
    def attended(self) -> int:
        return sum(self.counts[status] for status in ATTENDED)

    @property
    def late(self) -> int:
        return self.counts[AttendanceStatus.LATE]

    @property
    def excused(self) -> int:
        return self.counts[AttendanceStatus.EXCUSED]

    @property
    def absent(self) -> int:
        return self.counts[AttendanceStatus.ABSENT]


@dataclass
class SlotFigures(_StatusCounts):
    """Counts for one half-day of a session."""

    slot: HalfDaySlot
    expected: int
    counts: Counter = field(default_factory=Counter)
    started: bool = False

    @property
    def taken(self) -> bool:
        """Attendance was taken: at least one record for this half-day."""
        return sum(self.counts.values()) > 0


@dataclass(frozen=True)
class SheetLink:
    """A signed sheet attached to an event, as a list of links names it."""

    id: int
    event_id: int
    filename: str


@dataclass
class SessionFigures:
    event: Event
    slots: list[SlotFigures]
    #: The signed sheets attached (not removed): the session's proof of attendance.
    signed_sheets: list[SheetLink] = field(default_factory=list)

    @property
    def taken(self) -> bool:
        return any(s.taken for s in self.slots)


@dataclass
class ParticipantFigures(_StatusCounts):
    person: ExpectedPerson
    counts: Counter = field(default_factory=Counter)
    half_days_taken: int = 0

    @property
    def unrecorded(self) -> int:
        return self.half_days_taken - sum(self.counts.values())

    @property
    def rate(self) -> float | None:
        return self.attended / self.half_days_taken if self.half_days_taken else None


@dataclass
class TerritoryFigures:
    territory: Territory
    participants: int = 0
    attended: int = 0  # person half-days attended
    possible: int = 0  # person half-days taken
    sessions_represented: int = 0
    sessions_taken: int = 0

    @property
    def rate(self) -> float | None:
        return self.attended / self.possible if self.possible else None


@dataclass
class CohortAttendance:
    sessions: list[SessionFigures]
    territories: list[TerritoryFigures]
    participants: list[ParticipantFigures]

    @property
    def half_days_taken(self) -> int:
        return sum(1 for session in self.sessions for s in session.slots if s.taken)

    @property
    def sessions_taken(self) -> int:
        return sum(1 for session in self.sessions if session.taken)


def cohort_attendance(
    cohort: Cohort, territory_ids: frozenset[int] | None = None
) -> CohortAttendance:
    """Return attendance at the collective sessions of ``cohort``, per session, territory and
    participant; only the people of ``territory_ids`` when given (a coach's territories).

    A half-day counts once attendance has been taken for it (at least one record), so that a
    session not yet held, or not yet marked, does not show everyone absent.
    """
    sessions = db.session.scalars(
        select(Event)
        .where(
            Event.cohort_id == cohort.id,
            Event.kind == EventKind.SESSION,
            Event.territory_id.is_(None),
            Event.status != EventStatus.CANCELLED,
        )
        .order_by(Event.starts_at, Event.id)
    ).all()
    if not sessions:
        return CohortAttendance(sessions=[], territories=[], participants=[])
    # Every collective session expects the same people (ask the agenda once), except that an
    # erased person counts only at the sessions that began before the erasure.
    people = expected_participants(sessions[0])
    if territory_ids is not None:
        people = [p for p in people if p.territory is not None and p.territory.id in territory_ids]
    expected_ids = {person.user.id for person in people}
    rows = db.session.execute(
        select(
            Attendance.event_id,
            Attendance.user_id,
            Attendance.day,
            Attendance.half,
            Attendance.status,
        )
        .join(Event, Event.id == Attendance.event_id)
        .where(
            Event.cohort_id == cohort.id,
            Event.kind == EventKind.SESSION,
            Attendance.user_id.in_(sorted(expected_ids)),
        )
    )
    statuses = {
        (event_id, user_id, day, half): status for event_id, user_id, day, half, status in rows
    }

    sheets = signed_sheet_links([event.id for event in sessions])

    moment = now_utc()
    participants = {p.user.id: ParticipantFigures(person=p) for p in people}
    territories: dict[int, TerritoryFigures] = {}
    for person in people:
        if person.territory is not None:
            figures = territories.setdefault(
                person.territory.id, TerritoryFigures(territory=person.territory)
            )
            figures.participants += 1
    session_figures = []
    for event in sessions:
        expected = [p for p in people if p.user.counts_at(event.starts_at)]
        slots = event_half_days(event.starts_at, event.ends_at, cohort.timezone)
        figures = SessionFigures(event=event, slots=[], signed_sheets=sheets.get(event.id, []))
        represented: set[int] = set()
        for slot in slots:
            slot_figures = SlotFigures(
                slot=slot, expected=len(expected), started=slot.starts_at <= moment
            )
            for person in expected:
                status = statuses.get((event.id, person.user.id, slot.day, slot.half))
                if status is not None:
                    slot_figures.counts[status] += 1
            figures.slots.append(slot_figures)
            if not slot_figures.taken:
                continue
            for person in expected:
                status = statuses.get((event.id, person.user.id, slot.day, slot.half))
                mine = participants[person.user.id]
                mine.half_days_taken += 1
                if status is not None:
                    mine.counts[status] += 1
                if person.territory is not None:
                    territory = territories[person.territory.id]
                    territory.possible += 1
                    if status in ATTENDED:
                        territory.attended += 1
                        represented.add(person.territory.id)
        if figures.taken:
            for territory in territories.values():
                territory.sessions_taken += 1
                if territory.territory.id in represented:
                    territory.sessions_represented += 1
        session_figures.append(figures)
    return CohortAttendance(
        sessions=session_figures,
        territories=sorted(territories.values(), key=lambda t: t.territory.name.lower()),
        participants=list(participants.values()),
    )


def signed_sheet_links(event_ids: list[int]) -> dict[int, list[SheetLink]]:
    """Return the signed sheets attached to each of ``event_ids`` (removed ones left out).

    One query, whatever the number of events; the scans' bytes are not read.
    """
    if not event_ids:
        return {}
    rows = db.session.execute(
        select(SignedSheet.id, SignedSheet.event_id, StoredFile.filename)
        .join(StoredFile, StoredFile.id == SignedSheet.file_id)
        .where(SignedSheet.event_id.in_(sorted(set(event_ids))), SignedSheet.removed_at.is_(None))
        .order_by(SignedSheet.attached_at, SignedSheet.id)
    )
    links: dict[int, list[SheetLink]] = {}
    for sheet_id, event_id, filename in rows:
        links.setdefault(event_id, []).append(SheetLink(sheet_id, event_id, filename))
    return links


def signed_sheets(event: Event) -> list[SignedSheet]:
    """Return every signed sheet of ``event``, removed ones included, oldest first.

    With their files' facts (not their bytes) and who attached and removed them: one query.
    """
    return list(
        db.session.scalars(
            select(SignedSheet)
            .where(SignedSheet.event_id == event.id)
            .options(
                joinedload(SignedSheet.file),  # its bytes are deferred: not read
                joinedload(SignedSheet.attached_by),
                joinedload(SignedSheet.removed_by),
            )
            .order_by(SignedSheet.attached_at, SignedSheet.id)
        ).unique()
    )


def check_in_code(event: Event, slot: HalfDaySlot) -> CheckInCode | None:
    """Return the check-in code given to one half-day of ``event``, if it has one yet."""
    return db.session.scalar(
        select(CheckInCode).where(
            CheckInCode.event_id == event.id,
            CheckInCode.day == slot.day,
            CheckInCode.half == slot.half,
        )
    )


# One participant's record -------------------------------------------------------------------


@dataclass(frozen=True)
class RecordHalfDay:
    """One half-day of an event a participant was expected at, and what was recorded."""

    slot: HalfDaySlot
    record: Attendance | None
    counted: CountedHalfDay | None  # the hours it counts for, when attended

    @property
    def attended(self) -> bool:
        return self.record is not None and self.record.status in ATTENDED


@dataclass(frozen=True)
class RecordLine:
    event: Event
    half_days: list[RecordHalfDay]

    @property
    def hours(self) -> float:
        return sum(h.counted.hours for h in self.half_days if h.counted is not None)


@dataclass(frozen=True)
class ParticipantRecord:
    """A catalyseur's attendance in a cohort: every meeting held so far that expected them."""

    member: Membership
    lines: list[RecordLine]

    @property
    def half_days(self) -> list[RecordHalfDay]:
        return [h for line in self.lines for h in line.half_days]

    @property
    def attended(self) -> int:
        return sum(1 for h in self.half_days if h.attended)

    @property
    def recorded(self) -> int:
        return sum(1 for h in self.half_days if h.record is not None)

    @property
    def hours(self) -> float:
        """The hours the attestation counts (same rule: counted_hours)."""
        return sum(line.hours for line in self.lines)


def participant_record(cohort: Cohort, member: Membership) -> ParticipantRecord:
    """Return ``member``'s attendance at the meetings of ``cohort`` begun so far.

    The collective sessions, their territory's meetings, and any meeting where a mark of
    theirs exists; half-days not begun yet are left out, so nothing reads as missed before
    it happened.
    """
    moment = now_utc()
    records = {
        (a.event_id, a.day, a.half): a
        for a in db.session.scalars(
            select(Attendance)
            .join(Event, Event.id == Attendance.event_id)
            .where(Event.cohort_id == cohort.id, Attendance.user_id == member.user_id)
        )
    }
    marked = {event_id for event_id, _day, _half in records}
    concerns = or_(
        and_(Event.territory_id.is_(None), Event.kind == EventKind.SESSION),
        Event.id.in_(sorted(marked)) if marked else false(),
    )
    if member.territory_id is not None:
        concerns = or_(concerns, Event.territory_id == member.territory_id)
    events = db.session.scalars(
        select(Event)
        .where(
            Event.cohort_id == cohort.id,
            Event.kind.in_(ATTENDANCE_KINDS),
            Event.status != EventStatus.CANCELLED,
            Event.starts_at <= moment,
            concerns,
        )
        .order_by(Event.starts_at, Event.id)
        .options(selectinload(Event.items))
    ).all()
    lines = []
    for event in events:
        programme = programme_windows(event)
        half_days = []
        for slot in event_half_days(event.starts_at, event.ends_at, cohort.timezone):
            if slot.starts_at > moment:
                continue
            record = records.get((event.id, slot.day, slot.half))
            attended = record is not None and record.status in ATTENDED
            counted = counted_hours(slot, programme) if attended else None
            half_days.append(RecordHalfDay(slot=slot, record=record, counted=counted))
        if half_days:
            lines.append(RecordLine(event=event, half_days=half_days))
    return ParticipantRecord(member=member, lines=lines)
