"""CSV import: French Excel files work, every error is listed by line, all or nothing."""

import io

from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from parcours.accounts.models import User
from parcours.cohorts import csv_import
from parcours.cohorts.models import Cohort, Membership, Territory
from parcours.core.extensions import db
from tests.conftest import page_text

HEADER = (
    "Territoire;Région;Département;Type;Structure;Type structure;Statut;Motif;"
    "catalyseur_1_nom;catalyseur_1_email;catalyseur_1_structure;catalyseur_2_nom;"
    "catalyseur_2_email;catalyseur_2_structure"
)
GOOD_ROWS = [
    "Pays d'Auge;Normandie;Calvados;Territoire rural;Asso Auge;Associatif;Accepté;;"
    "Élise Château;elise@example.org;Asso Auge;Rémi Lefèvre;remi@example.org;Asso Auge",
    "Cergy;Île-de-France;Val-d'Oise;agglomeration;Agglo;public;;;"
    "Zoé Nguyen;ZOE@example.org;Agglo;;;",
    "Ploërmel;Bretagne;Morbihan;Rural;Mairie;Public;Refusé;Pas disponible cette année;;;;;;",
]


def _csv(rows, encoding="utf-8-sig", header=HEADER) -> bytes:
    return ("\r\n".join([header, *rows]) + "\r\n").encode(encoding)


def _upload(client, cohort_id, content: bytes):
    return client.post(
        f"/cohorts/{cohort_id}/import",
        data={"file": (io.BytesIO(content), "territoires.csv")},
        content_type="multipart/form-data",
    )


def _territory_count(app, cohort_id) -> int:
    with app.app_context():
        return db.session.scalar(
            select(func.count(Territory.id)).where(Territory.cohort_id == cohort_id)
        )


def test_excel_file_is_previewed_then_imported_with_invitations(app, login_as, world, outbox):
    client = login_as("coordinator")
    preview = _upload(client, world["cohort_a"], _csv(GOOD_ROWS))
    assert preview.status_code == 200
    text = page_text(preview)
    assert "3 territoires prêts à être importés." in text
    assert "Élise Château" in text
    assert _territory_count(app, world["cohort_a"]) == 2  # nothing written by the preview

    content = preview.get_data(as_text=True).split('name="content" type="hidden" value="')[1]
    content = content.split('"')[0]
    import html

    response = client.post(
        f"/cohorts/{world['cohort_a']}/import/confirm", data={"content": html.unescape(content)}
    )
    assert response.status_code == 302
    assert _territory_count(app, world["cohort_a"]) == 5
    with app.app_context():
        auge = db.session.scalar(select(Territory).where(Territory.name == "Pays d'Auge"))
        assert (auge.kind, auge.carrier_type, auge.status) == ("rural", "associatif", "accepted")
        assert auge.is_binome
        cergy = db.session.scalar(select(Territory).where(Territory.name == "Cergy"))
        assert cergy.status == "accepted"  # empty status means accepted
        assert cergy.catalyseurs[0].user.email == "zoe@example.org"
        refused = db.session.scalar(select(Territory).where(Territory.name == "Ploërmel"))
        assert refused.status_reason == "Pas disponible cette année"
    assert sorted(m.to for m in outbox) == [
        "elise@example.org",
        "remi@example.org",
        "zoe@example.org",
    ]


def test_windows_1252_file_is_read(ctx, world):
    cohort = db.session.get(Cohort, world["cohort_a"])
    preview = csv_import.parse(cohort, csv_import.decode(_csv(GOOD_ROWS, encoding="cp1252")))
    assert preview.ok, preview.rows
    assert preview.rows[0].people[0].full_name == "Élise Château"


def test_comma_separated_file_is_read(ctx, world):
    cohort = db.session.get(Cohort, world["cohort_a"])
    text = (
        "territoire,type,type_structure,catalyseur_1_nom,catalyseur_1_email\n"
        "Vannes,ville moyenne,privé,Jo,jo@example.org\n"
    )
    preview = csv_import.parse(cohort, text)
    assert preview.ok
    assert preview.rows[0].territory["kind"] == "ville_moyenne"
    assert preview.rows[0].territory["carrier_type"] == "prive"


