"""E-mails about events, and reminders sent exactly once."""

import threading
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar
from sqlalchemy import func, select

from parcours import create_app, jobs
from parcours.accounts.models import User
from parcours.agenda import notifications, operations
from parcours.agenda.models import Event
from parcours.agenda.operations import EventDraft
from parcours.cohorts.models import Cohort, Territory
from parcours.core.extensions import db
from parcours.core.time import freeze
from parcours.outbox.models import OutboxMessage
from tests.agenda.calendars import invitation, occurrences, received
from tests.conftest import app_config


@pytest.fixture(autouse=True)
def _before_the_cohort():
    """Run while cohort A is being prepared: its events are ahead, so edits notify people."""
    with freeze(datetime(2026, 2, 16, 9, 0, tzinfo=UTC)):
        yield


PARIS = ZoneInfo("Europe/Paris")


def _s1(world):
    return db.session.scalar(
        select(Event).where(Event.cohort_id == world["cohort_a"], Event.code == "S1")
    )


def _expected_emails():
    return sorted(
        [
            "coord@example.org",
            "coach@example.org",
            "a1@example.org",
            "a1bis@example.org",
            "a2@example.org",
        ]
    )


def test_scheduling_invites_everyone_expected_with_the_ics(ctx, world, outbox):
    cohort = db.session.get(Cohort, world["cohort_a"])
    coordinator = db.session.get(User, world["coordinator"])
    start = datetime(2026, 6, 22, 7, 30, tzinfo=UTC)
    event = operations.create_event(
        cohort,
        EventDraft(
            kind="other",
            title="Webinaire RSE",
            starts_at=start,
            ends_at=start + timedelta(hours=2),
            online_url="https://visio.example.org/rse",
        ),
        coordinator,
    )
    db.session.commit()
    assert sorted(m.to for m in outbox) == _expected_emails()
    message = next(m for m in outbox if m.to == "a1@example.org")
    assert message.subject.startswith("Invitation : Webinaire RSE — ")
    assert "https://visio.example.org/rse" in message.body
    assert f"/events/{event.id}" in message.body
    calendar = Calendar.from_ical(message.attachment)
    (vevent,) = calendar.walk("VEVENT")
    assert str(vevent["UID"]).startswith(f"parcours-event-{event.id}@")
    rows = db.session.scalars(select(OutboxMessage)).all()
    assert {row.cohort_id for row in rows} == {cohort.id}


def test_an_english_speaker_gets_the_invitation_in_english(ctx, world, outbox):
    db.session.get(User, world["a2"]).locale = "en"
    cohort = db.session.get(Cohort, world["cohort_a"])
    start = datetime(2026, 6, 22, 7, 30, tzinfo=UTC)
    operations.create_event(
        cohort,
        EventDraft(
            kind="other", title="Webinar", starts_at=start, ends_at=start + timedelta(hours=1)
        ),
        db.session.get(User, world["coordinator"]),
    )
    db.session.commit()
    english = next(m for m in outbox if m.to == "a2@example.org")
    french = next(m for m in outbox if m.to == "a1@example.org")
    assert english.subject.startswith("Invitation: Webinar")
    assert "Hello" in english.body and "Bonjour" in french.body


def test_moving_and_cancelling_notify_but_a_retitling_does_not(ctx, world, outbox):
    event = _s1(world)
    coordinator = db.session.get(User, world["coordinator"])
    draft = EventDraft(
        kind=event.kind,
        title="S1 — nouveau titre",
        starts_at=event.starts_at,
        ends_at=event.ends_at,
        thematics=list(event.thematics),
    )
    operations.update_event(event, draft, coordinator)
    db.session.commit()
    assert outbox == []
    moved = EventDraft(
        **{
            **draft.__dict__,
            "starts_at": event.starts_at + timedelta(days=1),
            "ends_at": event.ends_at + timedelta(days=1),
        }
    )
    operations.update_event(event, moved, coordinator)
    db.session.commit()
    assert {m.subject.split(" : ")[0] for m in outbox} == {"Changement"}
    outbox.clear()
    operations.cancel_event(event, coordinator)
    db.session.commit()
    assert {m.subject.split(" : ")[0] for m in outbox} == {"Annulé"}
    (vevent,) = Calendar.from_ical(outbox[0].attachment).walk("VEVENT")
    assert str(vevent["STATUS"]) == "CANCELLED"
    assert int(vevent["SEQUENCE"]) == 3


