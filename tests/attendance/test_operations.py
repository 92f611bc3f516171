"""Attendance operations: marking, check-in codes and self check-in in their window."""

import logging
from datetime import date

import pytest
from sqlalchemy import func, select

from parcours.accounts.models import User
from parcours.agenda.models import Event
from parcours.attendance import operations
from parcours.attendance.halfdays import half_days
from parcours.attendance.models import Attendance, CheckInCode
from parcours.attendance.operations import AttendanceError, Mark
from parcours.core.extensions import db
from parcours.core.time import freeze
from tests.attendance.conftest import S1_DAY, paris

APRIL_1 = date(2026, 4, 1)


def _user(world, key) -> User:
    return db.session.get(User, world[key])


def _event(events, code) -> Event:
    return db.session.get(Event, events[code])


def _records(event_id: int) -> dict:
    rows = db.session.scalars(select(Attendance).where(Attendance.event_id == event_id))
    return {(a.user_id, a.day, a.half): (a.status, a.comment, a.self_checked_in) for a in rows}


def test_coordinator_records_and_updates_attendance(ctx, world, events):
    s1, coordinator = _event(events, "S1"), _user(world, "coordinator")
    changes = operations.record_attendances(
        s1,
        {
            (world["a1"], APRIL_1, "am"): Mark("present"),
            (world["a1"], APRIL_1, "pm"): Mark("late", "  train en retard "),
            (world["a2"], APRIL_1, "am"): Mark("excused", "Conseil municipal"),
            (world["a1bis"], APRIL_1, "am"): Mark(None),
        },
        recorded_by=coordinator,
    )
    assert changes == 3
    assert _records(s1.id) == {
        (world["a1"], APRIL_1, "am"): ("present", "", False),
        (world["a1"], APRIL_1, "pm"): ("late", "train en retard", False),
        (world["a2"], APRIL_1, "am"): ("excused", "Conseil municipal", False),
    }
    record = db.session.scalar(select(Attendance).where(Attendance.user_id == world["a2"]))
    assert record.recorded_by_id == coordinator.id

    # Saving the same sheet again changes nothing; a cleared status removes the record.
    changes = operations.record_attendances(
        s1,
        {
            (world["a1"], APRIL_1, "am"): Mark("present"),
            (world["a1"], APRIL_1, "pm"): Mark(None),
            (world["a2"], APRIL_1, "am"): Mark("absent", "Conseil municipal"),
        },
        recorded_by=coordinator,
    )
    assert changes == 2
    assert _records(s1.id) == {
        (world["a1"], APRIL_1, "am"): ("present", "", False),
        (world["a2"], APRIL_1, "am"): ("absent", "Conseil municipal", False),
    }


def test_record_one_attendance(ctx, world, events):
    record = operations.record_attendance(
        _event(events, "S1"),
        _user(world, "a2"),
        APRIL_1,
        "pm",
        "present",
        recorded_by=_user(world, "admin"),
    )
    assert (record.user_id, record.day, record.half, record.status) == (
        world["a2"],
        APRIL_1,
        "pm",
        "present",
    )


@pytest.mark.parametrize("who", ["coordinator", "coach", "committee", "b1", "outsider"])
def test_only_expected_participants_can_be_marked(ctx, world, events, who):
    with pytest.raises(AttendanceError, match="n'est pas attendue"):
        operations.record_attendance(
            _event(events, "S1"),
            _user(world, who),
            APRIL_1,
            "am",
            "present",
            recorded_by=_user(world, "coordinator"),
        )
    assert db.session.scalar(select(func.count(Attendance.id))) == 0


def test_a_territory_meeting_expects_only_that_territory(ctx, world, events):
    with pytest.raises(AttendanceError, match="n'est pas attendue"):
        operations.record_attendance(
            _event(events, "BILAT-A1"),
            _user(world, "a2"),
            _event(events, "BILAT-A1").starts_at.date(),
            "am",
            "present",
            recorded_by=_user(world, "coordinator"),
        )


def test_the_committee_is_what_a_comite_expects(ctx, world, events):
    comite = _event(events, "COMITE1")
    record = operations.record_attendance(
        comite,
        _user(world, "committee"),
        date(2026, 3, 9),
        "pm",
        "present",
        recorded_by=_user(world, "coordinator"),
    )
    assert record.status == "present"
    with pytest.raises(AttendanceError, match="n'est pas attendue"):
        operations.record_attendance(
            comite,
            _user(world, "a1"),
            date(2026, 3, 9),
            "pm",
            "present",
            recorded_by=_user(world, "coordinator"),
        )


