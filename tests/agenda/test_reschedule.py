"""Changing a cohort's start date: the moves are shown, confirmed, then told once per person."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from parcours.agenda.ical import event_uid
from parcours.agenda.models import Event
from parcours.cohorts.models import Cohort
from parcours.core.extensions import db
from parcours.core.time import freeze
from tests.agenda.calendars import invitation, received
from tests.conftest import page_text

#: Cohort A started on 2 March 2026; its launch comité (9 March) is over, the bilatérales
#: (16 March) are ahead.
NOW = datetime(2026, 3, 12, 9, 0, tzinfo=UTC)


def _form(world, start_date="2026-03-03", version=1, **extra):
    return {
        "name": "Cohorte A",
        "start_date": start_date,
        "timezone": "Europe/Paris",
        "target_territories": "12",
        "version": str(version),
        **extra,
    }


def _confirmed(world, start_date="2026-03-03", **extra):
    return _form(world, start_date, previewed=f"{start_date} Europe/Paris", confirm="y", **extra)


def _starts(app, world):
    with app.app_context():
        return dict(
            db.session.execute(
                select(Event.id, Event.starts_at).where(Event.cohort_id == world["cohort_a"])
            ).all()
        )


def _url(world):
    return f"/cohorts/{world['cohort_a']}/edit"


def _a1_bilateral_move(app, world) -> str:
    """Return how the preview reads A1's bilatérale moving one day later: « before after »."""
    from parcours.agenda.formatting import span_between

    with app.test_request_context():
        event = db.session.scalar(
            select(Event).where(Event.code == "BILAT", Event.territory_id == world["territory_a1"])
        )
        day = timedelta(days=1)
        before = span_between(event, event.starts_at, event.ends_at)
        after = span_between(event, event.starts_at + day, event.ends_at + day)
    return f"{before} {after}"


def test_the_preview_lists_each_move_and_nothing_moves_before_confirmation(
    app, login_as, world, outbox
):
    client = login_as("coordinator")
    before = _starts(app, world)
    with freeze(NOW):
        response = client.post(_url(world), data=_form(world))
    assert response.status_code == 200
    text = page_text(response)
    assert f"{len(before)} événements vont être déplacés" in text
    # The launch comité, from 9 to 10 March, is past: moved without a message.
    assert (
        "Comité d'orientation — lancement lundi 9 mars 2026, 14:00–17:00 "
        "mardi 10 mars 2026, 14:00–17:00 aucun (passé)"
    ) in text
    assert f"Bilatérale de lancement — Territoire A1 {_a1_bilateral_move(app, world)} oui" in text
    assert "Confirmer et prévenir les personnes concernées" in text
    html = response.get_data(as_text=True)
    assert 'value="2026-03-03 Europe/Paris"' in html  # the dates this preview is for
    assert _starts(app, world) == before
    with app.app_context():
        assert db.session.get(Cohort, world["cohort_a"]).start_date.isoformat() == "2026-03-02"
    assert outbox == []


def test_confirming_moves_everything_and_tells_each_person_once(app, login_as, world, outbox):
    client = login_as("coordinator")
    before = _starts(app, world)
    with freeze(NOW):
        response = client.post(_url(world), data=_confirmed(world))
    assert response.status_code == 302
    after = _starts(app, world)
    assert all(after[key] - before[key] == timedelta(days=1) for key in before)
    recipients = [message.to for message in outbox]
    assert len(recipients) == len(set(recipients))  # one notice per person
    assert set(recipients) == {
        "coord@example.org",
        "coach@example.org",
        "comite@example.org",
        "a1@example.org",
        "a1bis@example.org",
        "a2@example.org",
    }
    with app.test_request_context():
        events = db.session.scalars(select(Event).where(Event.cohort_id == world["cohort_a"])).all()
        uids = {event_uid(event, "parcours.test"): event for event in events}
        for message in outbox:
            method, calendar = invitation(received(app, message), filename="evenements.ics")
            assert method == "REQUEST"
            told = [uids[str(vevent["UID"])] for vevent in calendar.walk("VEVENT")]
            assert told, message.to
            for event in told:
                assert event.ends_at > NOW  # past meetings are not announced
                assert event.is_meeting  # nor self-assessment windows
                assert event.sequence == 1
            assert message.body.count("Désormais :") == len(told)
        committee = next(m for m in outbox if m.to == "comite@example.org")
        _method, calendar = invitation(received(app, committee), filename="evenements.ics")
        told = {uids[str(vevent["UID"])].code for vevent in calendar.walk("VEVENT")}
        assert told == {"COMITE2", "COMITE3"}  # the comités it sits on; COMITE1 is over


def test_a_date_changed_after_the_preview_is_previewed_again(app, login_as, world, outbox):
    client = login_as("coordinator")
    before = _starts(app, world)
    data = {**_confirmed(world), "start_date": "2026-03-09"}  # confirm posted with a new date
    with freeze(NOW):
        response = client.post(_url(world), data=data)
    assert response.status_code == 200
    assert 'value="2026-03-09 Europe/Paris"' in response.get_data(as_text=True)
    assert _starts(app, world) == before
    assert outbox == []


def test_a_change_without_moves_is_saved_at_once(app, login_as, world, outbox):
    client = login_as("coordinator")
    response = client.post(_url(world), data=_form(world, "2026-03-02", name="Cohorte A bis"))
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(Cohort, world["cohort_a"]).name == "Cohorte A bis"
    assert outbox == []


def test_recorded_attendance_still_refuses_the_move_at_the_preview(app, login_as, world, outbox):
    with app.app_context():
        event = db.session.scalar(
            select(Event).where(Event.cohort_id == world["cohort_a"], Event.code == "COMITE1")
        )
        event.dates_frozen = True
        db.session.commit()
    client = login_as("coordinator")
    before = _starts(app, world)
    for data in (_form(world), _confirmed(world)):
        with freeze(NOW):
            response = client.post(_url(world), data=data)
        assert response.status_code == 400
        assert "Des présences sont déjà relevées" in page_text(response)
        assert "vont être déplacés" not in page_text(response)
    assert _starts(app, world) == before
    assert outbox == []


def test_a_stale_form_is_still_a_conflict_at_preview_and_confirmation(app, login_as, world, outbox):
    with app.app_context():
        db.session.get(Cohort, world["cohort_a"]).target_territories = 11
        db.session.commit()
    client = login_as("coordinator")
    before = _starts(app, world)
    for data in (_form(world), _confirmed(world)):
        with freeze(NOW):
            response = client.post(_url(world), data=data)
        assert response.status_code == 409
        assert "Quelqu'un d'autre a enregistré une modification entre-temps" in page_text(response)
    assert _starts(app, world) == before
    assert outbox == []
