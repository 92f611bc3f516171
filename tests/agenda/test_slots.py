"""The slot finder: working days, the lunch break, a free slot for each territory's meeting."""

from datetime import UTC, date, datetime, time, timedelta

import pytest

from parcours.agenda import slots
from parcours.curricula.schema import Calendar, PlannedEvent

FRANCE = Calendar()


def _planned(**fields) -> PlannedEvent:
    values = {
        "code": "SUIVI",
        "kind": "follow_up",
        "title": "Suivi",
        "per_territory": True,
        "offset_days": 0,
        "window_days": 14,
        "slot_minutes": 120,
        "start_time": time(9, 30),
        "end_time": time(17, 30),
    }
    return PlannedEvent.model_validate(values | fields)


@pytest.mark.parametrize(
    "holiday",
    [date(2026, 5, 1), date(2026, 7, 14), date(2026, 4, 6), date(2027, 3, 29), date(2026, 12, 25)],
    ids=["1 May", "14 July", "Easter Monday 2026", "Easter Monday 2027", "Christmas"],
)
def test_french_public_holidays_are_not_working_days(holiday):
    assert holiday.weekday() < 5  # a weekday: only the holiday makes it a day off
    assert not slots.is_working_day(holiday, FRANCE)
    following = slots.first_working_days(holiday, FRANCE)
    assert following > holiday and slots.is_working_day(following, FRANCE)
    assert following - holiday <= timedelta(days=3)  # a weekend at most in between


def test_weekends_are_skipped_and_a_multi_day_event_needs_consecutive_working_days():
    friday = date(2027, 1, 8)
    assert slots.is_working_day(friday, FRANCE)
    assert slots.first_working_days(date(2027, 1, 9), FRANCE) == date(2027, 1, 11)
    # Two days from a Friday would run into Saturday: the two days start on Monday.
    assert slots.first_working_days(friday, FRANCE, length=2) == date(2027, 1, 11)
    # Easter Monday 2027 (29 March): a two-day session from the Friday before starts Tuesday.
    assert slots.first_working_days(date(2027, 3, 26), FRANCE, length=2) == date(2027, 3, 30)


def test_metropolitan_france_by_default_and_alsace_moselle_when_asked():
    good_friday = date(2027, 3, 26)
    assert slots.is_working_day(good_friday, FRANCE)
    assert not slots.is_working_day(good_friday, Calendar(subdivision="57"))


def test_meetings_follow_each_other_around_the_lunch_break():
    bilateral = _planned(slot_minutes=90, start_time=time(9, 30), end_time=time(17, 0))
    assert slots.day_slots(bilateral, FRANCE) == [
        (time(9, 30), time(11, 0)),
        (time(11, 0), time(12, 30)),
        (time(14, 0), time(15, 30)),
        (time(15, 30), time(17, 0)),
    ]
    # Two hours from 11:30 would end inside the break: the next one waits until 14:00.
    assert slots.day_slots(_planned(), FRANCE) == [
        (time(9, 30), time(11, 30)),
        (time(14, 0), time(16, 0)),
    ]
    # A visit takes the whole day, lunch included.
    visit = _planned(slot_minutes=None, start_time=time(9, 30), end_time=time(17, 0))
    assert slots.day_slots(visit, FRANCE) == [(time(9, 30), time(17, 0))]
    assert len(slots.day_slots(_planned(), Calendar(lunch_break=None))) == 4


def _local(moment: datetime) -> datetime:
    return moment.astimezone(slots.ZoneInfo("Europe/Paris")).replace(tzinfo=None)


def _find(planned, busy, position=0, target=12, first_day=date(2027, 1, 4)):
    return slots.find_slot(
        planned,
        first_day=first_day,
        zone="Europe/Paris",
        calendar=FRANCE,
        busy=busy,
        position=position,
        target=target,
    )


def test_the_only_free_slot_of_the_window_is_found():
    planned = _planned(window_days=3)  # Monday to Wednesday, two slots a day
    days = [date(2027, 1, 4) + timedelta(days=n) for n in range(3)]
    taken = []
    for day in days:
        for opens, closes in slots.day_slots(planned, FRANCE):
            if (day, opens) != (date(2027, 1, 5), time(14, 0)):
                taken.append(
                    (
                        slots._utc(day, opens, slots.ZoneInfo("Europe/Paris")),
                        slots._utc(day, closes, slots.ZoneInfo("Europe/Paris")),
                    )
                )
    busy = slots.Busy(frozenset(), tuple(taken))
    starts_at, ends_at = _find(planned, busy)
    assert (_local(starts_at), _local(ends_at)) == (
        datetime(2027, 1, 5, 14, 0),
        datetime(2027, 1, 5, 16, 0),
    )


def test_days_of_the_whole_cohort_are_skipped_and_a_full_window_overflows():
    planned = _planned(window_days=2)
    busy = slots.Busy(frozenset({date(2027, 1, 4), date(2027, 1, 5)}), ())
    starts_at, _ = _find(planned, busy)
    assert _local(starts_at) == datetime(2027, 1, 6, 9, 30)  # the next working day


def test_territories_share_the_window_instead_of_piling_up_at_its_start():
    planned = _planned(window_days=14)  # 10 working days from Monday 4 January 2027
    busy = slots.Busy(frozenset(), ())
    placed = []
    for position in range(10):
        starts_at, ends_at = _find(planned, busy, position=position, target=10)
        busy = busy.with_interval(starts_at, ends_at)
        placed.append(_local(starts_at).date())
    assert len(set(placed)) == 10  # one a day rather than two a day over five days
    assert all(slots.is_working_day(day, FRANCE) for day in placed)
    assert min(placed) == date(2027, 1, 4) and max(placed) == date(2027, 1, 15)


def test_the_same_input_gives_the_same_slots():
    def run():
        busy = slots.Busy(frozenset({date(2027, 1, 6)}), ())
        found = []
        for position in range(12):
            found.append(_find(_planned(), busy, position=position))
            busy = busy.with_interval(*found[-1])
        return found

    first = run()
    assert first == run()
    assert all(start.tzinfo is UTC for start, _ in first)


def test_starting_the_application_does_not_import_the_holidays_of_every_country():
    import subprocess
    import sys

    # Importing them all took seconds on a busy machine, at every worker's start; the first
    # request timed out. They are read when a curriculum is validated or a meeting placed.
    code = (
        "import sys; import parcours.models, parcours.agenda.operations, "
        "parcours.curricula.schema; print('holidays' in sys.modules)"
    )
    result = subprocess.run(  # noqa: S603 (our own interpreter)
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"