@pytest.mark.parametrize(
    ("day", "half"),
    [(date(2026, 4, 2), "am"), (APRIL_1, "evening")],
)
def test_half_days_the_event_does_not_cover_are_refused(ctx, world, events, day, half):
    with pytest.raises(AttendanceError, match="demi-journée"):
        operations.record_attendance(
            _event(events, "S1"),
            _user(world, "a1"),
            day,
            half,
            "present",
            recorded_by=_user(world, "coordinator"),
        )


def test_the_comite_has_no_morning(ctx, world, events):
    with pytest.raises(AttendanceError, match="demi-journée"):
        operations.record_attendance(
            _event(events, "COMITE1"),
            _user(world, "committee"),
            date(2026, 3, 9),
            "am",
            "present",
            recorded_by=_user(world, "coordinator"),
        )


def test_unknown_status_comment_without_status_and_long_comment_are_refused(ctx, world, events):
    s1, coordinator = _event(events, "S1"), _user(world, "coordinator")
    key = (world["a1"], APRIL_1, "am")
    for mark, message in (
        (Mark("asleep"), "Statut de présence inconnu"),
        (Mark(None, "malade"), "Choisissez un statut"),
        (Mark("absent", "x" * 501), "trop long"),
    ):
        with pytest.raises(AttendanceError, match=message):
            operations.record_attendances(s1, {key: mark}, recorded_by=coordinator)


def test_no_attendance_for_a_self_assessment_window_or_a_cancelled_event(ctx, world, events):
    coordinator = _user(world, "coordinator")
    t0 = _event(events, "T0")
    with pytest.raises(AttendanceError, match="type de rendez-vous"):
        operations.record_attendances(t0, {}, recorded_by=coordinator)
    s1 = _event(events, "S1")
    s1.status = "cancelled"
    with pytest.raises(AttendanceError, match="annulé"):
        operations.record_attendances(s1, {}, recorded_by=coordinator)
    with pytest.raises(AttendanceError, match="annulé"):
        operations.check_in(s1, _user(world, "a1"), "ABCDEF")


def test_check_in_codes_are_created_once_per_half_day(ctx, events):
    s1 = _event(events, "S1")
    morning, afternoon = half_days(s1)
    code = operations.check_in_code(s1, morning)
    assert len(code.code) == operations.CODE_LENGTH
    assert set(code.code) <= set(operations.CODE_ALPHABET)
    assert not set(code.code) & set("0O1I")
    assert operations.check_in_code(s1, morning).code == code.code
    assert operations.check_in_code(s1, afternoon).id != code.id
    assert db.session.scalar(select(func.count(CheckInCode.id))) == 2


def test_generated_codes_use_only_the_unambiguous_alphabet():
    codes = {operations.new_code() for _ in range(200)}
    assert len(codes) == 200
    assert set("".join(codes)) <= set(operations.CODE_ALPHABET)
    assert not set("0O1IL") & set(operations.CODE_ALPHABET)


def _codes(events):
    s1 = _event(events, "S1")
    morning, afternoon = half_days(s1)
    return (
        s1,
        operations.check_in_code(s1, morning).code,
        operations.check_in_code(s1, afternoon).code,
    )


@pytest.mark.parametrize(
    ("at", "status"),
    [
        ("09:00", "present"),  # 30 minutes early
        ("09:30", "present"),
        ("09:45", "present"),  # 15 minutes after the start: still on time
        ("09:46", "late"),
        ("12:59", "late"),
    ],
)
def test_check_in_inside_the_window_records_present_or_late(ctx, world, events, at, status):
    s1, morning_code, _afternoon_code = _codes(events)
    with freeze(paris(S1_DAY, at)):
        record = operations.check_in(s1, _user(world, "a1"), morning_code)
    assert (record.day, record.half, record.status) == (APRIL_1, "am", status)
    assert record.self_checked_in
    assert record.recorded_by_id == world["a1"]


@pytest.mark.parametrize("at", ["08:59", "13:00", "17:00", "23:00"])
def test_the_morning_code_is_refused_outside_its_window(ctx, world, events, at):
    s1, morning_code, _afternoon_code = _codes(events)
    with freeze(paris(S1_DAY, at)), pytest.raises(AttendanceError, match="que pendant"):
        operations.check_in(s1, _user(world, "a1"), morning_code)
    assert db.session.scalar(select(func.count(Attendance.id))) == 0


