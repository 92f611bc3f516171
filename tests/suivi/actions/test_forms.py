"""The rows a parent form embeds: owners offered, blank rows, what typed_rows hands on."""

from datetime import date

from werkzeug.datastructures import MultiDict

from parcours.accounts.models import User
from parcours.cohorts.models import Territory
from parcours.core.conflicts import VersionedForm
from parcours.core.extensions import db
from parcours.core.forms import form_errors
from parcours.suivi.actions import forms
from parcours.suivi.actions.operations import ActionRow
from tests.suivi.factories import add_items, add_record


class _Parent(VersionedForm):
    class Meta:
        csrf = False

    actions = forms.action_rows()


def _posted(data: dict) -> _Parent:
    return _Parent(formdata=MultiDict(data))


def test_rows_offer_the_territory_people_and_blank_rows(ctx, world):
    territory = db.session.get(Territory, world["territory_a1"])
    form = _Parent(formdata=None)
    forms.prepare_rows(form.actions, territory)
    assert len(form.actions) == forms.BLANK_ROWS
    assert [str(choice.label) for choice in form.actions[0].owner.choices] == [
        "— choisir —",
        "Catalyseur A1 (Catalyseur·rice)",
        "Catalyseur A1 bis (Catalyseur·rice)",
        "Coach A (Accompagnateur·rice)",
    ]


def test_an_existing_parent_shows_one_row_per_item_then_blank_ones(ctx, world):
    record = add_record(world["territory_a1"], world["coach"])
    first, second = add_items(
        record,
        world["coach"],
        [
            ActionRow("Relancer la mairie", world["a1"], date(2026, 5, 4)),
            ActionRow("Envoyer la grille", world["coach"], done=True),
        ],
    )
    # a1bis left the territory since: their item keeps them as a choice.
    second.owner_id = world["a2"]
    db.session.flush()
    db.session.expire(second, ["owner"])
    form = _Parent(formdata=None)
    forms.fill_rows(form.actions, record.action_items)
    forms.prepare_rows(form.actions, record.territory, record.action_items)
    assert len(form.actions) == 2 + forms.BLANK_ROWS
    row = form.actions[0]
    assert (row.item_id.data, row.was_done.data, row.title.data, row.owner.data) == (
        str(first.id),
        "",
        "Relancer la mairie",
        world["a1"],
    )
    assert form.actions[1].was_done.data == "1" and form.actions[1].done.data is True
    assert (world["a2"], db.session.get(User, world["a2"]).full_name) in [
        (choice.value, choice.label) for choice in form.actions[0].owner.choices
    ]


def test_typed_rows_skip_blank_rows_and_say_what_the_form_showed(ctx, world):
    territory = db.session.get(Territory, world["territory_a1"])
    form = _posted(
        {
            "actions-0-item_id": "12",
            "actions-0-was_done": "1",
            "actions-0-title": " Relancer la mairie ",
            "actions-0-owner": str(world["a1"]),
            "actions-0-due_on": "04/05/2026",
            "actions-1-title": "",
            "actions-1-owner": "0",
            "actions-2-title": "Nouvelle",
            "actions-2-owner": str(world["coach"]),
            "actions-2-done": "y",
        }
    )
    forms.prepare_rows(form.actions, territory)
    assert form.validate(), form.errors
    assert forms.typed_rows(form.actions) == [
        ActionRow("Relancer la mairie", world["a1"], date(2026, 5, 4), False, 12, True, False),
        ActionRow("Nouvelle", world["coach"], None, True, None, None, False),
    ]


def test_a_row_needs_an_owner_and_an_emptied_title_asks_for_supprimer(ctx, world):
    territory = db.session.get(Territory, world["territory_a1"])
    form = _posted(
        {
            "actions-0-item_id": "12",
            "actions-0-title": "",
            "actions-0-owner": str(world["a1"]),
            "actions-1-title": "Sans responsable",
            "actions-1-owner": "0",
            "actions-2-item_id": "13",
            "actions-2-title": "",
            "actions-2-remove": "y",
        }
    )
    forms.prepare_rows(form.actions, territory)
    assert not form.validate()
    assert [error.text for error in form_errors(form)] == [
        "Actions, ligne 1 (Action) : Pour retirer une action, cochez « Supprimer » plutôt "
        "que d'effacer son intitulé.",
        "Actions, ligne 2 (Qui s'en charge) : Choisissez qui s'en charge.",
    ]
