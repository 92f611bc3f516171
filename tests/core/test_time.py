"""The one clock: now_utc(), freeze() and advance()."""

from datetime import UTC, date, datetime, time, timedelta, timezone

import pytest

from parcours.core.time import advance, freeze, local_to_utc, now_utc


def test_now_utc_is_aware_and_current():
    before = datetime.now(UTC)
    now = now_utc()
    assert now.tzinfo is UTC
    assert before <= now <= datetime.now(UTC)


def test_freeze_makes_now_utc_return_the_frozen_instant():
    moment = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    with freeze(moment):
        assert now_utc() == moment
        assert now_utc() == moment  # time does not pass
    assert now_utc() > moment + timedelta(days=1) or now_utc() < moment
    assert abs(now_utc() - datetime.now(UTC)) < timedelta(seconds=5)


def test_freeze_converts_to_utc():
    with freeze(datetime(2026, 7, 1, 12, 0, tzinfo=timezone(timedelta(hours=2)))):
        assert now_utc() == datetime(2026, 7, 1, 10, 0, tzinfo=UTC)
        assert now_utc().tzinfo is UTC


def test_freeze_refuses_a_naive_datetime():
    with pytest.raises(ValueError, match="aware"), freeze(datetime(2026, 3, 2, 9, 0)):
        pass  # pragma: no cover


def test_advance_moves_the_frozen_clock_and_freezes_nest():
    start = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    with freeze(start):
        advance(timedelta(minutes=15))
        assert now_utc() == start + timedelta(minutes=15)
        with freeze(start + timedelta(days=3)):
            assert now_utc() == start + timedelta(days=3)
        assert now_utc() == start + timedelta(minutes=15)


def test_advance_needs_a_frozen_clock():
    with pytest.raises(RuntimeError, match="not frozen"):
        advance(timedelta(minutes=1))


@pytest.mark.parametrize(
    ("day", "expected_hour"),
    [(date(2026, 1, 15), 9), (date(2026, 7, 15), 8)],
    ids=["winter", "summer"],
)
def test_local_to_utc_follows_daylight_saving(day, expected_hour):
    moment = local_to_utc(day, time(10, 0), "Europe/Paris")
    assert moment == datetime.combine(day, time(expected_hour, 0), tzinfo=UTC)


def test_sort_key_ignores_accents_and_case():
    from parcours.core.text import sort_key

    names = ["Zoé", "élodie", "Éric", "Anne", "Île-de-France"]
    assert sorted(names, key=sort_key) == ["Anne", "élodie", "Éric", "Île-de-France", "Zoé"]