def test_every_error_is_listed_by_line_and_nothing_is_written(app, login_as, world):
    rows = [
        GOOD_ROWS[0],
        ";Normandie;;rural;;public;;;;;;;;",  # no name
        "Lisieux;;;volcan;;public;;;;;;;;",  # unknown kind
        "Caen;;;rural;;public;refusé;;;;;;;",  # refused without reason
        "Bayeux;;;rural;;public;;;Ana;pas-un-email;;;;",  # bad e-mail
        "Territoire A1;;;rural;;public;;;;;;;;",  # exists in the cohort
        "pays d'auge;;;rural;;public;;;;;;;;",  # twice in the file
        "Falaise;;;rural;;public;;;Bob;a1@example.org;;;;",  # already in the cohort
        "Honfleur;;;rural;;public;;;Eve;elise@example.org;;;;",  # twice in the file
    ]
    client = login_as("coordinator")
    response = _upload(client, world["cohort_a"], _csv(rows))
    assert response.status_code == 400
    text = page_text(response)
    for expected in (
        "Ligne 3 : le nom du territoire est obligatoire",
        "Ligne 4 : type de territoire inconnu « volcan »",
        "Ligne 5 : un territoire refusé doit avoir un motif",
        "Ligne 6 : catalyseur 1 : e-mail invalide « pas-un-email »",
        "Ligne 7 : le territoire « Territoire A1 » existe déjà dans la cohorte",
        "Ligne 8 : territoire déjà présent ligne 2",
        "Ligne 9 : a1@example.org participe déjà à la cohorte",
        "Ligne 10 : elise@example.org figure déjà ligne 2",
    ):
        assert expected in text, expected
    assert "Confirmer l'import" not in text
    assert _territory_count(app, world["cohort_a"]) == 2


def test_confirming_a_file_that_became_invalid_writes_nothing(app, login_as, world):
    client = login_as("coordinator")
    content = HEADER + "\n" + GOOD_ROWS[1] + "\nTerritoire A2;;;rural;;public;;;;;;;;\n"
    response = client.post(
        f"/cohorts/{world['cohort_a']}/import/confirm", data={"content": content}
    )
    assert response.status_code == 400
    assert "rien n'a été importé" in page_text(response)
    assert _territory_count(app, world["cohort_a"]) == 2
    with app.app_context():
        assert db.session.scalar(select(User).where(User.email == "zoe@example.org")) is None


def test_missing_columns_and_empty_files_are_explained(login_as, world):
    client = login_as("coordinator")
    response = _upload(client, world["cohort_a"], b"nom;ville\nx;y\n")
    assert response.status_code == 400
    assert "Colonnes manquantes : territoire, type, type_structure." in page_text(response)
    response = _upload(client, world["cohort_a"], b"")
    assert response.status_code == 400
    assert "Le fichier est vide." in page_text(response)
    response = _upload(client, world["cohort_a"], _csv([]))
    assert "ne contient aucune ligne de données" in page_text(response)


def test_a_non_csv_upload_is_refused_with_a_message(login_as, world):
    client = login_as("coordinator")
    response = client.post(
        f"/cohorts/{world['cohort_a']}/import",
        data={"file": (io.BytesIO(b"%PDF-1.4"), "rapport.pdf")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert "Envoyez un fichier .csv." in page_text(response)


def test_a_csv_above_its_own_2_mb_limit_is_a_form_error_not_a_413(app, login_as, world):
    """Requests may carry photos and scans, far larger: the import keeps its own limit."""
    client = login_as("coordinator")
    before = _territory_count(app, world["cohort_a"])
    content = _csv([]) + b"x" * (2 * 1024 * 1024)
    assert len(content) < app.config["MAX_CONTENT_LENGTH"]
    # Encoded here, in memory: the test client would spool a body this large to a temporary
    # file it never closes.
    boundary, body = encode_multipart(
        {"file": FileStorage(io.BytesIO(content), filename="territoires.csv")}
    )
    response = client.post(
        f"/cohorts/{world['cohort_a']}/import",
        data=body,
        content_type=f"multipart/form-data; boundary={boundary}",
    )
    assert response.status_code == 400
    assert "Le fichier CSV dépasse la taille maximale de 2 Mo." in page_text(response)
    assert _territory_count(app, world["cohort_a"]) == before


def test_the_downloadable_template_imports_cleanly(ctx, world):
    cohort = db.session.get(Cohort, world["cohort_a"])
    template = csv_import.template_csv()
    assert template.startswith("\ufeff")
    preview = csv_import.parse(cohort, csv_import.decode(template.encode("utf-8")))
    assert preview.ok, [row.errors for row in preview.rows]
    assert db.session.scalar(select(func.count(Membership.id))) > 0