def test_reminders_seven_days_and_one_day_before_once_each(ctx, world, outbox):
    s1 = _s1(world)
    with freeze(s1.starts_at - timedelta(days=8)):
        assert notifications.send_due_reminders() == 0
    with freeze(s1.starts_at - timedelta(days=7) + timedelta(minutes=5)):
        assert notifications.send_due_reminders() == 5
        db.session.commit()
        assert notifications.send_due_reminders() == 0
        db.session.commit()
    assert sorted(m.to for m in outbox) == _expected_emails()
    assert all(m.subject.startswith("Dans une semaine") for m in outbox)
    outbox.clear()
    with freeze(s1.starts_at - timedelta(hours=20)):
        assert notifications.send_due_reminders() == 5
        db.session.commit()
    assert all(m.subject.startswith("Demain") for m in outbox)
    with freeze(s1.starts_at + timedelta(minutes=1)):
        assert notifications.send_due_reminders() == 0


def test_an_event_created_late_only_gets_the_reminders_still_ahead(ctx, world, outbox):
    cohort = db.session.get(Cohort, world["cohort_a"])
    territory = db.session.get(Territory, world["territory_a2"])
    start = datetime(2026, 6, 22, 8, 0, tzinfo=UTC)
    with freeze(start - timedelta(days=3)):
        operations.create_event(
            cohort,
            EventDraft(
                kind="field_visit",
                title="Visite",
                territory=territory,
                starts_at=start,
                ends_at=start + timedelta(hours=3),
            ),
            db.session.get(User, world["coordinator"]),
        )
        db.session.commit()
        outbox.clear()
        assert notifications.send_due_reminders() == 0  # no « in a week » three days before
    with freeze(start - timedelta(hours=23)):
        assert notifications.send_due_reminders() == 1  # A2 has one catalyseur and no coach
        db.session.commit()
    assert [m.to for m in outbox] == ["a2@example.org"]


def test_a_cancelled_event_gets_no_reminder(ctx, world):
    s1 = _s1(world)
    operations.cancel_event(s1, db.session.get(User, world["coordinator"]))
    db.session.commit()
    with freeze(s1.starts_at - timedelta(hours=20)):
        assert notifications.send_due_reminders() == 0


@pytest.mark.commits  # two applications, two connections, in two threads
def test_two_schedulers_send_the_reminders_of_a_slot_once(app, world, database_url_for_tests):
    with app.app_context():
        s1 = _s1(world)
        moment = s1.starts_at - timedelta(hours=20)
    schedulers = [create_app(app_config(database_url_for_tests)) for _ in range(2)]
    results, barrier = [], threading.Barrier(2)

    def run(scheduler_app):
        barrier.wait()
        results.append(jobs.send_reminders(scheduler_app))

    with freeze(moment):
        threads = [threading.Thread(target=run, args=(a,)) for a in schedulers]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        # The same job retried in the same slot does nothing either.
        assert jobs.send_reminders(schedulers[0]) is None
    assert sorted(results, key=lambda r: r is None) == [5, None]
    with app.app_context():
        assert db.session.scalar(select(func.count(OutboxMessage.id))) == 5
    for scheduler_app in schedulers:
        with scheduler_app.app_context():
            db.engine.dispose()


