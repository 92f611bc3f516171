"""The one source of "now". Tests freeze it with :func:`freeze`."""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

_frozen: datetime | None = None

PARIS = ZoneInfo("Europe/Paris")


def now_utc() -> datetime:
    """Return the current time, aware, in UTC."""
    return _frozen if _frozen is not None else datetime.now(UTC)


@contextmanager
def freeze(moment: datetime) -> Iterator[None]:
    """Make now_utc() return ``moment`` inside the block."""
    global _frozen
    if moment.tzinfo is None:
        raise ValueError("freeze() needs an aware datetime")
    previous, _frozen = _frozen, moment.astimezone(UTC)
    try:
        yield
    finally:
        _frozen = previous


def advance(delta: timedelta) -> None:
    """Move a frozen clock forward."""
    global _frozen
    if _frozen is None:
        raise RuntimeError("the clock is not frozen")
    _frozen += delta


def local_to_utc(day: date, at: time, tz: str) -> datetime:
    """Turn a wall-clock time in zone ``tz`` into an aware UTC datetime."""
    return datetime.combine(day, at, tzinfo=ZoneInfo(tz)).astimezone(UTC)