def test_the_code_is_refused_on_another_day(ctx, world, events):
    s1, morning_code, _afternoon_code = _codes(events)
    with freeze(paris("2026-04-02", "10:00")), pytest.raises(AttendanceError, match="que pendant"):
        operations.check_in(s1, _user(world, "a1"), morning_code)


def test_the_afternoon_code_opens_at_half_past_twelve(ctx, world, events):
    s1, _morning_code, afternoon_code = _codes(events)
    a1 = _user(world, "a1")
    with freeze(paris(S1_DAY, "12:29")), pytest.raises(AttendanceError, match="que pendant"):
        operations.check_in(s1, a1, afternoon_code)
    with freeze(paris(S1_DAY, "12:30")):
        record = operations.check_in(s1, a1, afternoon_code)
    assert (record.half, record.status) == ("pm", "present")
    with freeze(paris(S1_DAY, "13:20")):
        assert operations.check_in(s1, _user(world, "a2"), afternoon_code).status == "late"


def test_typing_is_forgiving_but_a_wrong_code_is_refused(ctx, world, events):
    s1, morning_code, _afternoon_code = _codes(events)
    with freeze(paris(S1_DAY, "09:40")):
        with pytest.raises(AttendanceError, match="pas le bon"):
            operations.check_in(s1, _user(world, "a1"), "ZZZZZZ")
        with pytest.raises(AttendanceError, match="pas le bon"):
            operations.check_in(s1, _user(world, "a1"), "ÉÉÉÉÉÉ")
        with pytest.raises(AttendanceError, match="Saisissez"):
            operations.check_in(s1, _user(world, "a1"), "  ")
        typed = f" {morning_code[:3].lower()} {morning_code[3:].lower()} "
        assert operations.check_in(s1, _user(world, "a1"), typed).status == "present"


def test_a_code_of_another_event_is_refused(ctx, world, events):
    s1, _morning, _afternoon = _codes(events)
    s1_b = db.session.get(Event, events["S1-B"])
    other = operations.check_in_code(s1_b, half_days(s1_b)[0]).code
    with freeze(paris(S1_DAY, "09:40")), pytest.raises(AttendanceError):
        operations.check_in(s1, _user(world, "a1"), other)


@pytest.mark.parametrize("who", ["coordinator", "coach", "committee", "b1", "outsider", "admin"])
def test_only_expected_participants_check_in(ctx, world, events, who):
    s1, morning_code, _afternoon_code = _codes(events)
    with freeze(paris(S1_DAY, "09:40")), pytest.raises(AttendanceError, match="pas attendu"):
        operations.check_in(s1, _user(world, who), morning_code)


def test_a_second_check_in_changes_nothing_and_a_check_in_overrides_an_absence(ctx, world, events):
    s1, morning_code, _afternoon_code = _codes(events)
    a1, a2 = _user(world, "a1"), _user(world, "a2")
    operations.record_attendance(
        s1, a2, APRIL_1, "am", "absent", "pas encore là", recorded_by=_user(world, "coordinator")
    )
    with freeze(paris(S1_DAY, "09:35")):
        operations.check_in(s1, a1, morning_code)
    with freeze(paris(S1_DAY, "10:30")):
        assert operations.check_in(s1, a1, morning_code).status == "present"
        assert operations.check_in(s1, a2, morning_code).status == "late"
    assert _records(s1.id) == {
        (world["a1"], APRIL_1, "am"): ("present", "", True),
        (world["a2"], APRIL_1, "am"): ("late", "pas encore là", True),
    }


def test_a_catalyseur_checks_in_to_their_territory_meeting(ctx, world, events):
    bilat = _event(events, "BILAT-A1")
    slot = half_days(bilat)[0]
    code = operations.check_in_code(bilat, slot).code
    with freeze(slot.starts_at):
        assert operations.check_in(bilat, _user(world, "a1bis"), code).status == "present"
        with pytest.raises(AttendanceError, match="pas attendu"):
            operations.check_in(bilat, _user(world, "a2"), code)


