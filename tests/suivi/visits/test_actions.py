"""Follow-up actions of a visit report: the same action items as a follow-up record's."""

from sqlalchemy import select

from parcours.core.extensions import db
from parcours.suivi.models import ActionItem, FieldVisitReport
from tests.conftest import page_text
from tests.forms import form_values


def _items(app, report_id: int) -> list[tuple]:
    with app.app_context():
        return [
            (item.title, item.owner_id, str(item.due_on), item.is_done)
            for item in db.session.scalars(
                select(ActionItem).where(ActionItem.visit_report_id == report_id)
            )
        ]


def test_a_report_written_with_actions_gives_them_to_their_owners(
    app, login_as, world, visits, outbox
):
    client = login_as("coach")
    url = f"/suivi/field-visits/{visits['A1']}/report"
    data = form_values(client.get(url))
    data["actions-0-title"] = "Envoyer la convention au club d'entreprises"
    data["actions-0-owner"] = str(world["a1"])
    data["actions-0-due_on"] = "2026-10-20"
    response = client.post(url, data=data)
    assert response.status_code == 302
    report_id = int(response.headers["Location"].rsplit("/", 1)[1])
    assert _items(app, report_id) == [
        ("Envoyer la convention au club d'entreprises", world["a1"], "2026-10-20", False)
    ]
    with app.app_context():
        item = db.session.scalar(select(ActionItem))
        assert item.territory_id == world["territory_a1"] and item.record_id is None
    assert any(message.to == "a1@example.org" for message in outbox), "the owner is told"

    # Its owner reads it on the report and ticks it there; the other catalyseur only reads.
    page = login_as("a1").get(f"/suivi/visits/{report_id}")
    assert "Envoyer la convention au club d'entreprises" in page_text(page)
    assert f"/suivi/actions/{item.id}/tick" in page.get_data(as_text=True)
    other = login_as("a1bis").get(f"/suivi/visits/{report_id}").get_data(as_text=True)
    assert "Envoyer la convention" in other and f"/suivi/actions/{item.id}/tick" not in other
    back = login_as("a1").post(
        f"/suivi/actions/{item.id}/tick", data={"next": f"/suivi/visits/{report_id}"}
    )
    assert back.headers["Location"] == f"/suivi/visits/{report_id}"
    assert _items(app, report_id)[0][3] is True


def test_an_action_without_an_owner_is_refused_and_the_form_kept(app, login_as, visits):
    client = login_as("coach")
    url = f"/suivi/field-visits/{visits['A1']}/report"
    data = form_values(client.get(url))
    data["observed"] = "Beaucoup de monde."
    data["actions-0-title"] = "Relancer la mairie"
    response = client.post(url, data=data)
    assert response.status_code == 400
    assert "Choisissez qui s'en charge." in page_text(response)
    again = form_values(response)
    assert again["actions-0-title"] == "Relancer la mairie"
    assert again["observed"].strip() == "Beaucoup de monde."
    with app.app_context():
        assert db.session.scalar(select(FieldVisitReport)) is None


def test_a_change_of_the_actions_alone_is_a_new_version(app, login_as, world, make_report):
    report_id = make_report()
    url = f"/suivi/visits/{report_id}/edit"
    first, second = login_as("coach"), login_as("coordinator")
    first_form, second_form = form_values(first.get(url)), form_values(second.get(url))
    first_form["actions-0-title"] = "Organiser une visite du lycée"
    first_form["actions-0-owner"] = str(world["coach"])
    response = first.post(url, data=first_form, follow_redirects=True)
    assert "Le compte rendu de visite est modifié." in page_text(response)
    assert [title for title, *_ in _items(app, report_id)] == ["Organiser une visite du lycée"]
    second_form["places"] = "La grange"
    conflict = second.post(url, data=second_form)
    assert conflict.status_code == 409
    assert "Organiser une visite du lycée" in page_text(conflict), "the stored version shown"
    # The edit form shows the existing item, with its « Supprimer » box.
    edit = form_values(first.get(url))
    assert edit["actions-0-title"] == "Organiser une visite du lycée"
    edit["actions-0-remove"] = "y"
    assert first.post(url, data=edit).status_code == 302
    assert _items(app, report_id) == []
