"""A coach writes a follow-up's record: shared and team blocks, action items, owners told."""

from datetime import date

from sqlalchemy import select

from parcours.core.extensions import db
from parcours.suivi.models import ActionItem, FollowUpRecord
from tests.conftest import page_text
from tests.forms import error_summary, form_values
from tests.suivi.factories import TEAM_SECRET


def _typed(form, world):
    form["agenda"] = "- Point sur le **forum** des acteurs\n- Budget 2027"
    form["agenda_visibility"] = "shared"
    form["notes"] = "La mairie hésite. " + TEAM_SECRET
    form["notes_visibility"] = "team"
    form["decisions"] = "Organiser le forum en octobre."
    form["decisions_visibility"] = "shared"
    form["team_notes"] = "Fatigue de l'équipe : " + TEAM_SECRET
    form["other_participants"] = "Jeanne Martin (CCI)"
    form["actions-0-title"] = "Réserver la salle du forum"
    form["actions-0-owner"] = str(world["a1"])
    form["actions-0-due_on"] = "2026-06-20"
    form["actions-1-title"] = "Envoyer la liste des entreprises"
    form["actions-1-owner"] = str(world["coach"])
    form["actions-1-due_on"] = "2026-06-10"
    return form


def test_a_coach_writes_the_record_of_a_follow_up(app, as_role, world, meetings, outbox):
    client = as_role("coach")
    url = f"/events/{meetings['SUIVI1']}/record"
    page = client.get(url)
    assert page.status_code == 200
    form = form_values(page, url)
    # The meeting's day, and the binôme and its coach ticked present.
    with app.app_context():
        from parcours.agenda.models import Event

        held = db.session.get(Event, meetings["SUIVI1"]).starts_at
    assert form["held_on"] == held.date().isoformat()
    assert sorted(form.getlist("participants")) == sorted(
        str(world[key]) for key in ("a1", "a1bis", "coach")
    )
    outbox.clear()
    response = client.post(url, data=_typed(form, world))
    assert response.status_code == 302, page_text(response)
    with app.app_context():
        record = db.session.scalar(select(FollowUpRecord))
        assert response.headers["Location"] == f"/suivi/records/{record.id}"
        assert record.event_id == meetings["SUIVI1"]
        assert (record.notes_visibility, record.decisions_visibility) == ("team", "shared")
        assert record.other_participants == "Jeanne Martin (CCI)"
        assert record.created_by_id == world["coach"]
        items = db.session.scalars(select(ActionItem).order_by(ActionItem.id)).all()
        assert [(i.title, i.owner_id, i.due_on) for i in items] == [
            ("Réserver la salle du forum", world["a1"], date(2026, 6, 20)),
            ("Envoyer la liste des entreprises", world["coach"], date(2026, 6, 10)),
        ]
    assert [m.to for m in outbox] == ["a1@example.org"]
    assert TEAM_SECRET not in outbox[0].body
    shown = page_text(client.get(f"/suivi/records/{record.id}"))
    assert "Ordre du jour Partagé avec le binôme Lu par le binôme" in shown
    assert "Notes Accompagnement uniquement Lu par l'accompagnateur·rice" in shown
    assert TEAM_SECRET in shown
    assert "Jeanne Martin (CCI)" in shown


def test_an_unplanned_call_is_recorded_once_held_not_ahead(app, as_role, world, meetings):
    client = as_role("coach")
    url = f"/territories/{world['territory_a1']}/suivi/records/new"
    form = _typed(form_values(client.get(url), url), world)
    form["held_on"] = "02/06/2026"  # tomorrow, in Paris (the records' clock is 1 June)
    response = client.post(url, data=form)
    assert response.status_code == 400
    assert [text for _anchor, text in error_summary(response)] == [
        "Date du rendez-vous : Cette date est à venir : le compte rendu d'un échange non "
        "planifié s'écrit une fois l'échange tenu. Pour un rendez-vous à venir, programmez-le."
    ]
    assert form_values(response, url)["notes"].strip() == form["notes"]
    with app.app_context():
        assert db.session.scalar(select(FollowUpRecord)) is None
    form["held_on"] = "01/06/2026"
    assert client.post(url, data=form).status_code == 302


def test_a_form_with_errors_keeps_what_was_typed(app, as_role, world, meetings):
    client = as_role("coach")
    url = f"/territories/{world['territory_a1']}/suivi/records/new"
    form = _typed(form_values(client.get(url), url), world)
    form["held_on"] = "31/02/2026"
    form["actions-1-owner"] = "0"
    response = client.post(url, data=form)
    assert response.status_code == 400
    assert [text for _anchor, text in error_summary(response)] == [
        "Date du rendez-vous : Date non reconnue : écrivez-la jj/mm/aaaa, par exemple 11/01/2027.",
        "Actions décidées, ligne 2 (Qui s'en charge) : Choisissez qui s'en charge.",
    ]
    kept = form_values(response, url)
    assert kept["notes"].strip() == form["notes"]
    assert kept["actions-0-title"] == "Réserver la salle du forum"
    with app.app_context():
        assert db.session.scalar(select(FollowUpRecord)) is None
