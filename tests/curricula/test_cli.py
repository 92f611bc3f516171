"""``flask curricula validate|load``: exit codes, messages, and nothing written on error."""

import shutil

from sqlalchemy import func, select

from parcours.core.extensions import db
from parcours.curricula.models import CurriculumVersion
from tests.conftest import CURRICULUM, SISTER_CURRICULUM


def _versions(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(CurriculumVersion.id)))


def test_validate_accepts_the_shipped_folder(app):
    result = app.test_cli_runner().invoke(args=["curricula", "validate", str(CURRICULUM.parent)])
    assert result.exit_code == 0, result.output
    assert "valide (Co-construction territoriale)" in result.output
    assert _versions(app) == 0


def test_validate_refuses_a_broken_file(app, tmp_path):
    broken = tmp_path / "broken.toml"
    broken.write_text("[programme\nslug = 1\n", encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["curricula", "validate", str(broken)])
    assert result.exit_code == 1
    assert str(broken) in result.output
    assert "line 1" in result.output


def test_load_is_all_or_nothing(app, tmp_path):
    shutil.copy(CURRICULUM, tmp_path / "a.toml")
    (tmp_path / "b.toml").write_text(
        SISTER_CURRICULUM.read_text(encoding="utf-8").replace("[programme]", "[programmes]"),
        encoding="utf-8",
    )
    result = app.test_cli_runner().invoke(args=["curricula", "load", str(tmp_path)])
    assert result.exit_code == 1
    assert "b.toml" in result.output
    assert "Rien n'a été chargé." in result.output
    assert _versions(app) == 0


def test_load_twice_writes_one_version(app):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["curricula", "load", str(CURRICULUM)])
    second = runner.invoke(args=["curricula", "load", str(CURRICULUM)])
    assert first.exit_code == 0 and second.exit_code == 0
    assert "nouvelle version" in first.output
    assert "inchangé" in second.output
    assert _versions(app) == 1
