"""How agenda dates read: in the cohort's time zone, in the reader's language."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from flask_babel import format_date, format_datetime, format_time
from flask_babel import gettext as _

from parcours.agenda.models import Event


def in_zone(moment: datetime, zone: str, fmt: str = "medium") -> str:
    """Format an aware datetime in the cohort's time zone (not the reader's)."""
    return format_datetime(moment.astimezone(ZoneInfo(zone)), fmt, rebase=False)


def span(event: Event) -> str:
    """Say when an event happens, in its cohort's zone: one day, or from a day to another."""
    zone = ZoneInfo(event.cohort.timezone)
    start, end = event.starts_at.astimezone(zone), event.ends_at.astimezone(zone)
    if not event.is_meeting:
        return _(
            "du %(start)s au %(end)s",
            start=format_date(start.date(), "medium"),
            end=format_date((end - timedelta(seconds=1)).date(), "medium"),
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
