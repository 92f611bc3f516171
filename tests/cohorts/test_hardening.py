"""Inputs that used to end in a 500 get a clear, translated 4xx instead."""

import io

import pytest
from sqlalchemy import func, select

from parcours.agenda.models import Event
from parcours.cohorts import csv_import
from parcours.cohorts.models import Cohort, Territory
from parcours.core.extensions import db
from tests.conftest import page_text

# CSV import: every field is checked against its column's length ---------------------------

GOOD = {
    "territoire": "Pays d'Auge",
    "region": "Normandie",
    "departement": "Calvados",
    "type": "rural",
    "structure": "Asso Auge",
    "type_structure": "associatif",
    "statut": "",
    "motif": "",
    "catalyseur_1_nom": "Élise Château",
    "catalyseur_1_email": "elise@example.org",
    "catalyseur_1_structure": "Asso Auge",
    "catalyseur_2_nom": "Rémi Lefèvre",
    "catalyseur_2_email": "remi@example.org",
    "catalyseur_2_structure": "Asso Auge",
}


def _csv(*rows: dict) -> str:
    lines = [";".join(csv_import.HEADER)]
    lines += [";".join({**GOOD, **row}[name] for name in csv_import.HEADER) for row in rows]
    return "\r\n".join(lines) + "\r\n"


TOO_LONG = [
    ("territoire", 200, "le nom du territoire dépasse 200 caractères"),
    ("region", 100, "la région dépasse 100 caractères"),
    ("departement", 100, "le département dépasse 100 caractères"),
    ("structure", 200, "la structure porteuse dépasse 200 caractères"),
    ("catalyseur_1_nom", 200, "catalyseur 1 : le nom dépasse 200 caractères"),
    ("catalyseur_1_structure", 200, "catalyseur 1 : la structure dépasse 200 caractères"),
    ("catalyseur_2_nom", 200, "catalyseur 2 : le nom dépasse 200 caractères"),
    ("catalyseur_2_structure", 200, "catalyseur 2 : la structure dépasse 200 caractères"),
]


@pytest.mark.parametrize(("column", "limit", "message"), TOO_LONG)
def test_csv_field_longer_than_its_column_is_an_error_of_its_line(
    ctx, world, column, limit, message
):
    cohort = db.session.get(Cohort, world["cohort_a"])
    preview = csv_import.parse(cohort, _csv({column: "x" * (limit + 1)}))
    assert not preview.ok
    assert preview.rows[0].errors == [message]

    at_the_limit = csv_import.parse(cohort, _csv({column: "x" * limit}))
    assert at_the_limit.ok, at_the_limit.rows[0].errors


def test_csv_limits_come_from_the_model_columns(ctx, world):
    assert (
        Territory.__table__.c.region.type.length,
        Territory.__table__.c.carrier_structure.type.length,
    ) == (100, 200)


