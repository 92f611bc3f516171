"""Ticking an item done and reopening it: its owner and the territory's team, nobody else."""

import pytest
from sqlalchemy import select

from parcours.core.extensions import db
from parcours.core.time import now_utc
from parcours.suivi.actions.operations import ActionRow
from parcours.suivi.models import ActionItem
from tests.conftest import login
from tests.suivi.factories import OTHER_COACH, add_items, add_other_coach, add_record


@pytest.fixture
def item(app, world):
    """An item of a record of territory A1, owned by a1; its id and its record's."""
    with app.app_context():
        record = add_record(world["territory_a1"], world["coach"])
        (item,) = add_items(record, world["coach"], [ActionRow("Relancer la mairie", world["a1"])])
        add_other_coach(world["cohort_a"])
        db.session.commit()
        return {"id": item.id, "record": record.id}


def _done(app, item_id) -> bool:
    with app.app_context():
        return db.session.get(ActionItem, item_id).is_done


def _client(login_as, app, role):
    if role == "other_coach":
        client = app.test_client()
        login(client, OTHER_COACH)
        return client
    return login_as(role)


def test_anonymous_visitors_are_sent_to_log_in(client, item):
    response = client.post(f"/suivi/actions/{item['id']}/tick")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


@pytest.mark.parametrize(
    "role", ["a1bis", "a2", "other_coach", "committee", "coordinator_b", "b1", "outsider"]
)
def test_others_may_not_tick_an_item(app, login_as, item, role):
    client = _client(login_as, app, role)
    for verb in ("tick", "untick"):
        assert client.post(f"/suivi/actions/{item['id']}/{verb}").status_code == 403
    assert not _done(app, item["id"])


@pytest.mark.parametrize("role", ["a1", "coach", "coordinator", "admin"])
def test_the_owner_and_the_team_tick_and_reopen_an_item(app, login_as, world, item, role):
    client = login_as(role)
    back = f"/cohorts/{world['cohort_a']}/my-path"
    response = client.post(f"/suivi/actions/{item['id']}/tick", data={"next": back})
    assert response.status_code == 302 and response.headers["Location"] == back
    with app.app_context():
        ticked = db.session.get(ActionItem, item["id"])
        assert ticked.done_by_id == world[role] and ticked.done_at <= now_utc()
    response = client.post(f"/suivi/actions/{item['id']}/untick", data={"next": back})
    assert response.status_code == 302
    assert not _done(app, item["id"])


def test_ticking_twice_says_so_and_an_outside_next_is_not_followed(app, login_as, world, item):
    client = login_as("a1")
    url = f"/suivi/actions/{item['id']}/tick"
    response = client.post(url, data={"next": "https://evil.example/"})
    assert not response.headers["Location"].startswith("https://evil")
    assert client.post(url, follow_redirects=True).status_code == 200
    page = client.post(url, follow_redirects=True)
    assert "Cette action était déjà cochée." in page.get_data(as_text=True)


def test_an_unknown_item_is_not_found(login_as, item):
    assert login_as("coach").post("/suivi/actions/999999/tick").status_code == 404


def test_an_item_of_a_deleted_record_cannot_be_ticked(app, login_as, world, item):
    from parcours.suivi.models import FollowUpRecord

    with app.app_context():
        record = db.session.get(FollowUpRecord, item["record"])
        record.deleted_at = now_utc()
        db.session.commit()
    for role in ("a1", "coach", "coordinator"):
        assert login_as(role).post(f"/suivi/actions/{item['id']}/tick").status_code == 403
    with app.app_context():
        assert db.session.scalar(select(ActionItem.done_at)) is None
