"""Open and late items: of a territory, of an owner across cohorts, counted; « Mes actions »."""

from datetime import UTC, date, datetime

import pytest

from parcours.accounts.models import User
from parcours.cohorts.models import Cohort, Territory
from parcours.core.extensions import db
from parcours.core.time import freeze, now_utc
from parcours.suivi.actions import queries
from parcours.suivi.actions.operations import ActionRow
from parcours.suivi.models import ActionItem
from tests.conftest import page_text
from tests.suivi.factories import add_items, add_record

# Thursday 7 May 2026, 23:30 in Paris: still the 7th there, already the 8th in Nouméa.
NOW = datetime(2026, 5, 7, 21, 30, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _frozen():
    with freeze(NOW):
        yield


def _items(world, record, rows):
    return add_items(record, world["coach"], rows)


def test_a_territory_open_items_leave_out_done_ones_and_deleted_records(ctx, world):
    a1 = world["territory_a1"]
    record = add_record(a1, world["coach"])
    _items(
        world,
        record,
        [
            ActionRow("En retard", world["a1"], date(2026, 5, 6)),
            ActionRow("Sans date", world["coach"]),
            ActionRow("Faite", world["a1"], date(2026, 5, 1), done=True),
        ],
    )
    gone = add_record(a1, world["coach"], held_on=date(2026, 4, 1))
    _items(world, gone, [ActionRow("D'un compte rendu supprimé", world["a1"])])
    gone.deleted_at = now_utc()
    db.session.flush()
    territory = db.session.get(Territory, a1)
    found = queries.open_items_of_territory(territory)
    assert [item.title for item in found] == ["En retard", "Sans date"]
    today = queries.local_today(territory.cohort)
    assert today == date(2026, 5, 7)
    assert [item.is_overdue(today) for item in found] == [True, False]
    assert queries.counts_by_territory([a1, world["territory_a2"]], today) == {
        a1: queries.Counts(open=2, overdue=1)
    }


def test_an_owner_open_items_span_cohorts_and_lateness_follows_each_cohort_zone(ctx, world):
    # Territory A1's cohort lives in Nouméa: its 7 May is over.
    db.session.get(Cohort, world["cohort_a"]).timezone = "Pacific/Noumea"
    record = add_record(world["territory_a1"], world["coach"])
    _items(world, record, [ActionRow("Due le 7 mai", world["coach"], date(2026, 5, 7))])
    # The same person coaches in cohort B, whose territory lives in Paris.
    coach = db.session.get(User, world["coach"])
    b1 = db.session.get(Territory, world["territory_b1"])
    from parcours.cohorts.models import Membership, Role

    db.session.add(Membership(cohort_id=world["cohort_b"], user_id=coach.id, role=Role.COACH))
    b1.coach_id = coach.id
    other = add_record(b1.id, world["coach"])
    add_items(other, world["coach"], [ActionRow("Due le 7 mai aussi", coach.id, date(2026, 5, 7))])
    found = queries.open_items_of_owner(coach)
    assert [item.title for item in found] == ["Due le 7 mai", "Due le 7 mai aussi"]
    assert [i.title for i in queries.open_items_of_owner(coach, cohort=b1.cohort)] == [
        "Due le 7 mai aussi"
    ]
    assert [item.title for item in queries.overdue_items_of_owner(coach)] == ["Due le 7 mai"]
    assert [item.title for item in queries.overdue_items()] == ["Due le 7 mai"]


def test_possible_owners_are_the_catalyseurs_then_the_coach(ctx, world):
    territory = db.session.get(Territory, world["territory_a1"])
    owners = queries.possible_owners(territory)
    assert [(o.user_id, o.name) for o in owners] == [
        (world["a1"], "Catalyseur A1"),
        (world["a1bis"], "Catalyseur A1 bis"),
        (world["coach"], "Coach A"),
    ]
    assert [
        o.name for o in queries.possible_owners(db.session.get(Territory, world["territory_a2"]))
    ] == ["Catalyseur A2"]


def test_my_path_lists_my_open_items_with_the_late_ones_marked(app, login_as, world):
    with app.app_context():
        record = add_record(world["territory_a1"], world["coach"])
        _items(
            world,
            record,
            [
                ActionRow("Relancer la mairie", world["a1"], date(2026, 5, 4)),
                ActionRow("Préparer le forum", world["a1"], date(2026, 6, 15)),
                ActionRow("Celle de mon binôme", world["a1bis"], date(2026, 5, 4)),
                ActionRow("Déjà faite", world["a1"], done=True),
            ],
        )
        db.session.commit()
    page = login_as("a1").get(f"/cohorts/{world['cohort_a']}/my-path")
    text = page_text(page)
    assert "Mes actions 2 actions à faire · dont 1 en retard" in text
    assert "Relancer la mairie · Territoire A1 · pour le 4 mai 2026 En retard C'est fait" in text
    assert "Préparer le forum" in text
    assert "Celle de mon binôme" not in text and "Déjà faite" not in text
    html = page.get_data(as_text=True)
    assert html.count('action="/suivi/actions/') == 2


def test_my_territories_lists_the_coach_own_items(app, login_as, world):
    with app.app_context():
        record = add_record(world["territory_a1"], world["coach"])
        _items(
            world,
            record,
            [
                ActionRow("Envoyer la grille", world["coach"], date(2026, 5, 20)),
                ActionRow("Relancer la mairie", world["a1"], date(2026, 5, 4)),
            ],
        )
        db.session.commit()
    text = page_text(login_as("coach").get(f"/cohorts/{world['cohort_a']}/my-territories"))
    assert "Mes actions 1 action à faire" in text
    assert "Envoyer la grille · Territoire A1 · pour le 20 mai 2026" in text
    assert "Relancer la mairie" not in text


def test_mes_actions_costs_the_same_queries_with_ten_times_the_items(
    app, login_as, world, query_counter
):
    client = login_as("a1")
    url = f"/cohorts/{world['cohort_a']}/my-path"

    def add(count):
        with app.app_context():
            record = add_record(world["territory_a1"], world["coach"])
            _items(
                world,
                record,
                [
                    ActionRow(f"Action {n}", world["a1"], date(2026, 5, 1 + n % 20))
                    for n in range(count)
                ],
            )
            db.session.commit()

    def counted():
        client.get(url)  # warm caches
        with query_counter:
            assert client.get(url).status_code == 200
        return query_counter.count

    add(1)
    once = counted()
    add(10)
    assert counted() == once


def test_ticking_from_my_path_comes_back_to_it(app, login_as, world):
    with app.app_context():
        record = add_record(world["territory_a1"], world["coach"])
        (item,) = _items(world, record, [ActionRow("Relancer la mairie", world["a1"])])
        db.session.commit()
        item_id = item.id
    client = login_as("a1")
    url = f"/cohorts/{world['cohort_a']}/my-path"
    from tests.forms import form_values

    form = form_values(client.get(url), f"/suivi/actions/{item_id}/tick")
    response = client.post(f"/suivi/actions/{item_id}/tick", data=form)
    assert response.headers["Location"] == url
    with app.app_context():
        assert db.session.get(ActionItem, item_id).is_done
    assert "Aucune action ne vous attend" in page_text(client.get(url))
