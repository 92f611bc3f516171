"""Action items from a form's rows: created, changed, removed; owners told once; ticking."""

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from parcours.accounts.models import User
from parcours.cohorts.models import Territory
from parcours.core.extensions import db
from parcours.core.time import freeze
from parcours.suivi.actions import operations
from parcours.suivi.actions.operations import ActionError, ActionRow
from parcours.suivi.models import ActionItem
from tests.suivi.factories import TEAM_SECRET, add_items, add_record

NOW = datetime(2026, 4, 9, 8, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _after_the_meeting():
    with freeze(NOW):
        yield


def _sync(record, user_id, rows):
    territory = db.session.get(Territory, record.territory_id)
    return operations.sync_items(
        record, rows, territory=territory, user=db.session.get(User, user_id)
    )


def test_rows_create_items_and_their_owners_are_told_once(ctx, world, outbox):
    record = add_record(world["territory_a1"], world["coach"])
    add_items(
        record,
        world["coach"],
        [
            ActionRow("Relancer la mairie", world["a1"], date(2026, 5, 4)),
            ActionRow("Envoyer la grille des fragilités", world["coach"], date(2026, 4, 20)),
        ],
    )
    db.session.commit()
    items = db.session.scalars(select(ActionItem).order_by(ActionItem.id)).all()
    assert [(i.title, i.owner_id, i.territory_id, i.record_id, i.created_by_id) for i in items] == [
        ("Relancer la mairie", world["a1"], world["territory_a1"], record.id, world["coach"]),
        (
            "Envoyer la grille des fragilités",
            world["coach"],
            world["territory_a1"],
            record.id,
            world["coach"],
        ),
    ]
    # The coach gave themselves the second one: only a1 is told.
    assert [m.to for m in outbox] == ["a1@example.org"]
    message = outbox[0]
    assert message.subject == "Une action pour vous : Relancer la mairie"
    assert "Territoire A1" in message.body and "4 mai 2026" in message.body
    assert f"/cohorts/{world['cohort_a']}/my-path" in message.body
    assert items[0].owner_notified_at == NOW and items[1].owner_notified_at is None
    # Saving the same rows again changes nothing and tells nobody again.
    rows = [ActionRow(i.title, i.owner_id, i.due_on, item_id=i.id, was_done=False) for i in items]
    assert _sync(record, world["coach"], rows) is False
    db.session.commit()
    assert len(outbox) == 1


def test_the_e_mail_carries_no_team_text_and_speaks_the_owner_language(ctx, world, outbox):
    db.session.get(User, world["a1bis"]).locale = "en"
    record = add_record(world["territory_a1"], world["coach"], decisions_visibility="team")
    add_items(record, world["coach"], [ActionRow("Préparer le forum", world["a1bis"])])
    db.session.commit()
    (message,) = outbox
    assert message.to == "a1bis@example.org"
    assert message.body.startswith("Hello Catalyseur A1 bis,")
    assert TEAM_SECRET not in message.body and "relancer la mairie" not in message.body
    assert "Préparer le forum" in message.body


def test_a_new_owner_is_told_and_the_old_one_is_not_told_again(ctx, world, outbox):
    record = add_record(world["territory_a1"], world["coach"])
    (item,) = add_items(record, world["coach"], [ActionRow("Relancer la mairie", world["a1"])])
    db.session.commit()
    outbox.clear()
    row = ActionRow("Relancer la mairie", world["a1bis"], item_id=item.id, was_done=False)
    assert _sync(record, world["coach"], [row]) is True
    db.session.commit()
    assert [m.to for m in outbox] == ["a1bis@example.org"]
    assert db.session.get(ActionItem, item.id).owner_notified_at == NOW


def test_a_catalyseur_of_another_territory_cannot_own_an_item(ctx, world, outbox):
    record = add_record(world["territory_a1"], world["coach"])
    with pytest.raises(ActionError) as error:
        _sync(
            record,
            world["coach"],
            [ActionRow("Bonne action", world["a1"]), ActionRow("Mauvaise", world["a2"])],
        )
    assert error.value.row == 1
    assert "catalyseur·rice du territoire" in str(error.value)
    assert db.session.scalar(select(func.count(ActionItem.id))) == 0, "nothing half done"


def test_changes_and_removal_touch_the_parent_and_raise_its_version(ctx, world):
    record = add_record(world["territory_a1"], world["coach"])
    first, second = add_items(
        record,
        world["coach"],
        [
            ActionRow("Relancer la mairie", world["a1"]),
            ActionRow("Écrire au département", world["a1"]),
        ],
    )
    db.session.commit()
    version = record.version
    rows = [
        ActionRow(
            "Relancer la mairie et la CCI",
            world["a1"],
            date(2026, 6, 1),
            item_id=first.id,
            was_done=False,
        ),
        ActionRow(
            "Écrire au département", world["a1"], item_id=second.id, was_done=False, remove=True
        ),
    ]
    assert _sync(record, world["coordinator"], rows) is True
    db.session.commit()
    assert record.version == version + 1
    assert record.updated_by_id == world["coordinator"]
    (kept,) = db.session.scalars(select(ActionItem)).all()
    assert (kept.title, kept.due_on) == ("Relancer la mairie et la CCI", date(2026, 6, 1))
    assert [item.id for item in record.action_items] == [first.id]


def test_an_item_ticked_while_the_form_was_open_stays_ticked(ctx, world):
    record = add_record(world["territory_a1"], world["coach"])
    (item,) = add_items(record, world["coach"], [ActionRow("Relancer la mairie", world["a1"])])
    operations.tick(item, db.session.get(User, world["a1"]))  # the owner ticks it meanwhile
    db.session.commit()
    # The coach's form still shows it undone, and the coach only changed its date.
    row = ActionRow(
        "Relancer la mairie",
        world["a1"],
        date(2026, 6, 1),
        done=False,
        item_id=item.id,
        was_done=False,
    )
    _sync(record, world["coach"], [row])
    db.session.commit()
    item = db.session.get(ActionItem, item.id)
    assert item.is_done and item.done_by_id == world["a1"] and item.due_on == date(2026, 6, 1)
    # Unticking it on purpose is applied.
    row = ActionRow(
        "Relancer la mairie",
        world["a1"],
        date(2026, 6, 1),
        done=False,
        item_id=item.id,
        was_done=True,
    )
    _sync(record, world["coach"], [row])
    assert not db.session.get(ActionItem, item.id).is_done


def test_an_item_created_done_is_not_announced(ctx, world, outbox):
    record = add_record(world["territory_a1"], world["coach"])
    (item,) = add_items(record, world["coach"], [ActionRow("Déjà envoyé", world["a1"], done=True)])
    db.session.commit()
    assert item.done_at == NOW and item.done_by_id == world["coach"]
    assert outbox == []


def test_tick_and_untick_record_who_and_when_and_say_when_nothing_changed(ctx, world):
    record = add_record(world["territory_a1"], world["coach"])
    (item,) = add_items(record, world["coach"], [ActionRow("Relancer la mairie", world["a1"])])
    a1 = db.session.get(User, world["a1"])
    assert operations.tick(item, a1) is True
    assert (item.done_at, item.done_by_id) == (NOW, world["a1"])
    assert operations.tick(item, a1) is False
    assert operations.untick(item, a1) is True
    assert (item.done_at, item.done_by_id) == (None, None)
    assert operations.untick(item, a1) is False
