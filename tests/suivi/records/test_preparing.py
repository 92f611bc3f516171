"""The new record opens with the last decisions and the open items, ticked from there."""

from datetime import date

from sqlalchemy import select

from parcours.core.extensions import db
from parcours.suivi.actions.operations import ActionRow
from parcours.suivi.models import ActionItem, FollowUpRecord, Visibility
from tests.conftest import page_text
from tests.forms import form_values
from tests.suivi.factories import TEAM_SECRET, add_items, add_record


def test_the_first_record_opens_blank(as_role, world, meetings):
    url = f"/events/{meetings['BILAT']}/record"
    page = as_role("coach").get(url)
    assert "Pour préparer" not in page_text(page)
    assert form_values(page, url)["agenda"].strip() == ""


def test_the_next_record_opens_with_the_last_decisions_and_open_items(
    app, as_role, world, meetings
):
    with app.app_context():
        add_record(
            world["territory_a1"], world["coach"], held_on=date(2026, 3, 16), decisions="Anciennes"
        )
        last = add_record(
            world["territory_a1"],
            world["coach"],
            event_id=meetings["SUIVI1"],
            held_on=date(2026, 4, 27),
            decisions="**Forum** en octobre ; " + TEAM_SECRET,
            decisions_visibility=Visibility.TEAM,
        )
        open_item, _done = add_items(
            last,
            world["coach"],
            [
                ActionRow("Relancer la mairie", world["a1"], date(2026, 5, 4)),
                ActionRow("Déjà faite", world["a1"], done=True),
            ],
        )
        db.session.commit()
        open_id = open_item.id
    client = as_role("coach")
    url = f"/events/{meetings['SUIVI2']}/record"
    page = client.get(url)
    text = page_text(page)
    assert (
        "Pour préparer : le compte rendu du 27 avril 2026 Décisions Accompagnement uniquement "
        f"Forum en octobre ; {TEAM_SECRET} Relire ce compte rendu"
    ) in text
    assert "<strong>Forum</strong>" in page.get_data(as_text=True)
    assert "Anciennes" not in text
    assert "Relancer la mairie — Catalyseur A1, pour le 4 mai 2026 En retard" in text
    assert "Déjà faite" not in text
    form = form_values(page, url)
    # The agenda starts from the last meeting, without copying a word of its (team) text.
    assert form["agenda"].strip().splitlines() == [
        "- Retour sur les décisions du 27 avril 2026",
        "- Point sur les actions en cours",
        "-",
    ]
    assert form["agenda_visibility"] == "shared"
    # Ticking an open item of the last meeting from the new record's form.
    form["close_items"] = str(open_id)
    form["decisions"] = "Nouvelles décisions"
    assert client.post(url, data=form).status_code == 302
    with app.app_context():
        item = db.session.get(ActionItem, open_id)
        assert item.is_done and item.done_by_id == world["coach"]
        new = db.session.scalar(
            select(FollowUpRecord).where(FollowUpRecord.event_id == meetings["SUIVI2"])
        )
        assert item.record_id != new.id, "it stays with the meeting that decided it"


def test_editing_a_record_recalls_the_one_before_it(app, as_role, world, meetings):
    with app.app_context():
        first = add_record(
            world["territory_a1"],
            world["coach"],
            held_on=date(2026, 3, 16),
            decisions="Les premières",
        )
        second = add_record(
            world["territory_a1"],
            world["coach"],
            held_on=date(2026, 4, 27),
            decisions="Les secondes",
        )
        db.session.commit()
        first_id, second_id = first.id, second.id
    client = as_role("coach")
    assert (
        "Pour préparer : le compte rendu du 16 mars 2026 Décisions Partagé avec le binôme "
        "Les premières" in page_text(client.get(f"/suivi/records/{second_id}/edit"))
    )
    assert "Pour préparer" not in page_text(client.get(f"/suivi/records/{first_id}/edit"))


def test_an_open_item_ticked_by_its_owner_meanwhile_is_no_error(app, as_role, world, meetings):
    from parcours.core.time import now_utc

    with app.app_context():
        last = add_record(world["territory_a1"], world["coach"], event_id=meetings["SUIVI1"])
        (item,) = add_items(last, world["coach"], [ActionRow("Relancer la mairie", world["a1"])])
        db.session.commit()
        item_id = item.id
    client = as_role("coach")
    url = f"/events/{meetings['SUIVI2']}/record"
    form = form_values(client.get(url), url)
    form["close_items"] = str(item_id)
    with app.app_context():
        db.session.get(ActionItem, item_id).done_at = now_utc()  # a1 ticked it meanwhile
        db.session.get(ActionItem, item_id).done_by_id = world["a1"]
        db.session.commit()
    assert client.post(url, data=form).status_code == 302
    with app.app_context():
        assert db.session.get(ActionItem, item_id).done_by_id == world["a1"]