def test_csv_upload_with_a_too_long_region_is_refused_line_by_line(app, login_as, world):
    client = login_as("coordinator")
    content = _csv({"region": "R" * 101}, {"territoire": "Lisieux", "catalyseur_1_email": ""})
    response = client.post(
        f"/cohorts/{world['cohort_a']}/import",
        data={"file": (io.BytesIO(content.encode()), "territoires.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    text = page_text(response)
    assert "Ligne 2 : la région dépasse 100 caractères" in text
    assert "Confirmer l'import" not in text

    confirm = client.post(f"/cohorts/{world['cohort_a']}/import/confirm", data={"content": content})
    assert confirm.status_code == 400
    assert "Ligne 2 : la région dépasse 100 caractères" in page_text(confirm)
    with app.app_context():
        count = db.session.scalar(
            select(func.count(Territory.id)).where(Territory.cohort_id == world["cohort_a"])
        )
    assert count == 2


# Cohort dates stay within a sensible range --------------------------------------------------

RANGE_MESSAGE = "La date doit être comprise entre le 1er janvier 2000 et le 31 décembre 2100."


def _cohort_form(app, world, **changes) -> dict:
    with app.app_context():
        version_id = db.session.get(Cohort, world["cohort_a"]).curriculum_version_id
    return {
        "curriculum": version_id,
        "name": "Promotion lointaine",
        "start_date": "2027-01-11",
        "timezone": "Europe/Paris",
        "target_territories": "12",
        **changes,
    }


@pytest.mark.parametrize("start_date", ["9999-06-01", "1999-12-31", "0001-01-01"])
def test_new_cohort_out_of_range_start_date_is_a_400_with_a_message(
    app, login_as, world, start_date
):
    client = login_as("coordinator")
    response = client.post("/cohorts/new", data=_cohort_form(app, world, start_date=start_date))
    assert response.status_code == 400
    assert RANGE_MESSAGE in page_text(response)
    with app.app_context():
        assert db.session.scalar(select(Cohort).where(Cohort.name == "Promotion lointaine")) is None


def test_new_cohort_on_the_last_allowed_day_gets_its_timeline(app, login_as, world):
    client = login_as("coordinator")
    response = client.post("/cohorts/new", data=_cohort_form(app, world, start_date="2100-12-31"))
    assert response.status_code == 302
    with app.app_context():
        cohort = db.session.scalar(select(Cohort).where(Cohort.name == "Promotion lointaine"))
        assert db.session.scalar(select(func.count(Event.id)).where(Event.cohort_id == cohort.id))


def test_editing_a_cohort_to_an_out_of_range_date_is_a_400(app, login_as, world):
    client = login_as("coordinator")
    response = client.post(
        f"/cohorts/{world['cohort_a']}/edit",
        data={
            "name": "Cohorte A",
            "start_date": "9999-04-01",
            "timezone": "Europe/Paris",
            "target_territories": "10",
        },
    )
    assert response.status_code == 400
    assert RANGE_MESSAGE in page_text(response)
    with app.app_context():
        assert str(db.session.get(Cohort, world["cohort_a"]).start_date) == "2026-03-02"


def test_the_date_range_message_is_translated(app, login_as, world):
    client = login_as("coordinator")
    client.post("/account", data={"full_name": "Coordination A", "locale": "en"})
    response = client.post("/cohorts/new", data=_cohort_form(app, world, start_date="9999-06-01"))
    assert response.status_code == 400
    assert "The date must be between January 1, 2000 and December 31, 2100." in page_text(response)


# Simultaneous invitations of one new address ----------------------------------------------


@pytest.mark.commits  # the requests run in threads, each on a connection of its own
def test_simultaneous_invitations_of_a_new_address_create_one_account(
    app, world, login_as, monkeypatch
):
    from parcours.accounts import operations as account_ops
    from parcours.accounts.models import User
    from parcours.agenda.models import CalendarFeed
    from parcours.cohorts.models import Membership
    from tests.parallel import check_together, in_parallel

    email = "nouvelle.venue@example.org"
    posts = [
        (login_as(role), f"/cohorts/{world[cohort]}/members")
        for role, cohort in [("coordinator", "cohort_a"), ("coordinator_b", "cohort_b")] * 2
    ]
    check_together(monkeypatch, account_ops, "find_user", len(posts))
    form = {"role": "coach", "full_name": "Nouvelle Venue", "email": email, "organisation": ""}
    results = in_parallel([lambda c=c, u=u: c.post(u, data=form) for c, u in posts])
    statuses = [getattr(r, "status_code", r) for r in results]
    # One invitation per cohort gets through; the other finds her already invited.
    assert sorted(statuses) == [302, 302, 400, 400], statuses
    for response in results:
        if response.status_code == 400:
            assert "participe déjà à cette cohorte" in page_text(response)
    with app.app_context():
        users = db.session.scalars(select(User.id).where(User.email == email)).all()
        assert len(users) == 1
        memberships = db.session.scalars(
            select(Membership.cohort_id).where(Membership.user_id == users[0])
        ).all()
        assert sorted(memberships) == sorted([world["cohort_a"], world["cohort_b"]])
        feeds = db.session.scalar(
            select(func.count(CalendarFeed.id)).where(CalendarFeed.user_id == users[0])
        )
        assert feeds == 1


# Names with accented capitals ------------------------------------------------------------------


def test_a_territory_named_twice_with_accented_capitals_is_a_form_error(app, login_as, world):
    client = login_as("coordinator")
    url = f"/cohorts/{world['cohort_a']}/territories/new"
    form = {
        "name": "Île de Ré",
        "region": "Nouvelle-Aquitaine",
        "department": "",
        "kind": "littoral",
        "carrier_structure": "",
        "carrier_type": "public",
        "status": "accepted",
        "status_reason": "",
    }
    assert client.post(url, data=form).status_code == 302
    for again in ("Île de Ré", "ÎLE DE RÉ"):
        response = client.post(url, data={**form, "name": again})
        assert response.status_code == 400
        assert "Ce territoire existe déjà dans la cohorte." in page_text(response)
        assert f'value="{again}"' in response.get_data(as_text=True)
    with app.app_context():
        names = db.session.scalars(
            select(Territory.name).where(Territory.cohort_id == world["cohort_a"])
        ).all()
    assert sorted(names) == ["Territoire A1", "Territoire A2", "Île de Ré"]


ALONE = {f"catalyseur_{n}_{part}": "" for n in (1, 2) for part in ("nom", "email", "structure")}


def test_the_csv_preview_finds_accented_duplicates_and_control_characters(ctx, world):
    cohort = db.session.get(Cohort, world["cohort_a"])
    from parcours.cohorts import operations

    operations.add_territory(
        cohort,
        name="Île de Ré",
        region="",
        department="",
        kind="littoral",
        carrier_structure="",
        carrier_type="public",
        status="accepted",
        status_reason="",
    )
    preview = csv_import.parse(
        cohort,
        _csv(
            {"territoire": "ÎLE DE RÉ", **ALONE},
            {"territoire": "Île d'Oléron", **ALONE},
            {"territoire": "ÎLE D'OLÉRON", **ALONE},
            {
                "territoire": "Noirmoutier",
                "region": "Pays\x00de la Loire",
                **ALONE,
            },
        ),
    )
    assert [row.errors for row in preview.rows] == [
        ["le territoire « ÎLE DE RÉ » existe déjà dans la cohorte"],
        [],
        ["territoire déjà présent ligne 3"],
        ["region : caractère de contrôle invisible"],
    ]


@pytest.mark.commits  # the requests run in threads, each on a connection of its own
def test_two_coordinators_adding_one_territory_at_once_get_one_territory_and_no_500(
    app, world, login_as, monkeypatch
):
    from parcours.cohorts import operations
    from tests.parallel import check_together, in_parallel

    clients = [login_as("coordinator"), login_as("admin")]
    check_together(monkeypatch, operations, "_name_taken", len(clients))
    url = f"/cohorts/{world['cohort_a']}/territories/new"
    form = {
        "name": "Île de Ré",
        "region": "",
        "department": "",
        "kind": "littoral",
        "carrier_structure": "",
        "carrier_type": "public",
        "status": "solicited",
        "status_reason": "",
    }
    results = in_parallel([lambda c=c: c.post(url, data=form) for c in clients])
    statuses = sorted(getattr(r, "status_code", r) for r in results)
    assert statuses == [302, 409], statuses
    refused = next(r for r in results if r.status_code == 409)
    assert "quelqu'un vient d'enregistrer la même chose" in page_text(refused)
    with app.app_context():
        count = db.session.scalar(
            select(func.count(Territory.id)).where(Territory.name == "Île de Ré")
        )
    assert count == 1
