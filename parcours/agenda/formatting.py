"""How agenda dates read: in the cohort's time zone, in the reader's language."""

from datetime import datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

from babel import Locale
from flask_babel import format_time, get_locale
from flask_babel import gettext as _

from parcours.agenda.days import last_day
from parcours.agenda.models import Event
from parcours.core.i18n import format_date, format_datetime

#: Formatted moments kept per process. A moment always reads the same in one language and
#: zone, and pages show the same events over and over: formatting them again (Babel's
#: patterns, time zones, translations) was most of the cost of a page listing many events.
FORMATTED_CACHE_SIZE = 8192


def in_zone(moment: datetime, zone: str, fmt: str = "medium") -> str:
    """Format an aware datetime in the cohort's time zone (not the reader's)."""
    return _in_zone(moment, zone, fmt, get_locale())


@lru_cache(maxsize=FORMATTED_CACHE_SIZE)
def _in_zone(moment: datetime, zone: str, fmt: str, locale: Locale | None) -> str:
    return format_datetime(moment.astimezone(ZoneInfo(zone)), fmt, rebase=False)


def span(event: Event) -> str:
    """Say when an event happens, in its cohort's zone: one day, or from a day to another."""
    return _span(
        event.starts_at,
        event.ends_at,
        not event.is_meeting,
        event.cohort.timezone,
        get_locale(),
    )


def span_between(
    event: Event, starts_at: datetime, ends_at: datetime, zone: str | None = None
) -> str:
    """Say when ``event`` is between two other instants (before or after a move), in ``zone``.

    By default in its cohort's zone.
    """
    return _span(
        starts_at, ends_at, not event.is_meeting, zone or event.cohort.timezone, get_locale()
    )


@lru_cache(maxsize=FORMATTED_CACHE_SIZE)
def _span(
    starts_at: datetime, ends_at: datetime, whole_days: bool, zone: str, locale: Locale | None
) -> str:
    tz = ZoneInfo(zone)
    start, end = starts_at.astimezone(tz), ends_at.astimezone(tz)
    if whole_days:
        return _(
            "du %(start)s au %(end)s",
            start=format_date(start.date(), "medium"),
            end=format_date(last_day(ends_at, zone), "medium"),
        )
    if start.date() == end.date():
        return _(
            "%(day)s, %(start)s–%(end)s",
            day=format_date(start.date(), "full"),
            start=format_time(start, "short", rebase=False),
            end=format_time(end, "short", rebase=False),
        )
    return _(
        "du %(start)s au %(end)s",
        start=format_datetime_short(start),
        end=format_datetime_short(end),
    )


def format_datetime_short(moment: datetime) -> str:
    """Format a moment as « lundi 4 mai 2026 14:00 » (in the reader's language)."""
    return format_datetime(moment, "EEEE d MMMM y HH:mm", rebase=False)


def last_day_in_zone(ends_at: datetime, zone: str, fmt: str = "medium") -> str:
    """Format the last day a span ending at ``ends_at`` covers (see days.last_day)."""
    return format_date(last_day(ends_at, zone), fmt)
