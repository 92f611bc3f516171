"""« Journal des actions »: every audit entry for administrators, filtered, paged, exported."""

import csv
import io

import pytest
from sqlalchemy import func, select

from parcours.audit.models import AuditEntry
from parcours.core.extensions import db
from tests.audit.helpers import DAYS, add_entries, add_many
from tests.conftest import ROLES, page_text

NON_ADMINS = [role for role in ROLES if role != "admin"]
PAGE = "/admin/journal"
EXPORT = "/admin/journal/export.csv"


def _count(app, **where) -> int:
    with app.app_context():
        query = select(func.count(AuditEntry.id))
        for key, value in where.items():
            query = query.where(getattr(AuditEntry, key) == value)
        return db.session.scalar(query)


@pytest.mark.parametrize("role", NON_ADMINS)
def test_the_journal_is_refused_to_every_other_role(app, login_as, world, role):
    client = login_as(role)
    before = _count(app, object_type="audit_entries")
    assert client.get(PAGE).status_code == 403
    assert client.post(EXPORT).status_code == 403
    assert _count(app, object_type="audit_entries") == before


def test_anonymous_visitors_are_sent_to_login(client, world):
    for response in (client.get(PAGE), client.post(EXPORT)):
        assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_the_admin_finds_the_journal_in_the_administration_navigation(login_as, world):
    html = login_as("admin").get("/admin/users").get_data(as_text=True)
    assert 'href="/admin/journal"' in html
    assert 'aria-current="page">Journal des actions' in login_as("admin").get(PAGE).get_data(
        as_text=True
    )


def test_each_row_says_when_what_who_whom_where_and_how_in_paris_time(app, login_as, world):
    add_entries(app, world)
    text = page_text(login_as("admin").get(PAGE, query_string=DAYS))
    assert "4 entrées." in text  # the purge of 1 July (Paris) is outside June
    # Newest first; 07:15 UTC in June is 09:15 in Paris.
    assert text.index("21/06/2025 00:30") < text.index("10/06/2025 14:00")
    assert text.index("10/06/2025 14:00") < text.index("03/06/2025 09:15")
    assert text.index("03/06/2025 09:15") < text.index("03/06/2025 09:14")
    assert (
        "10/06/2025 14:00 Rôle modifié Coordination A Catalyseur A2 Cohorte A "
        "membre de la cohorte n° 5 203.0.113.9 avant : Catalyseur·rice · après : =coach"
    ) in text
    assert (
        "Import de données Coordination B Cohorte B 203.0.113.9 lignes : 12 · replaced : non"
        in text
    )
    assert "03/06/2025 09:15 Connexion réussie Catalyseur A1" in text


def test_an_entry_without_actor_reads_systeme(app, login_as, world):
    add_entries(app, world)
    text = page_text(
        login_as("admin").get(PAGE, query_string={"from": "2025-07-01", "to": "2025-07-01"})
    )
    assert "1 entrée." in text and "Purge des données échues système" in text


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ({"person": "a2"}, ["Rôle modifié"]),  # as the one concerned
        ({"person": "coordinator"}, ["Rôle modifié"]),  # as the one acting
        ({"person": "a1"}, ["Connexion réussie", "Connexion refusée"]),
        ({"cohort": "cohort_b"}, ["Import de données"]),
        ({"action": "login.failed"}, ["Connexion refusée"]),
        # 22:30 UTC on 20 June is already the 21st in Paris.
        ({"from": "2025-06-21", "to": "2025-06-21"}, ["Import de données"]),
        ({"from": "2025-06-20", "to": "2025-06-20"}, []),
        ({"to": "2025-06-03"}, ["Connexion réussie", "Connexion refusée"]),
        ({"person": "a1", "action": "role.changed"}, []),
    ],
)
def test_the_filters_narrow_the_entries(app, login_as, world, args, expected):
    add_entries(app, world)
    query = {"from": "2025-06-01", "to": "2025-06-30"}
    query.update({key: str(world.get(value, value)) for key, value in args.items()})
    text = page_text(login_as("admin").get(PAGE, query_string=query))
    table = text.split("Adresse Détails", 1)[1] if "Adresse Détails" in text else ""
    labels = [
        "Connexion réussie",
        "Connexion refusée",
        "Rôle modifié",
        "Import de données",
    ]
    found = sorted((table.index(f" {label} "), label) for label in labels if f" {label} " in table)
    assert [label for _index, label in found] == expected
    if not expected:
        assert "Aucune entrée ne correspond à ces filtres." in text
        assert "Adresse Détails" not in text


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("action=nope", "Cette action n'existe pas dans le journal."),
        ("from=2025-13-01", "« Du » doit être une date au format AAAA-MM-JJ."),
        ("person=un", "« Personne » doit être choisi dans la liste."),
        ("cohort=1e3", "« Cohorte » doit être choisi dans la liste."),
        ("from=2025-06-02&to=2025-06-01", "La date de début doit précéder la date de fin."),
        ("page=zero", "Cette page n'existe pas."),
    ],
)
def test_a_bad_filter_is_explained_with_a_400(app, login_as, world, query, message):
    add_entries(app, world)
    client = login_as("admin")
    response = client.get(f"{PAGE}?{query}")
    assert response.status_code == 400
    text = page_text(response)
    assert message in text and "Aucune entrée n'est affichée : corrigez le filtre." in text
    assert "Adresse Détails" not in text
    if query.startswith("page="):
        return  # an export has no pages
    before = _count(app)
    assert client.post(f"{EXPORT}?{query}").status_code == 400
    assert _count(app) == before  # a refused export is not recorded


