"""« Prochain rendez-vous »: a new follow-up in the agenda (invitations go), or one linked."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from parcours.agenda.models import Event
from parcours.core.extensions import db
from parcours.suivi.models import FollowUpRecord
from tests.conftest import page_text
from tests.forms import error_summary
from tests.suivi.factories import add_record


@pytest.fixture
def record_id(app, world, meetings):
    with app.app_context():
        record = add_record(world["territory_a1"], world["coach"], event_id=meetings["SUIVI1"])
        db.session.commit()
        return record.id


def _next_event_id(app, record_id):
    with app.app_context():
        return db.session.get(FollowUpRecord, record_id).next_event_id


def test_the_coach_puts_the_next_follow_up_in_the_agenda(app, as_role, world, record_id, outbox):
    client = as_role("coach")
    outbox.clear()
    response = client.post(
        f"/suivi/records/{record_id}/next-meeting",
        data={
            "how": "create",
            "day": "24/06/2026",
            "start_time": "10:00",
            "end_time": "11:30",
            "mode": "video",
            "online_url": "https://visio.example.org/a1",
        },
    )
    assert response.status_code == 302
    assert response.headers["Location"] == f"/suivi/records/{record_id}#next-meeting"
    with app.app_context():
        event = db.session.get(Event, _next_event_id(app, record_id))
        assert (event.kind, event.territory_id, event.title) == (
            "follow_up",
            world["territory_a1"],
            "Suivi individuel",
        )
        # 10:00 in Paris in June is 08:00 UTC.
        assert event.starts_at == datetime(2026, 6, 24, 8, 0, tzinfo=UTC)
        assert event.online_url == "https://visio.example.org/a1"
        assert event.created_by_id == world["coach"]
    # The invitations the agenda sends for any follow-up: the binôme and its coach.
    invited = sorted(m.to for m in outbox if m.subject.startswith("Invitation : Suivi individuel"))
    assert invited == ["a1@example.org", "a1bis@example.org", "coach@example.org"]
    shown = page_text(as_role("a1").get(f"/suivi/records/{record_id}"))
    assert "Prochain rendez-vous Suivi individuel , mercredi 24 juin 2026, 10:00–11:30" in shown


def test_a_follow_up_already_planned_can_be_linked_instead(
    app, as_role, world, meetings, record_id, outbox
):
    client = as_role("coordinator")
    page = page_text(client.get(f"/suivi/records/{record_id}"))
    assert "Suivi individuel n° 2 — mercredi 22 juillet 2026" in page
    outbox.clear()
    response = client.post(
        f"/suivi/records/{record_id}/next-meeting",
        data={"how": "link", "event": str(meetings["SUIVI2"])},
    )
    assert response.status_code == 302
    assert _next_event_id(app, record_id) == meetings["SUIVI2"]
    assert outbox == [], "linking invites nobody again"
    # A past meeting, or another territory's, is not offered and cannot be posted.
    for other in (meetings["BILAT"], meetings["SUIVI1"]):
        response = client.post(
            f"/suivi/records/{record_id}/next-meeting", data={"how": "link", "event": str(other)}
        )
        assert response.status_code == 400
    assert _next_event_id(app, record_id) == meetings["SUIVI2"]


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (
            {"how": "create", "start_time": "10:00", "end_time": "11:00", "mode": "phone"},
            "Date : Indiquez la date du prochain rendez-vous.",
        ),
        (
            {
                "how": "create",
                "day": "24/06/2026",
                "start_time": "11:00",
                "end_time": "10:00",
                "mode": "onsite",
            },
            "Fin : La fin doit être après le début.",
        ),
        (
            {
                "how": "create",
                "day": "28/05/2026",
                "start_time": "10:00",
                "end_time": "11:00",
                "mode": "onsite",
            },
            "Date : Le prochain rendez-vous est à venir : choisissez une date future.",
        ),
        ({"how": "link", "event": "0"}, "Suivi déjà prévu : Choisissez le suivi prévu."),
        (
            {
                "how": "create",
                "day": "24/06/2026",
                "start_time": "10:00",
                "end_time": "11:00",
                "mode": "video",
                "online_url": "pas un lien",
            },
            "Lien de visioconférence : URL non valide.",
        ),
    ],
)
def test_a_wrong_next_meeting_says_why_and_schedules_nothing(
    app, as_role, record_id, data, expected
):
    with app.app_context():
        before = db.session.scalar(select(db.func.count(Event.id)))
    response = as_role("coach").post(f"/suivi/records/{record_id}/next-meeting", data=data)
    assert response.status_code == 400
    assert expected in [text for _anchor, text in error_summary(response)]
    with app.app_context():
        assert db.session.scalar(select(db.func.count(Event.id))) == before
    assert _next_event_id(app, record_id) is None


def test_a_phone_call_says_so_in_the_agenda(app, as_role, record_id):
    as_role("coach").post(
        f"/suivi/records/{record_id}/next-meeting",
        data={
            "how": "create",
            "day": "2026-06-24",
            "start_time": "10:00",
            "end_time": "10:45",
            "mode": "phone",
        },
    )
    with app.app_context():
        event = db.session.get(Event, _next_event_id(app, record_id))
        assert (event.venue_name, event.online_url) == ("Par téléphone", "")