def test_operations_log_ids_not_names(ctx, world, events, accents, caplog):
    s1, morning_code, _afternoon_code = _codes(events)
    caplog.set_level(logging.INFO, logger="parcours.attendance")
    operations.record_attendance(
        s1,
        _user(world, "a2"),
        APRIL_1,
        "pm",
        "excused",
        "raison personnelle",
        recorded_by=_user(world, "coordinator"),
    )
    with freeze(paris(S1_DAY, "09:40")):
        operations.check_in(s1, _user(world, "a1"), morning_code)
    text = caplog.text
    assert f"event {s1.id}" in text
    for private in ("Élise", "Château", "Françoise", "raison personnelle", morning_code):
        assert private not in text


def test_marks_that_say_what_they_showed_write_only_what_changed(ctx, world, events):
    s1, coordinator = _event(events, "S1"), _user(world, "coordinator")
    a1_am, a1_pm = (world["a1"], APRIL_1, "am"), (world["a1"], APRIL_1, "pm")
    a2_am = (world["a2"], APRIL_1, "am")
    operations.record_attendances(s1, {a1_am: Mark("present")}, recorded_by=coordinator)
    nothing = (None, "")
    # Shown empty and left empty: the mark recorded meanwhile stays.
    changes = operations.record_attendances(
        s1,
        {a1_am: Mark(None, shown=nothing), a2_am: Mark("excused", shown=nothing)},
        recorded_by=coordinator,
    )
    assert changes == 1
    # Shown as recorded and changed: written, removal included.
    changes = operations.record_attendances(
        s1,
        {a1_am: Mark("late", shown=("present", "")), a2_am: Mark(None, shown=("excused", ""))},
        recorded_by=coordinator,
    )
    assert changes == 2
    assert _records(s1.id) == {a1_am: ("late", "", False)}
    # Changed over a value it did not show: refused as a whole, nothing written.
    with pytest.raises(operations.AttendanceConflict) as refused:
        operations.record_attendances(
            s1,
            {a1_am: Mark("absent", shown=("present", "")), a1_pm: Mark("present", shown=nothing)},
            recorded_by=coordinator,
        )
    [conflict] = refused.value.conflicts
    assert (conflict.key, conflict.mine.status, conflict.stored.status) == (a1_am, "absent", "late")
    assert _records(s1.id) == {a1_am: ("late", "", False)}
    # The value chosen meanwhile by someone else is no conflict: nothing to write.
    changes = operations.record_attendances(
        s1, {a1_am: Mark("late", shown=("present", ""))}, recorded_by=coordinator
    )
    assert changes == 0


# Guessing codes ------------------------------------------------------------------------------


def test_wrong_codes_are_limited_per_person_and_half_day(ctx, world, events):
    s1, morning_code, afternoon_code = _codes(events)
    a1, a2 = _user(world, "a1"), _user(world, "a2")
    with freeze(paris(S1_DAY, "09:30")):
        for n in range(5):
            with pytest.raises(AttendanceError, match="pas le bon"):
                operations.check_in(s1, a1, f"WRONG{n}")
        # Even the right code now waits: else trying every code would end up finding it.
        with pytest.raises(operations.TooManyCodes, match="Réessayez dans 10 minutes"):
            operations.check_in(s1, a1, morning_code)
        assert operations.check_in(s1, a2, morning_code).status == "present"  # someone else
    with freeze(paris(S1_DAY, "09:39")), pytest.raises(operations.TooManyCodes, match="1 minute"):
        operations.check_in(s1, a1, morning_code)
    with freeze(paris(S1_DAY, "09:40")):
        assert operations.check_in(s1, a1, morning_code).status == "present"
    with freeze(paris(S1_DAY, "13:00")):  # the afternoon is another half-day
        for n in range(5):
            with pytest.raises(AttendanceError, match="pas le bon"):
                operations.check_in(s1, a2, f"WRONG{n}")
        with pytest.raises(operations.TooManyCodes):
            operations.check_in(s1, a2, afternoon_code)


def test_the_right_code_does_not_count_as_a_try(ctx, world, events):
    s1, morning_code, _afternoon_code = _codes(events)
    a1 = _user(world, "a1")
    with freeze(paris(S1_DAY, "09:30")):
        for n in range(4):
            with pytest.raises(AttendanceError, match="pas le bon"):
                operations.check_in(s1, a1, f"WRONG{n}")
        for _ in range(3):  # scanning the QR code again is no guess
            operations.check_in(s1, a1, morning_code)
        with pytest.raises(AttendanceError, match="pas le bon"):
            operations.check_in(s1, a1, "WRONG9")
