"""Attendance operations: mark presence, hand out check-in codes, check in, attach the signed
sheets. Callers commit."""

import hmac
import logging
import math
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from werkzeug.datastructures import FileStorage

from parcours.accounts import throttle
from parcours.accounts.models import User
from parcours.agenda.models import Event
from parcours.agenda.permissions import ATTENDANCE_KINDS
from parcours.agenda.queries import expected_participants
from parcours.attendance.halfdays import (
    HalfDaySlot,
    find_slot,
    half_days,
    open_for_check_in,
)
from parcours.attendance.models import (
    ATTENDED,
    Attendance,
    AttendanceStatus,
    CheckInCode,
    SignedSheet,
)
from parcours.audit import operations as audit
from parcours.audit.models import AuditAction
from parcours.core.concurrency import savepoint
from parcours.core.extensions import db
from parcours.core.i18n import format_date
from parcours.core.time import local_to_utc, now_utc
from parcours.storage import files

logger = logging.getLogger(__name__)

#: Check-in codes avoid characters that are easy to confuse (0/O, 1/I/L).
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 6

#: A check-in later than this after the half-day starts is recorded as « en retard ».
LATE_AFTER = timedelta(minutes=15)

COMMENT_MAX_LENGTH = 500

STATUSES = frozenset(status.value for status in AttendanceStatus)


#: Wrong check-in codes a person may type per event and half-day: the code has only six
#: characters, so it must not be guessable by trying.
CHECK_IN_LIMIT = throttle.Limit(
    "check-in", "PARCOURS_CHECK_IN_MAX_FAILURES", "PARCOURS_CHECK_IN_WINDOW_MINUTES"
)


class AttendanceError(ValueError):
    """A refused attendance change, with a translated message."""


class TooManyCodes(AttendanceError):
    """Too many wrong check-in codes in a row: the next try must wait."""

    def __init__(self, refusal: throttle.Throttled) -> None:
        minutes = math.ceil(refusal.retry_after.total_seconds() / 60)
        super().__init__(
            ngettext(
                "Trop de codes erronés. Réessayez dans %(num)d minute.",
                "Trop de codes erronés. Réessayez dans %(num)d minutes.",
                minutes,
            )
        )
        self.retry_after_seconds = refusal.retry_after_seconds


@dataclass(frozen=True)
class Mark:
    """What the person taking attendance chose for one person and one half-day."""

    status: str | None  # None: not recorded (an existing record is removed)
    comment: str = ""
    # What the sheet showed for this half-day when it was rendered, as (status, comment).
    # Given, a mark equal to it is no change, and a record changed since is not overwritten.
    # None (a script, the demo): the mark is written whatever is stored.
    shown: tuple[str | None, str] | None = None


@dataclass(frozen=True)
class MarkConflict:
    """A half-day changed by someone else since the sheet was rendered, to another value."""

    key: tuple[int, date, str]
    mine: Mark
    stored: Attendance | None  # None: the record was removed meanwhile


class AttendanceConflict(AttendanceError):
    """Marks the sheet would overwrite without having shown them; nothing was written."""

    def __init__(self, conflicts: list[MarkConflict]) -> None:
        super().__init__(
            _(
                "Ces présences ont été modifiées par quelqu'un d'autre depuis l'ouverture de la "
                "page : rien n'a été enregistré."
            )
        )
        self.conflicts = conflicts


def _check_event(event: Event) -> None:
    if event.kind not in ATTENDANCE_KINDS:
        raise AttendanceError(_("On ne relève pas les présences pour ce type de rendez-vous."))
    if event.is_cancelled:
        raise AttendanceError(_("Ce rendez-vous est annulé."))


def recording_opens_on(event: Event) -> date:
    """Return the day attendance may first be recorded: the event's first local day.

    Not before: marks for a session months ahead are a mistake (a wrong event chosen). The
    signature sheet, a PDF to print, is there from the start.
    """
    return event.starts_at.astimezone(ZoneInfo(event.cohort.timezone)).date()


def recording_is_open(event: Event, moment: datetime | None = None) -> bool:
    """Tell whether attendance of ``event`` may be recorded at ``moment`` (now by default)."""
    opens = local_to_utc(recording_opens_on(event), time(0, 0), event.cohort.timezone)
    return (moment or now_utc()) >= opens


def _check_recording_open(event: Event) -> None:
    if not recording_is_open(event):
        raise AttendanceError(
            _(
                "L'émargement de ce rendez-vous ouvre le jour même, le %(day)s.",
                day=format_date(recording_opens_on(event), "full"),
            )
        )


@dataclass(frozen=True)
class CheckInWindow:
    """Where check-in with a code stands at a moment: open, not yet open, or over."""

    open_slots: tuple[HalfDaySlot, ...]
    next_opening: datetime | None  # when the next half-day's code starts to work
    ended_at: datetime | None  # set once the event's last half-day is over

    @property
    def is_open(self) -> bool:
        return bool(self.open_slots)

    @property
    def is_over(self) -> bool:
        return self.ended_at is not None


