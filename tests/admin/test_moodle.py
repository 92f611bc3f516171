"""Administration: each programme version's referential to Moodle, and a Moodle file back
into a curriculum file to review."""

import csv
import io

import pytest
from sqlalchemy import func, select

from parcours.core.extensions import db
from parcours.curricula.loader import parse_text
from parcours.curricula.models import CurriculumVersion
from tests.conftest import CURRICULUM, ROLES, page_text
from tests.curricula.moodle_files import MOODLE_HEADER, small_rows, write

NON_ADMINS = [role for role in ROLES if role != "admin"]


@pytest.fixture
def version_id(app, world) -> int:
    with app.app_context():
        return db.session.scalar(select(CurriculumVersion.id))


def _upload(content: bytes, base: int, name: str = "moodle.csv") -> dict:
    return {"file": (io.BytesIO(content), name), "base": str(base)}


def _versions(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(CurriculumVersion.id)))


@pytest.mark.parametrize("role", NON_ADMINS)
def test_only_administrators_exchange_referentials_here(app, login_as, world, version_id, role):
    client = login_as(role)
    assert client.get(f"/admin/curricula/versions/{version_id}/moodle.csv").status_code == 403
    assert client.get("/admin/curricula/import-moodle").status_code == 403
    response = client.post(
        "/admin/curricula/import-moodle",
        data=_upload(write(small_rows()), version_id),
        content_type="multipart/form-data",
    )
    assert response.status_code == 403


def test_anonymous_visitors_are_sent_to_login(client, world, version_id):
    for url in (
        f"/admin/curricula/versions/{version_id}/moodle.csv",
        "/admin/curricula/import-moodle",
    ):
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_the_programmes_page_links_each_version_to_moodle(login_as, world, version_id):
    html = login_as("admin").get("/admin/curricula").get_data(as_text=True)
    assert f'href="/admin/curricula/versions/{version_id}/moodle.csv"' in html
    assert 'href="/admin/curricula/import-moodle"' in html


def test_a_version_downloads_as_moodles_file(login_as, world, version_id):
    response = login_as("admin").get(f"/admin/curricula/versions/{version_id}/moodle.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert (
        "referentiel-co-construction-territoriale-v1-moodle.csv"
        in response.headers["Content-Disposition"]
    )
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0] == MOODLE_HEADER
    assert len(rows) == 1 + 1 + 8 + 34


def test_an_unknown_version_is_not_found(login_as, world):
    assert login_as("admin").get("/admin/curricula/versions/999999/moodle.csv").status_code == 404


def test_a_moodle_file_becomes_a_curriculum_file_to_review(app, login_as, world, version_id):
    client = login_as("admin")
    page = client.get("/admin/curricula/import-moodle")
    assert "Co-construction territoriale (v1)" in page_text(page)
    rows = small_rows()
    rows[1]["ID number"] = "Élément A"
    for row in rows[2:4]:
        row["Parent ID number"] = "Élément A"
    response = client.post(
        "/admin/curricula/import-moodle",
        data=_upload(write(rows), version_id, "cadre-moodle.csv"),
        content_type="multipart/form-data",
    )
    assert response.status_code == 200
    assert response.mimetype == "application/toml"
    assert (
        "co-construction-territoriale-referentiel-moodle.toml"
        in response.headers["Content-Disposition"]
    )
    text = response.get_data(as_text=True)
    assert text.startswith(
        "# Référentiel importé de cadre-moodle.csv, le reste repris de Co-construction "
        "territoriale (v1) : relisez ce fichier, puis chargez-le avec « flask --app parcours "
        "curricula load ».\n"
        "# ligne 3 : l'identifiant « Élément A » devient le code « Element-A »\n"
    )
    document = parse_text(text, "x.toml")
    assert [d.code for d in document.referential.domains] == ["Element-A", "B"]
    assert document.programme.slug == "co-construction-territoriale"
    assert [s.code for s in document.sessions] == ["S1", "S2", "S3", "S4"]
    assert _versions(app) == 1  # to review: nothing is loaded


def test_a_broken_file_lists_its_problems_and_gives_no_file(app, login_as, world, version_id):
    rows = small_rows()
    rows[3]["ID number"] = "A.1"
    rows[0]["Scale values"] = ""
    response = login_as("admin").post(
        "/admin/curricula/import-moodle",
        data=_upload(write(rows), version_id),
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert response.mimetype == "text/html"
    text = page_text(response)
    assert "2 problèmes : corrigez le fichier" in text
    assert "ligne 2 : « Scale values » est vide : le référentiel n'a pas d'échelle" in text
    assert "ligne 5 : l'identifiant « A.1 » est déjà celui de la ligne 4" in text
    assert _versions(app) == 1


def test_the_form_says_what_is_missing(login_as, world, version_id):
    client = login_as("admin")
    response = client.post(
        "/admin/curricula/import-moodle",
        data={"base": str(version_id)},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert "Fichier CSV du référentiel Moodle" in page_text(response)
    response = client.post(
        "/admin/curricula/import-moodle",
        data=_upload(write(small_rows()), 999999),
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert "Programme repris pour tout le reste" in page_text(response)


def test_the_shipped_file_comes_back_from_its_own_export(login_as, world, version_id):
    client = login_as("admin")
    exported = client.get(f"/admin/curricula/versions/{version_id}/moodle.csv").get_data()
    response = client.post(
        "/admin/curricula/import-moodle",
        data=_upload(exported, version_id),
        content_type="multipart/form-data",
    )
    assert response.status_code == 200
    shipped = parse_text(CURRICULUM.read_text(encoding="utf-8"), "shipped")
    assert parse_text(response.get_data(as_text=True), "x").referential == shipped.referential