def test_after_downtime_one_run_catches_up_without_duplicates(app, world):
    with app.app_context():
        s1 = _s1(world)
        start = s1.starts_at
    # Down for a week: the next run, 20 hours before S1, sends only the 1-day reminder.
    with freeze(start - timedelta(hours=20)):
        assert jobs.send_reminders(app) == 5
    with freeze(start - timedelta(hours=19)):
        assert jobs.send_reminders(app) == 0
    with app.app_context():
        subjects = db.session.scalars(select(OutboxMessage.subject)).all()
    assert len(subjects) == 5 and all(s.startswith("Demain") for s in subjects)


@pytest.mark.parametrize("once", [True])
def test_scheduler_command_runs_each_job_once(app, world, once):
    with app.app_context():
        start = _s1(world).starts_at
    with freeze(start - timedelta(hours=20)):
        result = app.test_cli_runner().invoke(args=["scheduler", "--once"])
    assert result.exit_code == 0, result.output
    assert "Rappels mis en file : 5" in result.output


def test_changing_who_an_event_is_for_invites_and_releases_the_right_people(
    app, ctx, world, outbox
):
    cohort = db.session.get(Cohort, world["cohort_a"])
    coordinator = db.session.get(User, world["coordinator"])
    start = datetime(2026, 6, 22, 7, 30, tzinfo=UTC)
    event = operations.create_event(
        cohort,
        EventDraft(
            kind="other", title="Point d'étape", starts_at=start, ends_at=start + timedelta(hours=1)
        ),
        coordinator,
    )
    db.session.commit()
    _method, first = _imip(app, outbox, "a1@example.org")
    outbox.clear()
    operations.update_event(
        event,
        EventDraft(
            kind="committee",
            title="Point d'étape",
            starts_at=start,
            ends_at=start + timedelta(hours=1),
        ),
        coordinator,
    )
    db.session.commit()
    by_kind = {}
    for message in outbox:
        by_kind.setdefault(message.subject.split(" : ")[0], set()).add(message.to)
    assert by_kind == {
        "Invitation": {"comite@example.org"},
        "Annulé": {"a1@example.org", "a1bis@example.org", "a2@example.org", "coach@example.org"},
    }
    # Those no longer expected get a real cancellation, which outranks their invitation.
    method, released = _imip(app, outbox, "a1@example.org")
    assert method == "CANCEL"
    assert str(released["UID"]) == str(first["UID"])
    assert released["SEQUENCE"] > first["SEQUENCE"]
    assert "STATUS" not in released  # the event goes on, without them (RFC 5546)
    assert str(released["ATTENDEE"]) == "mailto:a1@example.org"
    body = next(m.body for m in outbox if m.to == "a1@example.org")
    assert "Vous n'êtes plus attendu·e à « Point d'étape »" in body
    assert "est annulé" not in body
    method, invited = _imip(app, outbox, "comite@example.org")
    assert method == "REQUEST"
    assert invited["SEQUENCE"] == released["SEQUENCE"] == event.sequence


def test_assessment_windows_send_no_mail_when_moved(ctx, world, outbox):
    t0 = db.session.scalar(
        select(Event).where(Event.cohort_id == world["cohort_a"], Event.code == "T0")
    )
    draft = EventDraft(
        kind="assessment",
        title=t0.title,
        starts_at=t0.starts_at + timedelta(days=1),
        ends_at=t0.ends_at + timedelta(days=1),
    )
    operations.update_event(t0, draft, db.session.get(User, world["coordinator"]))
    db.session.commit()
    assert outbox == []


