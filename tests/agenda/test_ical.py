"""The iCalendar builder: each file is parsed back with icalendar, property by property."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar
from sqlalchemy import select

from parcours.agenda import ical
from parcours.agenda.models import AgendaItem, Event, EventDocument
from parcours.cohorts.models import Cohort, Territory
from parcours.core.extensions import db
from parcours.core.time import freeze
from tests.agenda.calendars import occurrences

PARIS = ZoneInfo("Europe/Paris")
ORGANIZER = ical.CalendarUser(email="parcours@example.org", name="Parcours Territoires")
ANA = ical.CalendarUser(email="ana@example.org", name="Ana Lopez")


def _url(event) -> str:
    return f"https://parcours.example.org/events/{event.id}"


def _event(event_id=1, *, timezone="Europe/Paris", **fields) -> Event:
    """Return an event that was never saved: the builder does not need the database."""
    values = {
        "id": event_id,
        "cohort": Cohort(name="Cohorte", timezone=timezone),
        "territory": None,
        "kind": "session",
        "code": "",
        "title": "Session 1 — Panorama",
        "description": "",
        "starts_at": datetime(2026, 4, 1, 7, 30, tzinfo=UTC),
        "ends_at": datetime(2026, 4, 1, 15, 0, tzinfo=UTC),
        "status": "planned",
        "venue_name": "",
        "venue_address": "",
        "access_notes": "",
        "online_url": "",
        "speakers": "",
        "sequence": 0,
        "created_at": datetime(2026, 1, 5, 10, 0, tzinfo=UTC),
        "updated_at": datetime(2026, 1, 6, 11, 0, tzinfo=UTC),
    }
    return Event(**{**values, **fields})


def _parse(data: bytes) -> Calendar:
    return Calendar.from_ical(data)


def _only_event(data: bytes):
    events = _parse(data).walk("VEVENT")
    assert len(events) == 1
    return events[0]


def _world_event(world, code: str, cohort: str = "cohort_a") -> Event:
    return db.session.scalar(
        select(Event).where(Event.cohort_id == world[cohort], Event.code == code)
    )


def test_a_calendar_carries_what_subscribing_applications_read(ctx):
    data = ical.build_calendar(
        [_event()], event_url=_url, organizer=ORGANIZER, name="Parcours — Ana"
    )
    calendar = _parse(data)
    assert str(calendar["PRODID"]) == "-//Parcours//Parcours//FR"
    assert str(calendar["VERSION"]) == "2.0"
    assert str(calendar["CALSCALE"]) == "GREGORIAN"
    assert str(calendar["METHOD"]) == "PUBLISH"
    assert str(calendar["X-WR-CALNAME"]) == "Parcours — Ana"
    assert str(calendar["NAME"]) == "Parcours — Ana"
    assert str(calendar["X-WR-TIMEZONE"]) == "Europe/Paris"
    lines = data.decode().split("\r\n")
    assert "REFRESH-INTERVAL;VALUE=DURATION:PT1H" in lines
    assert "X-PUBLISHED-TTL:PT1H" in lines


def test_an_event_has_every_property_a_calendar_shows(ctx):
    event = _event(
        42,
        description="Regards d'ouverture.\r\nTémoignages.",
        venue_name="Maison des associations",
        venue_address="12 rue de la Paix\n18000 Bourges",
        access_notes="Salle au 2e étage",
        speakers="Marie Curie — CNRS\nLouis Pasteur",
        sequence=3,
        items=[
            AgendaItem(
                starts_at=datetime(2026, 4, 1, 7, 30, tzinfo=UTC),
                ends_at=datetime(2026, 4, 1, 8, 30, tzinfo=UTC),
                kind="plenary",
                title="Ouverture",
                speaker="Marie Curie",
            ),
            AgendaItem(
                starts_at=datetime(2026, 4, 1, 8, 30, tzinfo=UTC),
                ends_at=datetime(2026, 4, 1, 10, 0, tzinfo=UTC),
                kind="workshop",
                title="Ateliers",
                speaker="",
            ),
        ],
        documents=[EventDocument(title="Programme", url="https://example.org/programme.pdf")],
    )
    component = _only_event(
        ical.build_calendar([event], event_url=_url, organizer=ORGANIZER, name="Agenda")
    )
    assert str(component["UID"]) == "parcours-event-42@parcours.example.org"
    assert component["SEQUENCE"] == 3
    assert component.decoded("DTSTAMP") == datetime(2026, 1, 6, 11, 0, tzinfo=UTC)
    assert component.decoded("LAST-MODIFIED") == datetime(2026, 1, 6, 11, 0, tzinfo=UTC)
    assert component.decoded("CREATED") == datetime(2026, 1, 5, 10, 0, tzinfo=UTC)
    assert str(component["STATUS"]) == "CONFIRMED"
    assert str(component["SUMMARY"]) == "Session 1 — Panorama"
    assert str(component["LOCATION"]) == "Maison des associations, 12 rue de la Paix, 18000 Bourges"
    assert str(component["URL"]) == "https://parcours.example.org/events/42"
    assert component["CATEGORIES"].cats == ["Session collective"]
    assert str(component["TRANSP"]) == "OPAQUE"
    assert str(component["DESCRIPTION"]) == (
        "Regards d'ouverture.\nTémoignages.\n\n"
        "Programme :\n"
        "09:30–10:30 Plénière — Ouverture (Marie Curie)\n"
        "10:30–12:00 Atelier en sous-groupes — Ateliers\n\n"
        "Intervenant·es :\n- Marie Curie — CNRS\n- Louis Pasteur\n\n"
        "Accès : Salle au 2e étage\n\n"
        "Documents :\n- Programme : https://example.org/programme.pdf\n\n"
        "Page de l'événement : https://parcours.example.org/events/42"
    )


def test_an_online_event_is_located_at_its_link(ctx):
    event = _event(online_url="https://visio.example.org/s1")
    component = _only_event(
        ical.build_calendar([event], event_url=_url, organizer=ORGANIZER, name="Agenda")
    )
    assert str(component["LOCATION"]) == "https://visio.example.org/s1"
    assert "En ligne : https://visio.example.org/s1" in str(component["DESCRIPTION"])


def test_a_cancelled_event_stays_with_its_status(ctx):
    event = _event(status="cancelled", sequence=2)
    component = _only_event(
        ical.build_calendar([event], event_url=_url, organizer=ORGANIZER, name="Agenda")
    )
    assert str(component["STATUS"]) == "CANCELLED"
    assert component["SEQUENCE"] == 2
    assert str(component["SUMMARY"]) == "[Annulé] Session 1 — Panorama"
    assert str(component["DESCRIPTION"]).startswith("Cet événement est annulé.")
    assert str(component["TRANSP"]) == "TRANSPARENT"  # nobody is busy at a cancelled event


def test_a_territory_event_names_its_territory(ctx):
    territory = Territory(name="Territoire A1")
    event = _event(kind="follow_up", title="Suivi individuel n° 1", territory=territory)
    component = _only_event(
        ical.build_calendar([event], event_url=_url, organizer=ORGANIZER, name="Agenda")
    )
    assert str(component["SUMMARY"]) == "Suivi individuel n° 1 — Territoire A1"
    assert component["CATEGORIES"].cats == ["Suivi individuel"]


def test_uids_take_the_given_host_or_the_event_page_host(ctx):
    event = _event(7)
    given = _only_event(
        ical.build_calendar(
            [event], event_url=_url, organizer=ORGANIZER, name="A", uid_host="parcours.test"
        )
    )
    assert str(given["UID"]) == "parcours-event-7@parcours.test"
    assert ical.event_uid(event, "parcours.test") == "parcours-event-7@parcours.test"


def test_times_are_given_in_the_cohort_zone_with_its_vtimezone(ctx, world):
    s1 = _world_event(world, "S1")
    data = ical.build_calendar([s1], event_url=_url, organizer=ORGANIZER, name="Agenda")
    assert "DTSTART;TZID=Europe/Paris:20260401T093000" in data.decode().split("\r\n")
    calendar = _parse(data)
    assert [tz.tz_name for tz in calendar.timezones] == ["Europe/Paris"]
    assert calendar.get_missing_tzids() == set()
    component = calendar.walk("VEVENT")[0]
    assert component["DTSTART"].params["TZID"] == "Europe/Paris"
    start = component.decoded("DTSTART")
    assert (start.hour, start.minute) == (9, 30)
    assert start == datetime(2026, 4, 1, 9, 30, tzinfo=PARIS)
    assert component.decoded("DTEND") == datetime(2026, 4, 1, 17, 0, tzinfo=PARIS)


def test_a_two_day_session_meets_each_day_at_its_hours_not_through_the_night(ctx, world):
    s3 = _world_event(world, "S3")
    component = _only_event(
        ical.build_calendar([s3], event_url=_url, organizer=ORGANIZER, name="Agenda")
    )
    # One event repeated daily: one UID for both days, each 09:30–17:00.
    assert component.decoded("DTSTART") == datetime(2026, 8, 19, 9, 30, tzinfo=PARIS)
    assert component.decoded("DTEND") == datetime(2026, 8, 19, 17, 0, tzinfo=PARIS)
    assert component["RRULE"].to_ical() == b"FREQ=DAILY;COUNT=2"
    assert occurrences(component) == [
        (datetime(2026, 8, 19, 9, 30, tzinfo=PARIS), datetime(2026, 8, 19, 17, 0, tzinfo=PARIS)),
        (datetime(2026, 8, 20, 9, 30, tzinfo=PARIS), datetime(2026, 8, 20, 17, 0, tzinfo=PARIS)),
    ]
    assert str(component["URL"]) == _url(s3)  # both days lead to the session's page


def test_the_days_of_a_session_keep_their_local_hours_across_a_clock_change(ctx):
    # Summer time ends in the night of Saturday 24 to Sunday 25 October 2026.
    event = _event(
        starts_at=datetime(2026, 10, 24, 7, 30, tzinfo=UTC),  # 09:30 summer time
        ends_at=datetime(2026, 10, 26, 16, 0, tzinfo=UTC),  # 17:00 winter time
    )
    component = _only_event(ical.build_event_file(event, event_url=_url, organizer=ORGANIZER))
    got = [(start.astimezone(UTC), end.astimezone(UTC)) for start, end in occurrences(component)]
    assert got == [
        (datetime(2026, 10, 24, 7, 30, tzinfo=UTC), datetime(2026, 10, 24, 15, 0, tzinfo=UTC)),
        (datetime(2026, 10, 25, 8, 30, tzinfo=UTC), datetime(2026, 10, 25, 16, 0, tzinfo=UTC)),
        (datetime(2026, 10, 26, 8, 30, tzinfo=UTC), datetime(2026, 10, 26, 16, 0, tzinfo=UTC)),
    ]


def test_an_event_through_the_night_stays_one_stretch(ctx):
    event = _event(
        starts_at=datetime(2026, 6, 10, 16, 0, tzinfo=UTC),  # 18:00
        ends_at=datetime(2026, 6, 11, 8, 0, tzinfo=UTC),  # 10:00 the next morning
    )
    component = _only_event(ical.build_event_file(event, event_url=_url, organizer=ORGANIZER))
    assert "RRULE" not in component
    assert occurrences(component) == [
        (datetime(2026, 6, 10, 18, 0, tzinfo=PARIS), datetime(2026, 6, 11, 10, 0, tzinfo=PARIS))
    ]


def test_a_two_day_programme_is_dated_day_by_day(ctx):
    def item(day, hour, title):
        return AgendaItem(
            starts_at=datetime(2026, 8, day, hour - 2, tzinfo=UTC),
            ends_at=datetime(2026, 8, day, hour - 1, tzinfo=UTC),
            kind="plenary",
            title=title,
            speaker="",
        )

    event = _event(
        starts_at=datetime(2026, 8, 19, 7, 30, tzinfo=UTC),
        ends_at=datetime(2026, 8, 20, 15, 0, tzinfo=UTC),
        items=[item(19, 10, "Ouverture"), item(20, 10, "Visite")],
    )
    description = str(
        _only_event(ical.build_event_file(event, event_url=_url, organizer=ORGANIZER))[
            "DESCRIPTION"
        ]
    )
    assert (
        "Programme :\nmercredi 19 août 2026\n10:00–11:00 Plénière — Ouverture\n"
        "jeudi 20 août 2026\n10:00–11:00 Plénière — Visite"
    ) in description


def test_an_assessment_window_is_a_run_of_whole_days(ctx, world):
    t0 = _world_event(world, "T0")
    component = _only_event(
        ical.build_calendar([t0], event_url=_url, organizer=ORGANIZER, name="Agenda")
    )
    start, end = component.decoded("DTSTART"), component.decoded("DTEND")
    local_start = t0.starts_at.astimezone(PARIS)
    assert start == local_start.date() and not isinstance(start, datetime)
    assert end == t0.ends_at.astimezone(PARIS).date()
    assert component["DTSTART"].params["VALUE"] == "DATE"
    assert str(component["TRANSP"]) == "TRANSPARENT"
    # A calendar of whole days needs no time zone.
    assert (
        _parse(ical.build_calendar([t0], event_url=_url, organizer=ORGANIZER, name="A")).timezones
        == []
    )


def test_each_zone_used_gets_one_vtimezone(ctx):
    events = [
        _event(1),
        _event(2, timezone="Indian/Reunion"),
        _event(
            3,
            starts_at=datetime(2027, 1, 5, 8, tzinfo=UTC),
            ends_at=datetime(2027, 1, 5, 9, tzinfo=UTC),
        ),
    ]
    calendar = _parse(
        ical.build_calendar(events, event_url=_url, organizer=ORGANIZER, name="Agenda")
    )
    assert sorted(tz.tz_name for tz in calendar.timezones) == ["Europe/Paris", "Indian/Reunion"]
    assert calendar.get_missing_tzids() == set()
    reunion = calendar.walk("VEVENT")[1]
    assert reunion["DTSTART"].params["TZID"] == "Indian/Reunion"
    assert reunion.decoded("DTSTART") == datetime(
        2026, 4, 1, 11, 30, tzinfo=ZoneInfo("Indian/Reunion")
    )


@pytest.mark.parametrize(
    "tzid",
    ["Europe/Paris", "Indian/Reunion", "Pacific/Noumea", "America/New_York", "Australia/Sydney"],
)
def test_vtimezone_follows_the_zone_with_yearly_rules(tzid):
    component = ical.vtimezone(tzid, 2026, 2027)
    text = component.to_ical().decode()
    # Outlook reads yearly rules, and mis-reads lists of dates (RDATE).
    assert "RDATE" not in text
    rebuilt = Calendar.from_ical(text).to_tz(lookup_tzid=False)
    _assert_same_offsets(rebuilt, ZoneInfo(tzid), 2026, 2027, timedelta(minutes=30))


def test_paris_summer_time_starts_and_ends_on_the_last_sundays():
    text = ical.vtimezone("Europe/Paris", 2026, 2026).to_ical().decode().split("\r\n")
    assert "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3" in text
    assert "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10" in text
    assert "DTSTART:20250330T020000" in text  # 02:00 winter time jumps to 03:00
    assert "DTSTART:20251026T030000" in text  # 03:00 summer time falls back to 02:00


def test_vtimezone_of_a_zone_that_changed_its_rules_lists_the_changes():
    # São Paulo moved its summer time, then dropped it in 2019: no yearly rule fits.
    component = ical.vtimezone("America/Sao_Paulo", 2018, 2019)
    assert "RDATE" in component.to_ical().decode()
    rebuilt = Calendar.from_ical(component.to_ical()).to_tz(lookup_tzid=False)
    _assert_same_offsets(rebuilt, ZoneInfo("America/Sao_Paulo"), 2018, 2019, timedelta(days=1))


def _assert_same_offsets(rebuilt, zone, first_year, last_year, step):
    moment = datetime(first_year, 1, 1, 12, tzinfo=UTC)
    while moment.year <= last_year:
        assert moment.astimezone(rebuilt).utcoffset() == moment.astimezone(zone).utcoffset(), moment
        moment += step


def test_the_text_is_shaped_as_rfc_5545_says(ctx):
    long_text = "Échanges sur la co-construction territoriale, les alliances et l'été. " * 20
    events = [_event(n, description=long_text, venue_name="Salle " + "é" * 80) for n in (1, 2)]
    data = ical.build_calendar(
        events, event_url=_url, organizer=ORGANIZER, name="Parcours — Agenda"
    )
    assert data.endswith(b"\r\n")
    physical_lines = data.split(b"\r\n")[:-1]
    assert all(b"\n" not in line and b"\r" not in line for line in physical_lines)
    assert max(len(line) for line in physical_lines) <= 75
    assert any(line.startswith(b" ") for line in physical_lines)  # long lines were folded
    for line in physical_lines:
        line.decode("utf-8")  # folding never cuts a character in two
    assert str(_parse(data).walk("VEVENT")[0]["DESCRIPTION"]).startswith(long_text.strip())


def test_an_event_file_holds_one_event_and_no_calendar_name(ctx, world):
    s1 = _world_event(world, "S1")
    data = ical.build_event_file(s1, event_url=_url, organizer=ORGANIZER, uid_host="parcours.test")
    calendar = _parse(data)
    assert str(calendar["METHOD"]) == "PUBLISH"
    assert "X-WR-CALNAME" not in calendar
    assert "REFRESH-INTERVAL" not in calendar
    assert [tz.tz_name for tz in calendar.timezones] == ["Europe/Paris"]
    (component,) = calendar.walk("VEVENT")
    assert str(component["UID"]) == f"parcours-event-{s1.id}@parcours.test"


def test_an_empty_calendar_is_still_valid(ctx):
    with freeze(datetime(2026, 3, 1, tzinfo=UTC)):
        data = ical.build_calendar([], event_url=_url, organizer=ORGANIZER, name="Agenda")
    calendar = _parse(data)
    assert calendar.walk("VEVENT") == []
    assert str(calendar["X-WR-TIMEZONE"]) == "Europe/Paris"
    # RFC 5545 wants one component at least: the calendar's own time zone is one.
    assert [tz.tz_name for tz in calendar.timezones] == ["Europe/Paris"]
    assert [component.name for component in calendar.subcomponents] == ["VTIMEZONE"]
    assert "DTSTART:20250330T020000" in data.decode().split("\r\n")  # this year's rules


def test_all_day_needs_local_midnights(ctx):
    paris_midnight = datetime(2026, 5, 4, tzinfo=PARIS).astimezone(UTC)
    window = _event(
        kind="assessment", starts_at=paris_midnight, ends_at=paris_midnight + timedelta(days=14)
    )
    component = _only_event(ical.build_event_file(window, event_url=_url, organizer=ORGANIZER))
    assert component.decoded("DTSTART") == date(2026, 5, 4)
    assert component.decoded("DTEND") == date(2026, 5, 18)
    # The same window in UTC midnights is not whole days in Paris: it keeps its times.
    shifted = _event(
        kind="assessment",
        starts_at=datetime(2026, 5, 4, tzinfo=UTC),
        ends_at=datetime(2026, 5, 18, tzinfo=UTC),
    )
    component = _only_event(ical.build_event_file(shifted, event_url=_url, organizer=ORGANIZER))
    assert component.decoded("DTSTART") == datetime(2026, 5, 4, 2, 0, tzinfo=PARIS)


# Organiser, attendee and scheduling messages ----------------------------------------------------


def _organizer_of(component) -> tuple[str, str]:
    return str(component["ORGANIZER"]), str(component["ORGANIZER"].params["CN"])


def test_a_feed_names_its_organiser_and_no_attendee(ctx):
    calendar = _parse(
        ical.build_calendar([_event()], event_url=_url, organizer=ORGANIZER, name="A")
    )
    assert str(calendar["METHOD"]) == "PUBLISH"
    (component,) = calendar.walk("VEVENT")
    assert _organizer_of(component) == ("mailto:parcours@example.org", "Parcours Territoires")
    assert "ATTENDEE" not in component


@pytest.mark.parametrize(
    ("sender", "email", "name"),
    [
        (
            "Parcours Territoires <noreply@example.org>",
            "noreply@example.org",
            "Parcours Territoires",
        ),
        ('"Réseau, les catalyseurs" <r@example.org>', "r@example.org", "Réseau, les catalyseurs"),
        ("noreply@example.org", "noreply@example.org", "Parcours"),
    ],
)
def test_the_organiser_is_read_from_the_sender_address(sender, email, name):
    assert ical.organizer_from(sender) == ical.CalendarUser(email=email, name=name)


def test_an_invitation_is_the_feed_event_addressed_to_its_attendee(ctx, world):
    s1 = _world_event(world, "S1")
    s1.sequence = 4
    feed_event = _only_event(
        ical.build_calendar([s1], event_url=_url, organizer=ORGANIZER, name="Agenda")
    )
    data = ical.build_message(
        s1, method=ical.Method.REQUEST, attendee=ANA, organizer=ORGANIZER, event_url=_url
    )
    calendar = _parse(data)
    assert str(calendar["METHOD"]) == "REQUEST"
    assert "X-WR-CALNAME" not in calendar
    assert calendar.get_missing_tzids() == set()
    component = _only_event(data)
    assert (
        str(component["UID"])
        == str(feed_event["UID"])
        == f"parcours-event-{s1.id}@parcours.example.org"
    )
    assert component["SEQUENCE"] == feed_event["SEQUENCE"] == 4
    assert str(component["STATUS"]) == "CONFIRMED"
    assert str(component["TRANSP"]) == "OPAQUE"
    assert _organizer_of(component) == ("mailto:parcours@example.org", "Parcours Territoires")
    attendee = component["ATTENDEE"]
    assert str(attendee) == "mailto:ana@example.org"
    assert dict(attendee.params) == {
        "CN": "Ana Lopez",
        "CUTYPE": "INDIVIDUAL",
        "ROLE": "REQ-PARTICIPANT",
        "PARTSTAT": "NEEDS-ACTION",
        "RSVP": "FALSE",  # replies are not handled: mail clients must not send any
    }
    # Apart from its attendee, the invitation says exactly what the feed says.
    del component["ATTENDEE"]
    assert component.to_ical() == feed_event.to_ical()


def test_cancelling_an_event_cancels_it_for_its_attendee(ctx):
    event = _event(status="cancelled", sequence=3)
    data = ical.build_message(
        event, method=ical.Method.CANCEL, attendee=ANA, organizer=ORGANIZER, event_url=_url
    )
    assert str(_parse(data)["METHOD"]) == "CANCEL"
    component = _only_event(data)
    assert str(component["STATUS"]) == "CANCELLED"
    assert str(component["TRANSP"]) == "TRANSPARENT"
    assert component["SEQUENCE"] == 3
    assert str(component["ATTENDEE"]) == "mailto:ana@example.org"


def test_releasing_an_attendee_cancels_only_their_copy(ctx):
    # RFC 5546: a CANCEL that removes attendees from an event that goes on carries no STATUS.
    event = _event(sequence=2)
    component = _only_event(
        ical.build_message(
            event, method=ical.Method.CANCEL, attendee=ANA, organizer=ORGANIZER, event_url=_url
        )
    )
    assert "STATUS" not in component
    assert str(component["SUMMARY"]) == "Session 1 — Panorama"
    assert str(component["TRANSP"]) == "TRANSPARENT"
    assert str(component["ATTENDEE"]) == "mailto:ana@example.org"
    assert component["SEQUENCE"] == 2


def test_a_cancellation_of_a_two_day_session_reaches_both_days(ctx, world):
    s3 = _world_event(world, "S3")
    s3.status = "cancelled"
    data = ical.build_message(
        s3, method=ical.Method.CANCEL, attendee=ANA, organizer=ORGANIZER, event_url=_url
    )
    component = _only_event(data)  # one UID: cancelling it cancels every day
    assert "RECURRENCE-ID" not in component
    assert len(occurrences(component)) == 2


def test_a_scheduling_message_is_a_request_or_a_cancel(ctx):
    with pytest.raises(ValueError):
        ical.build_message(
            _event(), method=ical.Method.PUBLISH, attendee=ANA, organizer=ORGANIZER, event_url=_url
        )


def test_the_mime_type_names_the_method():
    assert ical.mime_type(ical.Method.REQUEST) == "text/calendar; method=REQUEST; charset=UTF-8"
    assert ical.mime_type(ical.Method.CANCEL) == "text/calendar; method=CANCEL; charset=UTF-8"
