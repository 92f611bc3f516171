"""Curriculum loads and Moodle imports leave an audit entry; a refused one leaves none."""

import io
import shutil

from sqlalchemy import select

from parcours.core.extensions import db
from parcours.curricula.models import CurriculumVersion
from tests.audit.conftest import CLIENT, AuditLog, fields
from tests.conftest import CURRICULUM, SISTER_CURRICULUM
from tests.curricula.moodle_files import small_rows, write


def _upload(content: bytes, base: int) -> dict:
    return {"file": (io.BytesIO(content), "cadre-moodle.csv"), "base": str(base)}


def _version_id(app) -> int:
    with app.app_context():
        return db.session.scalar(select(CurriculumVersion.id))


def test_a_moodle_file_turned_into_a_curriculum_file_is_an_import(app, login_as, world):
    version_id = _version_id(app)
    client = login_as("admin")
    log = AuditLog(app)
    response = client.post(
        "/admin/curricula/import-moodle",
        data=_upload(write(small_rows()), version_id),
        content_type="multipart/form-data",
    )
    assert response.status_code == 200 and response.mimetype == "application/toml"
    entry = log.one("data.imported")
    assert fields(entry) == {
        "action": "data.imported",
        "actor_id": world["admin"],
        "subject_id": None,
        "cohort_id": None,
        "object_type": "curriculum_versions",
        "object_id": version_id,
        "address": CLIENT,
        "details": {"format": "moodle", "domains": 2, "competences": entry.details["competences"]},
    }
    assert entry.details["competences"] > 0


def test_a_refused_moodle_file_writes_nothing(app, login_as, world):
    rows = small_rows()
    rows[0]["Scale values"] = ""
    client = login_as("admin")
    log = AuditLog(app)
    response = client.post(
        "/admin/curricula/import-moodle",
        data=_upload(write(rows), _version_id(app)),
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert log.new() == []


def test_loading_a_curriculum_records_each_new_version_only(app, tmp_path):
    log = AuditLog(app)
    runner = app.test_cli_runner()
    assert runner.invoke(args=["curricula", "load", str(CURRICULUM)]).exit_code == 0
    assert runner.invoke(args=["curricula", "load", str(CURRICULUM)]).exit_code == 0  # unchanged
    entry = log.one("data.imported")
    assert (entry.actor_id, entry.object_type, entry.address) == (None, "curriculum_versions", "")
    assert entry.details == {
        "format": "curriculum",
        "curriculum": "co-construction-territoriale",
        "version": 1,
    }


def test_a_refused_curriculum_load_writes_nothing(app, tmp_path):
    shutil.copy(CURRICULUM, tmp_path / "a.toml")
    (tmp_path / "b.toml").write_text(
        SISTER_CURRICULUM.read_text(encoding="utf-8").replace("[programme]", "[programmes]"),
        encoding="utf-8",
    )
    log = AuditLog(app)
    assert app.test_cli_runner().invoke(args=["curricula", "load", str(tmp_path)]).exit_code == 1
    assert log.new() == []