def test_an_event_with_attendance_cannot_be_moved_nor_last_over_a_week(ctx, world):
    from parcours.attendance.operations import record_attendance

    s1 = _s1(world)
    coordinator = db.session.get(User, world["coordinator"])
    a1 = db.session.get(User, world["a1"])
    with freeze(s1.starts_at):  # attendance is recorded on the day
        record_attendance(s1, a1, s1.starts_at.date(), "am", "present", recorded_by=coordinator)
    moved = EventDraft(
        kind=s1.kind,
        title=s1.title,
        starts_at=s1.starts_at + timedelta(days=1),
        ends_at=s1.ends_at + timedelta(days=1),
        thematics=list(s1.thematics),
    )
    with pytest.raises(operations.EventError) as error:
        operations.update_event(s1, moved, coordinator)
    assert "présences sont déjà relevées" in str(error.value)
    retitled = EventDraft(
        kind=s1.kind,
        title="S1 renommée",
        starts_at=s1.starts_at,
        ends_at=s1.ends_at,
        thematics=list(s1.thematics),
    )
    assert operations.update_event(s1, retitled, coordinator) is True
    too_long = EventDraft(
        kind="other",
        title="Marathon",
        starts_at=s1.starts_at,
        ends_at=s1.starts_at + timedelta(days=8),
    )
    with pytest.raises(operations.EventError) as error:
        operations.validate(s1.cohort, too_long)
    assert error.value.field == "end_date"


# What mail clients read ---------------------------------------------------------------------


def _imip(app, outbox, to: str):
    """Return the method and VEVENT of the one e-mail sent to ``to``, parsed off the wire."""
    (message,) = [m for m in outbox if m.to == to]
    method, calendar = invitation(received(app, message))
    (vevent,) = calendar.walk("VEVENT")
    return method, vevent


def _feed_event(app, user_id: int, uid: str):
    """Return the VEVENT ``uid`` of the person's calendar feed, fetched as an application does."""
    with app.test_request_context():
        token = operations.feed_for(db.session.get(User, user_id)).token
        db.session.commit()
    response = app.test_client().get(f"/calendar/{token}.ics")
    assert response.status_code == 200
    components = Calendar.from_ical(response.data).walk("VEVENT")
    return next(component for component in components if str(component["UID"]) == uid)


def _same_as_feed(app, world, vevent) -> None:
    feed_event = _feed_event(app, world["a1"], str(vevent["UID"]))
    del vevent["ATTENDEE"]
    assert vevent.to_ical() == feed_event.to_ical()


def test_an_invitation_a_change_and_a_cancellation_are_imip_messages_of_one_event(
    app, ctx, world, outbox
):
    cohort = db.session.get(Cohort, world["cohort_a"])
    coordinator = db.session.get(User, world["coordinator"])
    start = datetime(2026, 6, 22, 7, 30, tzinfo=UTC)
    draft = EventDraft(
        kind="other",
        title="Webinaire RSE",
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        venue_name="Maison des associations",
    )
    with freeze(datetime(2026, 3, 9, 9, 0, tzinfo=UTC)):
        event = operations.create_event(cohort, draft, coordinator)
        db.session.commit()
    method, invited = _imip(app, outbox, "a1@example.org")
    assert method == "REQUEST"
    assert str(invited["UID"]) == f"parcours-event-{event.id}@parcours.test"
    assert invited["SEQUENCE"] == 0
    assert str(invited["STATUS"]) == "CONFIRMED"
    assert str(invited["ORGANIZER"]) == "mailto:parcours@localhost"
    assert invited["ORGANIZER"].params["CN"] == "Parcours"  # from PARCOURS_MAIL_FROM
    assert str(invited["ATTENDEE"]) == "mailto:a1@example.org"
    assert invited["ATTENDEE"].params["CN"] == "Catalyseur A1"
    assert invited["ATTENDEE"].params["PARTSTAT"] == "NEEDS-ACTION"
    assert invited["ATTENDEE"].params["RSVP"] == "FALSE"
    assert invited.decoded("DTSTART") == datetime(2026, 6, 22, 9, 30, tzinfo=PARIS)
    _same_as_feed(app, world, invited)
    outbox.clear()

    moved = EventDraft(**{**draft.__dict__, "starts_at": start + timedelta(days=1)})
    moved.ends_at = moved.starts_at + timedelta(hours=2)
    with freeze(datetime(2026, 3, 10, 9, 0, tzinfo=UTC)):
        operations.update_event(event, moved, coordinator)
        db.session.commit()
    method, changed = _imip(app, outbox, "a1@example.org")
    assert method == "REQUEST"
    assert str(changed["UID"]) == str(invited["UID"])
    assert changed["SEQUENCE"] == 1
    assert changed.decoded("DTSTART") == datetime(2026, 6, 23, 9, 30, tzinfo=PARIS)
    assert changed.decoded("DTSTAMP") > invited.decoded("DTSTAMP")
    _same_as_feed(app, world, changed)
    outbox.clear()

    with freeze(datetime(2026, 3, 11, 9, 0, tzinfo=UTC)):
        operations.cancel_event(event, coordinator)
        db.session.commit()
    method, cancelled = _imip(app, outbox, "a1@example.org")
    assert method == "CANCEL"
    assert str(cancelled["UID"]) == str(invited["UID"])
    assert cancelled["SEQUENCE"] == 2
    assert str(cancelled["STATUS"]) == "CANCELLED"
    assert str(cancelled["TRANSP"]) == "TRANSPARENT"
    assert str(cancelled["ATTENDEE"]) == "mailto:a1@example.org"
    feed_event = _feed_event(app, world["a1"], str(invited["UID"]))
    assert (feed_event["SEQUENCE"], str(feed_event["STATUS"])) == (2, "CANCELLED")