def check_in_window(event: Event, moment: datetime | None = None) -> CheckInWindow:
    """Return whether check-in at ``event`` is open at ``moment``, and if not, until when."""
    moment = moment or now_utc()
    slots = half_days(event)
    opening = next((s.check_in_opens_at for s in slots if s.check_in_opens_at > moment), None)
    over = bool(slots) and moment >= slots[-1].ends_at
    return CheckInWindow(
        open_slots=tuple(open_for_check_in(slots, moment)),
        next_opening=opening,
        ended_at=slots[-1].ends_at if over else None,
    )


def _value(status: str | None, comment: str) -> tuple[str | None, str]:
    return (status or None, comment.strip())


def record_attendances(
    event: Event,
    marks: Mapping[tuple[int, date, str], Mark],
    *,
    recorded_by: User,
) -> int:
    """Record the attendance of expected participants, keyed by (user id, day, half).

    Only what changed is written; a mark without status removes the record. A mark that says
    what it was shown writes only if the user changed it, and only over what they were shown
    (or over the very value they chose): a record changed meanwhile to anything else, by
    another sheet or a self check-in, makes the whole save an AttendanceConflict. Return how
    many records were created, changed or removed.
    """
    _check_event(event)
    _check_recording_open(event)
    expected = {person.user.id for person in expected_participants(event)}
    slots = half_days(event)
    for (user_id, day, half), mark in marks.items():
        if user_id not in expected:
            raise AttendanceError(_("Cette personne n'est pas attendue à ce rendez-vous."))
        if find_slot(slots, day, half) is None:
            raise AttendanceError(_("Ce rendez-vous n'a pas lieu sur cette demi-journée."))
        if mark.status is not None and mark.status not in STATUSES:
            raise AttendanceError(_("Statut de présence inconnu."))
        if mark.status is None and mark.comment.strip():
            raise AttendanceError(_("Choisissez un statut pour ajouter un commentaire."))
        if len(mark.comment) > COMMENT_MAX_LENGTH:
            raise AttendanceError(_("Le commentaire est trop long."))
    existing = {
        (a.user_id, a.day, a.half): a
        for a in db.session.scalars(select(Attendance).where(Attendance.event_id == event.id))
    }
    # Decide everything before writing anything: a conflict leaves the session untouched.
    writes, conflicts = [], []
    for key, mark in marks.items():
        record = existing.get(key)
        stored = _value(record.status, record.comment) if record else (None, "")
        wanted = _value(mark.status, mark.comment)
        if wanted == stored:
            continue
        if mark.shown is not None:
            shown = _value(*mark.shown)
            if wanted == shown:
                continue  # not changed on the page: what is stored stays
            if stored != shown:
                conflicts.append(MarkConflict(key, mark, record))
                continue
        writes.append((key, wanted, record))
    if conflicts:
        raise AttendanceConflict(conflicts)
    for key, (status, comment), record in writes:
        if status is None:
            db.session.delete(record)
            continue
        if record is None:
            user_id, day, half = key
            record = Attendance(event_id=event.id, user_id=user_id, day=day, half=half)
            db.session.add(record)
        record.status = status
        record.comment = comment
        record.self_checked_in = False
        record.recorded_by_id = recorded_by.id
        record.recorded_at = now_utc()
    db.session.flush()
    _freeze_dates_if_recorded(event)
    logger.info(
        "Attendance of event %s recorded by user %s: %d change(s)",
        event.id,
        recorded_by.id,
        len(writes),
    )
    return len(writes)


def _freeze_dates_if_recorded(event: Event) -> None:
    """Tell the agenda whether marks exist: an event with attendance keeps its dates."""
    recorded = select(Attendance.id).where(Attendance.event_id == event.id).limit(1)
    event.dates_frozen = db.session.scalar(recorded) is not None
    db.session.flush()


def record_attendance(
    event: Event,
    user: User,
    day: date,
    half: str,
    status: str | None,
    comment: str = "",
    *,
    recorded_by: User,
) -> Attendance | None:
    """Record one person's attendance at one half-day of ``event``."""
    record_attendances(
        event, {(user.id, day, half): Mark(status, comment)}, recorded_by=recorded_by
    )
    return db.session.scalar(
        select(Attendance).where(
            Attendance.event_id == event.id,
            Attendance.user_id == user.id,
            Attendance.day == day,
            Attendance.half == half,
        )
    )


