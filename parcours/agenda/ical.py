"""iCalendar (RFC 5545) files of events: a pure builder, from events to bytes, no database access.

The caller loads what the builder reads (each event's cohort, territory, agenda items and
documents) and says where each event's page lives. One UID per event, forever; SEQUENCE is the
event's own counter, so a calendar application replaces its copy whenever the event changes;
a cancelled event stays, with STATUS:CANCELLED, so that applications remove or strike it out.

The feed and the downloadable file are published (METHOD:PUBLISH); the file an e-mail carries
is a scheduling message (iTIP, RFC 5546): METHOD:REQUEST invites or updates, METHOD:CANCEL
removes, addressed to its recipient as ATTENDEE, from the programme as ORGANIZER. Both carry
the same UID and SEQUENCE for the same state of an event, so a calendar that got one
recognises the other. An event over several days at the same hours is one VEVENT repeated
daily (RRULE), not one busy block through the nights: one UID, so an update or a
cancellation reaches every day at once, and Outlook, which reads only the first VEVENT of an
invitation, still sees them all.
"""

import calendar as pycalendar
import functools
import logging
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from email.utils import parseaddr
from enum import StrEnum
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from icalendar import (
    Calendar,
    Timezone,
    TimezoneDaylight,
    TimezoneStandard,
    vCalAddress,
    vDuration,
)
from icalendar import Event as VEvent

from parcours.agenda.days import last_day, meeting_days, meets_at_same_hours
from parcours.agenda.models import Event
from parcours.core.i18n import format_date
from parcours.core.time import now_utc

logger = logging.getLogger(__name__)

PRODID = "-//Parcours//Parcours//FR"
DEFAULT_TIMEZONE = "Europe/Paris"
#: How often subscribed calendar applications should fetch the feed again.
REFRESH_INTERVAL = timedelta(hours=1)
#: The organiser's name when the sender address carries none.
DEFAULT_ORGANIZER_NAME = "Parcours"

EventUrl = Callable[[Event], str]

_WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


class Method(StrEnum):
    """What a calendar file asks of the application that reads it (RFC 5546)."""

    PUBLISH = "PUBLISH"  # a feed or a download: no one is invited
    REQUEST = "REQUEST"  # an invitation, or the new version of one
    CANCEL = "CANCEL"  # the event is cancelled, or no longer concerns the attendee


@dataclass(frozen=True)
class CalendarUser:
    """Someone a calendar file names: the organiser, or the attendee a message is for."""

    email: str
    name: str

    def address(self, **parameters: str) -> vCalAddress:
        """Return the ``mailto:`` address, with the name (CN) and ``parameters``."""
        address = vCalAddress(f"mailto:{self.email}")
        address.params["CN"] = self.name
        for key, value in parameters.items():
            address.params[key.upper()] = value
        return address


def organizer_from(sender: str) -> CalendarUser:
    """Return the organiser named by a sender address such as ``Parcours <noreply@…>``."""
    name, email = parseaddr(sender)
    return CalendarUser(email=email, name=name or DEFAULT_ORGANIZER_NAME)


def mime_type(method: Method) -> str:
    """Return the content type of an e-mail part holding a calendar file of ``method``."""
    return f"text/calendar; method={method}; charset=UTF-8"


def event_uid(event: Event, host: str) -> str:
    """Return the UID of ``event``: the same in every feed, file and e-mail, forever."""
    return f"parcours-event-{event.id}@{host}"