def test_the_organiser_is_the_configured_sender(app, ctx, world, outbox, monkeypatch):
    monkeypatch.setitem(app.config, "PARCOURS_MAIL_FROM", "Réseau Parcours <agenda@example.org>")
    operations.cancel_event(_s1(world), db.session.get(User, world["coordinator"]))
    db.session.commit()
    _method, vevent = _imip(app, outbox, "a2@example.org")
    assert str(vevent["ORGANIZER"]) == "mailto:agenda@example.org"
    assert vevent["ORGANIZER"].params["CN"] == "Réseau Parcours"


def test_a_two_day_session_is_invited_day_by_day_as_in_the_feed(app, ctx, world, outbox):
    cohort = db.session.get(Cohort, world["cohort_a"])
    start = datetime(2026, 6, 22, 7, 30, tzinfo=UTC)  # 09:30 in Paris
    operations.create_event(
        cohort,
        EventDraft(
            kind="other",
            title="Séminaire",
            starts_at=start,
            ends_at=start + timedelta(days=1, hours=7, minutes=30),  # the next day, 17:00
        ),
        db.session.get(User, world["coordinator"]),
    )
    db.session.commit()
    _method, vevent = _imip(app, outbox, "a1@example.org")
    assert occurrences(vevent) == [
        (datetime(2026, 6, 22, 9, 30, tzinfo=PARIS), datetime(2026, 6, 22, 17, 0, tzinfo=PARIS)),
        (datetime(2026, 6, 23, 9, 30, tzinfo=PARIS), datetime(2026, 6, 23, 17, 0, tzinfo=PARIS)),
    ]
    feed_event = _feed_event(app, world["a1"], str(vevent["UID"]))
    assert occurrences(feed_event) == occurrences(vevent)


def test_a_reminder_carries_the_invitation_as_it_stands(app, world, outbox):
    with app.test_request_context():
        s1 = _s1(world)
        s1.sequence = 2  # as after two edits
        db.session.commit()
        starts_at = s1.starts_at
    with freeze(starts_at - timedelta(hours=20)), app.test_request_context():
        notifications.send_due_reminders()
        db.session.commit()
    method, vevent = _imip(app, outbox, "a1@example.org")
    assert method == "REQUEST"
    assert vevent["SEQUENCE"] == 2  # the same version: a calendar that has it keeps it
