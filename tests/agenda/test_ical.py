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

PARIS = ZoneInfo("Europe/Paris")


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
    data = ical.build_calendar([_event()], event_url=_url, name="Parcours — Ana")
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
    component = _only_event(ical.build_calendar([event], event_url=_url, name="Agenda"))
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
    component = _only_event(ical.build_calendar([event], event_url=_url, name="Agenda"))
    assert str(component["LOCATION"]) == "https://visio.example.org/s1"
    assert "En ligne : https://visio.example.org/s1" in str(component["DESCRIPTION"])


def test_a_cancelled_event_stays_with_its_status(ctx):
    event = _event(status="cancelled", sequence=2)
    component = _only_event(ical.build_calendar([event], event_url=_url, name="Agenda"))
    assert str(component["STATUS"]) == "CANCELLED"
    assert component["SEQUENCE"] == 2
    assert str(component["SUMMARY"]) == "[Annulé] Session 1 — Panorama"
    assert str(component["DESCRIPTION"]).startswith("Cet événement est annulé.")


def test_a_territory_event_names_its_territory(ctx):
    territory = Territory(name="Territoire A1")
    event = _event(kind="follow_up", title="Suivi individuel n° 1", territory=territory)
    component = _only_event(ical.build_calendar([event], event_url=_url, name="Agenda"))
    assert str(component["SUMMARY"]) == "Suivi individuel n° 1 — Territoire A1"
    assert component["CATEGORIES"].cats == ["Suivi individuel"]


def test_uids_take_the_given_host_or_the_event_page_host(ctx):
    event = _event(7)
    given = _only_event(
        ical.build_calendar([event], event_url=_url, name="A", uid_host="parcours.test")
    )
    assert str(given["UID"]) == "parcours-event-7@parcours.test"
    assert ical.event_uid(event, "parcours.test") == "parcours-event-7@parcours.test"


def test_times_are_given_in_the_cohort_zone_with_its_vtimezone(ctx, world):
    s1 = _world_event(world, "S1")
    data = ical.build_calendar([s1], event_url=_url, name="Agenda")
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


def test_a_two_day_session_ends_on_its_second_day(ctx, world):
    s3 = _world_event(world, "S3")
    component = _only_event(ical.build_calendar([s3], event_url=_url, name="Agenda"))
    start, end = component.decoded("DTSTART"), component.decoded("DTEND")
    assert start == datetime(2026, 8, 19, 9, 30, tzinfo=PARIS)
    assert end == datetime(2026, 8, 20, 17, 0, tzinfo=PARIS)
    assert end.date() == start.date() + timedelta(days=1)


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
    description = str(_only_event(ical.build_event_file(event, event_url=_url))["DESCRIPTION"])
    assert (
        "Programme :\nmercredi 19 août 2026\n10:00–11:00 Plénière — Ouverture\n"
        "jeudi 20 août 2026\n10:00–11:00 Plénière — Visite"
    ) in description


def test_an_assessment_window_is_a_run_of_whole_days(ctx, world):
    t0 = _world_event(world, "T0")
    component = _only_event(ical.build_calendar([t0], event_url=_url, name="Agenda"))
    start, end = component.decoded("DTSTART"), component.decoded("DTEND")
    local_start = t0.starts_at.astimezone(PARIS)
    assert start == local_start.date() and not isinstance(start, datetime)
    assert end == t0.ends_at.astimezone(PARIS).date()
    assert component["DTSTART"].params["VALUE"] == "DATE"
    assert str(component["TRANSP"]) == "TRANSPARENT"
    # A calendar of whole days needs no time zone.
    assert _parse(ical.build_calendar([t0], event_url=_url, name="A")).timezones == []


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
    calendar = _parse(ical.build_calendar(events, event_url=_url, name="Agenda"))
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
    data = ical.build_calendar(events, event_url=_url, name="Parcours — Agenda")
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
    data = ical.build_event_file(s1, event_url=_url, uid_host="parcours.test")
    calendar = _parse(data)
    assert str(calendar["METHOD"]) == "PUBLISH"
    assert "X-WR-CALNAME" not in calendar
    assert "REFRESH-INTERVAL" not in calendar
    assert [tz.tz_name for tz in calendar.timezones] == ["Europe/Paris"]
    (component,) = calendar.walk("VEVENT")
    assert str(component["UID"]) == f"parcours-event-{s1.id}@parcours.test"


def test_an_empty_calendar_is_still_valid(ctx):
    calendar = _parse(ical.build_calendar([], event_url=_url, name="Agenda"))
    assert calendar.walk("VEVENT") == []
    assert str(calendar["X-WR-TIMEZONE"]) == "Europe/Paris"


def test_all_day_needs_local_midnights(ctx):
    paris_midnight = datetime(2026, 5, 4, tzinfo=PARIS).astimezone(UTC)
    window = _event(
        kind="assessment", starts_at=paris_midnight, ends_at=paris_midnight + timedelta(days=14)
    )
    component = _only_event(ical.build_event_file(window, event_url=_url))
    assert component.decoded("DTSTART") == date(2026, 5, 4)
    assert component.decoded("DTEND") == date(2026, 5, 18)
    # The same window in UTC midnights is not whole days in Paris: it keeps its times.
    shifted = _event(
        kind="assessment",
        starts_at=datetime(2026, 5, 4, tzinfo=UTC),
        ends_at=datetime(2026, 5, 18, tzinfo=UTC),
    )
    component = _only_event(ical.build_event_file(shifted, event_url=_url))
    assert component.decoded("DTSTART") == datetime(2026, 5, 4, 2, 0, tzinfo=PARIS)