def new_code() -> str:
    """Return a random check-in code."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalize_code(code: str) -> str:
    """Return a typed code as stored: upper case, without spaces or dashes."""
    return "".join(code.split()).replace("-", "").upper()


def check_in_code(event: Event, slot: HalfDaySlot) -> CheckInCode:
    """Return the check-in code of one half-day of ``event``, creating it the first time."""
    _check_event(event)
    query = select(CheckInCode).where(
        CheckInCode.event_id == event.id,
        CheckInCode.day == slot.day,
        CheckInCode.half == slot.half,
    )
    code = db.session.scalar(query)
    if code is not None:
        return code
    code = CheckInCode(event_id=event.id, day=slot.day, half=slot.half, code=new_code())
    try:
        with savepoint():
            db.session.add(code)
    except IntegrityError:  # someone else showed the code at the same moment
        return db.session.scalar(query)
    logger.info("Check-in code created for event %s, %s %s", event.id, slot.day, slot.half)
    return code


def _same(stored: str, typed: str) -> bool:
    return hmac.compare_digest(stored.encode(), typed.encode())


def check_in(event: Event, user: User, code: str) -> Attendance:
    """Record ``user`` present (or late) with the code shown in the room for this half-day."""
    from parcours.attendance.permissions import can_check_in

    _check_event(event)
    if not can_check_in(user, event):
        raise AttendanceError(_("Vous n'êtes pas attendu·e à ce rendez-vous."))
    typed = normalize_code(code)
    if not typed:
        raise AttendanceError(_("Saisissez le code affiché dans la salle."))
    moment = now_utc()
    codes = db.session.scalars(select(CheckInCode).where(CheckInCode.event_id == event.id)).all()
    slots = half_days(event)
    open_slots = open_for_check_in(slots, moment)
    half_day = f"{open_slots[0].day}:{open_slots[0].half}" if open_slots else "closed"
    try:
        # Counted before the code is compared, so that parallel tries count each other.
        ticket = throttle.take((CHECK_IN_LIMIT, f"{user.id}:{event.id}:{half_day}"))
    except throttle.Throttled as refusal:
        raise TooManyCodes(refusal) from None
    matching = next(
        (
            (slot, stored)
            for slot in open_slots
            for stored in codes
            if (stored.day, stored.half) == (slot.day, slot.half) and _same(stored.code, typed)
        ),
        None,
    )
    if matching is None:
        if any(_same(stored.code, typed) for stored in codes) or not open_slots:
            raise AttendanceError(
                _("Ce code n'est valable que pendant sa demi-journée de rendez-vous.")
            )
        raise AttendanceError(
            _("Ce code n'est pas le bon. Vérifiez le code affiché dans la salle.")
        )
    throttle.release(ticket)  # the right code: not a failure
    slot, _stored = matching
    status = (
        AttendanceStatus.LATE if moment > slot.starts_at + LATE_AFTER else AttendanceStatus.PRESENT
    )
    record = db.session.scalar(
        select(Attendance).where(
            Attendance.event_id == event.id,
            Attendance.user_id == user.id,
            Attendance.day == slot.day,
            Attendance.half == slot.half,
        )
    )
    if record is not None and record.status in ATTENDED:
        return record  # already there: a second scan changes nothing
    if record is None:
        record = Attendance(event_id=event.id, user_id=user.id, day=slot.day, half=slot.half)
        db.session.add(record)
    record.status = status
    record.self_checked_in = True
    record.recorded_by_id = user.id
    record.recorded_at = moment
    db.session.flush()
    _freeze_dates_if_recorded(event)
    logger.info(
        "User %s checked in to event %s, %s %s (%s)", user.id, event.id, slot.day, slot.half, status
    )
    return record


# Signed sheets -------------------------------------------------------------------------------


class SheetError(AttendanceError):
    """A signed sheet that cannot be attached or removed, with a translated message."""


def attach_signed_sheets(
    event: Event, uploads: list[FileStorage], *, attached_by: User
) -> list[SignedSheet]:
    """Keep the scans of ``event``'s signed sheet (PDF, JPEG or PNG), one row each; no commit.

    Raises :class:`files.Refused` for a file that is not a scan, :class:`SheetError` for a
    cancelled event or one that has not begun (nothing was signed yet).
    """
    if event.is_cancelled:
        raise SheetError(_("Ce rendez-vous est annulé : il n'a pas de feuille signée."))
    if not recording_is_open(event):
        raise SheetError(
            _(
                "La feuille signée se joint une fois le rendez-vous commencé, à partir du %(day)s.",
                day=format_date(recording_opens_on(event), "full"),
            )
        )
    moment = now_utc()
    sheets = []
    for upload in uploads:
        stored = files.store(upload, user_id=attached_by.id, kinds=files.SCAN_KINDS)
        sheet = SignedSheet(event=event, file=stored, attached_by=attached_by, attached_at=moment)
        db.session.add(sheet)
        sheets.append(sheet)
    db.session.flush()
    for sheet in sheets:
        logger.info(
            "Signed sheet %s (file %s, sha256 %s) attached to event %s by user %s",
            sheet.id,
            sheet.file_id,
            sheet.file.sha256,
            event.id,
            attached_by.id,
        )
    return sheets


def remove_signed_sheet(sheet: SignedSheet, *, removed_by: User) -> None:
    """Withdraw a signed sheet: the row and the scan stay, with who removed it and when."""
    if sheet.removed:
        raise SheetError(_("Cette feuille signée a déjà été retirée."))
    sheet.removed_at = now_utc()
    sheet.removed_by = removed_by
    db.session.flush()
    audit.record(
        AuditAction.RECORD_DELETED,
        actor=removed_by,
        cohort=sheet.event.cohort_id,
        target=sheet,
        details={"event_id": sheet.event_id},
    )
    logger.info(
        "Signed sheet %s of event %s removed by user %s", sheet.id, sheet.event_id, removed_by.id
    )