def test_the_journal_is_paged_newest_first(app, login_as, world):
    add_many(app, world, 120)
    client = login_as("admin")
    day = {"from": "2025-05-05", "to": "2025-05-05"}
    first = page_text(client.get(PAGE, query_string=day))
    assert "120 entrées." in first and "n : 119" in first and "n : 69" not in first
    assert "Plus anciennes" in first and "Plus récentes" not in first
    third = page_text(client.get(PAGE, query_string={**day, "page": 3}))
    assert "n : 19 " in third and "n : 0" in third and "n : 20 " not in third
    assert "Plus anciennes" not in third and "Plus récentes" in third
    assert client.get(PAGE, query_string={**day, "page": 4}).status_code == 404
    html = client.get(PAGE, query_string=day).get_data(as_text=True)
    assert "from=2025-05-05&amp;to=2025-05-05&amp;page=2" in html or (
        "page=2" in html and "from=2025-05-05" in html
    )


def test_a_page_takes_the_same_number_of_queries_whatever_the_entries(
    app, login_as, world, query_counter
):
    client = login_as("admin")
    add_many(app, world, 5)
    with query_counter:
        assert client.get(PAGE).status_code == 200
    few = query_counter.count
    add_many(app, world, 150, cohort="cohort_b")
    with query_counter:
        assert client.get(PAGE).status_code == 200
    assert query_counter.count == few


def test_the_export_is_the_filtered_entries_in_paris_time_and_is_recorded(app, login_as, world):
    add_entries(app, world)
    response = login_as("admin").post(EXPORT, query_string=DAYS)
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "journal-des-actions-" in response.headers["Content-Disposition"]
    content = response.get_data()
    assert content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))
    assert all(row[0].isdigit() for row in rows[1:])  # the entries' numbers
    assert rows[0] == [
        "N°",
        "Date et heure (Paris)",
        "Action",
        "Par",
        "Concerne",
        "Cohorte",
        "Objet",
        "N° de l'objet",
        "Adresse",
        "Détails",
    ]
    assert [row[1:] for row in rows[1:]] == [
        [
            "21/06/2025 00:30",
            "Import de données",
            "Coordination B",
            "",
            "Cohorte B",
            "",
            "",
            "203.0.113.9",
            "lignes : 12 · replaced : non",
        ],
        [
            "10/06/2025 14:00",
            "Rôle modifié",
            "Coordination A",
            "Catalyseur A2",
            "Cohorte A",
            "memberships",
            "5",
            "203.0.113.9",
            "avant : Catalyseur·rice · après : =coach",
        ],
        ["03/06/2025 09:15", "Connexion réussie", "Catalyseur A1"] + [""] * 4 + ["203.0.113.9", ""],
        ["03/06/2025 09:14", "Connexion refusée", "Catalyseur A1"] + [""] * 4 + ["203.0.113.9", ""],
    ]
    with app.app_context():
        (export,) = db.session.scalars(
            select(AuditEntry).where(AuditEntry.object_type == "audit_entries")
        ).all()
        assert (export.action, export.actor_id, export.cohort_id) == (
            "data.exported",
            world["admin"],
            None,
        )
        assert export.details == {"rows": 4}


def test_a_formula_in_an_entry_is_written_as_text(app, login_as, world):
    from datetime import UTC, datetime

    from parcours.audit import operations as audit
    from parcours.audit.models import AuditAction
    from parcours.core.time import freeze

    with app.app_context(), freeze(datetime(2025, 6, 15, 10, 0, tzinfo=UTC)):
        audit.record(AuditAction.EXPORTED, actor=world["a1"], object_type="=1+1")
        db.session.commit()
    content = login_as("admin").post(EXPORT, query_string=DAYS).get_data().decode("utf-8-sig")
    assert ";'=1+1;" in content