def build_calendar(
    events: Iterable[Event],
    *,
    event_url: EventUrl,
    name: str,
    organizer: CalendarUser,
    uid_host: str | None = None,
) -> bytes:
    """Return a subscribable calendar of ``events`` named ``name``.

    ``uid_host`` is the domain part of the UIDs; by default the host of ``event_url``.
    """
    events = list(events)
    calendar = _calendar(Method.PUBLISH)
    calendar.add("name", name)
    calendar.add("x-wr-calname", name)
    zones = Counter(_zone_name(event) for event in events)
    zone = zones.most_common(1)[0][0] if zones else DEFAULT_TIMEZONE
    calendar.add("x-wr-timezone", zone)
    calendar.add("refresh-interval", vDuration(REFRESH_INTERVAL), parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", vDuration(REFRESH_INTERVAL))
    _add_events(calendar, events, event_url, uid_host, organizer)
    if not calendar.subcomponents:
        # RFC 5545 wants at least one component: a calendar of nothing yet holds its zone.
        year = now_utc().year
        calendar.add_component(vtimezone(zone, year, year))
    return calendar.to_ical()


def build_event_file(
    event: Event, *, event_url: EventUrl, organizer: CalendarUser, uid_host: str | None = None
) -> bytes:
    """Return a file holding ``event`` alone, to open in a calendar application.

    It carries no calendar name: Outlook would otherwise open it as a separate calendar
    instead of adding the event to the person's own.
    """
    calendar = _calendar(Method.PUBLISH)
    _add_events(calendar, [event], event_url, uid_host, organizer)
    return calendar.to_ical()


def build_message(
    event: Event,
    *,
    method: Method,
    attendee: CalendarUser,
    organizer: CalendarUser,
    event_url: EventUrl,
    uid_host: str | None = None,
) -> bytes:
    """Return the scheduling message (iTIP) that tells ``attendee`` about ``event``.

    REQUEST invites (or updates a previous invitation); CANCEL removes the event from the
    attendee's calendar: because it is cancelled, or, for a planned event, because it no
    longer expects them. Replies are not handled, so none is asked for (RSVP=FALSE).
    """
    if method == Method.PUBLISH:
        raise ValueError("A scheduling message is a REQUEST or a CANCEL")
    calendar = _calendar(method)
    _add_events(calendar, [event], event_url, uid_host, organizer, attendee=attendee, method=method)
    return calendar.to_ical()


def build_batch_message(
    events: Iterable[Event],
    *,
    attendee: CalendarUser,
    organizer: CalendarUser,
    event_url: EventUrl,
    uid_host: str | None = None,
) -> bytes:
    """Return one METHOD:REQUEST updating several events of ``attendee`` at once.

    One VEVENT per event, each with its own UID and SEQUENCE: a calendar that reads every
    component (Apple, Thunderbird, Google) moves them all from the one file.
    """
    calendar = _calendar(Method.REQUEST)
    _add_events(
        calendar,
        list(events),
        event_url,
        uid_host,
        organizer,
        attendee=attendee,
        method=Method.REQUEST,
    )
    return calendar.to_ical()


def _calendar(method: Method) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", str(method))
    return calendar


def _add_events(
    calendar: Calendar,
    events: list[Event],
    event_url: EventUrl,
    uid_host: str | None,
    organizer: CalendarUser,
    *,
    attendee: CalendarUser | None = None,
    method: Method = Method.PUBLISH,
) -> None:
    components = []
    spans: dict[str, list[datetime]] = {}
    for event in events:
        url = event_url(event)
        host = uid_host or urlsplit(url).hostname or "parcours"
        component = _vevent(event, url, host, method)
        component.add("organizer", organizer.address())
        if attendee is not None:
            component.add(
                "attendee",
                attendee.address(
                    cutype="INDIVIDUAL",
                    role="REQ-PARTICIPANT",
                    partstat="NEEDS-ACTION",
                    rsvp="FALSE",
                ),
            )
        components.append(component)
        if not _is_all_day(event):
            spans.setdefault(_zone_name(event), []).extend((event.starts_at, event.ends_at))
    # Time zones first: some applications read the file in one pass.
    for tzid, moments in sorted(spans.items()):
        calendar.add_component(vtimezone(tzid, min(moments).year, max(moments).year))
    for component in components:
        calendar.add_component(component)


def _vevent(event: Event, url: str, host: str, method: Method) -> VEvent:
    zone_name = _zone_name(event)
    zone = ZoneInfo(zone_name)
    # A CANCEL for a planned event only releases its attendee: RFC 5546 then wants no STATUS.
    releases = method == Method.CANCEL and not event.is_cancelled
    component = VEvent()
    component.add("uid", event_uid(event, host))
    component.add("dtstamp", event.updated_at.astimezone(UTC))
    component.add("created", event.created_at.astimezone(UTC))
    component.add("last-modified", event.updated_at.astimezone(UTC))
    component.add("sequence", event.sequence)
    if not releases:
        component.add("status", "CANCELLED" if event.is_cancelled else "CONFIRMED")
    component.add("summary", _summary(event))
    if _is_all_day(event):
        component.add("dtstart", event.starts_at.astimezone(zone).date())
        component.add("dtend", event.ends_at.astimezone(zone).date())
    else:
        days = meeting_days(event.starts_at, event.ends_at, zone_name)
        if len(days) > 1 and meets_at_same_hours(event.starts_at, event.ends_at, zone_name):
            # The first day's hours, repeated on each day (local time, across a clock change).
            component.add("dtstart", days[0].starts_at.astimezone(zone))
            component.add("dtend", days[0].ends_at.astimezone(zone))
            component.add("rrule", {"FREQ": "DAILY", "COUNT": len(days)})
        else:
            component.add("dtstart", event.starts_at.astimezone(zone))
            component.add("dtend", event.ends_at.astimezone(zone))
    # A self-assessment window spans weeks and a cancelled event does not happen: neither
    # must make the person look busy.
    transparent = (
        not event.is_meeting or _is_all_day(event) or event.is_cancelled or method == Method.CANCEL
    )
    component.add("transp", "TRANSPARENT" if transparent else "OPAQUE")
    location = _location(event)
    if location:
        component.add("location", location)
    component.add("description", _description(event, url, zone))
    component.add("url", url)
    component.add("categories", [str(event.kind_label)])
    return component


def _zone_name(event: Event) -> str:
    return event.cohort.timezone or DEFAULT_TIMEZONE


def _is_all_day(event: Event) -> bool:
    """Tell whether ``event`` runs from one local midnight to another (a window, not a meeting)."""
    zone = ZoneInfo(_zone_name(event))
    return all(
        moment.astimezone(zone).time() == time(0) for moment in (event.starts_at, event.ends_at)
    )


def _summary(event: Event) -> str:
    title = event.title
    if event.territory is not None and event.territory.name not in title:
        title = f"{title} — {event.territory.name}"
    return _("[Annulé] %(title)s", title=title) if event.is_cancelled else title


def _location(event: Event) -> str:
    address = ", ".join(line.strip() for line in event.venue_address.splitlines() if line.strip())
    place = ", ".join(part for part in (event.venue_name.strip(), address) if part)
    return place or event.online_url.strip()


def _description(event: Event, url: str, zone: ZoneInfo) -> str:
    parts = []
    if event.is_cancelled:
        parts.append(_("Cet événement est annulé."))
    text = event.description.replace("\r\n", "\n").strip()
    if text:
        parts.append(text)
    if event.items:
        parts.append("\n".join([_("Programme :"), *_programme(event, zone)]))
    if event.speaker_list:
        parts.append("\n".join([_("Intervenant·es :"), *(f"- {s}" for s in event.speaker_list)]))
    if event.access_notes.strip():
        parts.append(_("Accès : %(notes)s", notes=event.access_notes.strip()))
    if event.online_url.strip():
        parts.append(_("En ligne : %(url)s", url=event.online_url.strip()))
    if event.documents:
        documents = [f"- {document.title} : {document.url}" for document in event.documents]
        parts.append("\n".join([_("Documents :"), *documents]))
    parts.append(_("Page de l'événement : %(url)s", url=url))
    return "\n\n".join(parts)


def _programme(event: Event, zone: ZoneInfo) -> list[str]:
    """Return one line per agenda item, in local time, under a date when the event spans days."""
    first_day = event.starts_at.astimezone(zone).date()
    several_days = first_day != last_day(event.ends_at, zone.key)
    lines, day = [], None
    for item in event.items:
        starts, ends = item.starts_at.astimezone(zone), item.ends_at.astimezone(zone)
        if several_days and starts.date() != day:
            day = starts.date()
            lines.append(format_date(day, "full"))
        line = f"{starts:%H:%M}–{ends:%H:%M} {item.kind_label} — {item.title}"
        lines.append(f"{line} ({item.speaker})" if item.speaker else line)
    return lines


# Time zones --------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Observance:
    """One STANDARD or DAYLIGHT part of a VTIMEZONE."""

    daylight: bool
    offset_from: timedelta
    offset_to: timedelta
    name: str
    onset: datetime  # naive: the wall-clock time, before the change, of the first onset
    byday: str | None  # "-1SU": the yearly rule; None when the offset never changes


def vtimezone(tzid: str, first_year: int, last_year: int) -> Timezone:
    """Return the VTIMEZONE of ``tzid``, valid for events from ``first_year`` to ``last_year``.

    Where the zone follows yearly rules (France: last Sunday of March and of October), each
    observance is one RRULE, the form Google and Outlook write themselves: Outlook mis-reads
    the RDATE lists that icalendar's ``Timezone.from_tzinfo`` produces and shifts summer
    events by one hour. A zone whose rules change within the years is left to icalendar.
    """
    observances = _observances(tzid, first_year, last_year)
    if observances is None:
        logger.info("Time zone %s has irregular rules, VTIMEZONE with dates", tzid)
        return Timezone.from_tzinfo(
            ZoneInfo(tzid),
            tzid,
            first_date=date(first_year - 1, 1, 1),
            last_date=date(last_year + 2, 1, 1),
        )
    component = Timezone()
    component.add("tzid", tzid)
    component.add("x-lic-location", tzid)
    for observance in observances:
        part = TimezoneDaylight() if observance.daylight else TimezoneStandard()
        part.add("dtstart", observance.onset)
        part.add("tzoffsetfrom", observance.offset_from)
        part.add("tzoffsetto", observance.offset_to)
        part.add("tzname", observance.name)
        if observance.byday:
            part.add(
                "rrule",
                {"FREQ": "YEARLY", "BYMONTH": observance.onset.month, "BYDAY": observance.byday},
            )
        component.add_component(part)
    return component


@functools.lru_cache(maxsize=64)
def _observances(tzid: str, first_year: int, last_year: int) -> tuple[_Observance, ...] | None:
    """Describe ``tzid`` from the year before ``first_year`` to the year after ``last_year``.

    Return None when a kind of change does not happen once a year by a fixed rule.
    """
    zone = ZoneInfo(tzid)
    start, end = (
        datetime(first_year - 1, 1, 1, tzinfo=UTC),
        datetime(last_year + 2, 1, 1, tzinfo=UTC),
    )
    groups: dict[tuple, list[datetime]] = {}
    for moment, before, after in _changes(zone, start, end):
        local = moment.astimezone(zone)
        key = (bool(local.dst()), before, after, local.tzname())
        groups.setdefault(key, []).append((moment + before).replace(tzinfo=None))
    if not groups:
        local = start.astimezone(zone)
        offset = local.utcoffset()
        return (_Observance(False, offset, offset, local.tzname(), datetime(1970, 1, 1), None),)
    observances = []
    for (daylight, before, after, name), onsets in groups.items():
        byday = _yearly_rule(onsets, range(start.year, end.year))
        if byday is None:
            return None
        observances.append(_Observance(daylight, before, after, name, onsets[0], byday))
    return tuple(observances)


def _changes(zone: ZoneInfo, start: datetime, end: datetime):
    """Yield (instant, offset before, offset after) for each change of UTC offset."""
    moment, offset = start, start.astimezone(zone).utcoffset()
    while moment < end:
        following = moment + timedelta(days=1)
        new_offset = following.astimezone(zone).utcoffset()
        if new_offset != offset:
            low, high = 0, 24 * 60  # minutes after ``moment``
            while high - low > 1:
                middle = (low + high) // 2
                if (moment + timedelta(minutes=middle)).astimezone(zone).utcoffset() == offset:
                    low = middle
                else:
                    high = middle
            yield moment + timedelta(minutes=high), offset, new_offset
        moment, offset = following, new_offset


def _yearly_rule(onsets: list[datetime], years: range) -> str | None:
    """Return the BYDAY of a rule giving ``onsets``, one per year of ``years``, or None."""
    if [onset.year for onset in onsets] != list(years):
        return None
    first = onsets[0]
    if any(
        (onset.month, onset.weekday(), onset.time()) != (first.month, first.weekday(), first.time())
        for onset in onsets
    ):
        return None
    positions = None
    for onset in onsets:
        candidates = {(onset.day - 1) // 7 + 1}
        if onset.day + 7 > pycalendar.monthrange(onset.year, onset.month)[1]:
            candidates.add(-1)
        positions = candidates if positions is None else positions & candidates
    if not positions:
        return None
    position = -1 if -1 in positions else positions.pop()
    return f"{position}{_WEEKDAYS[first.weekday()]}"
