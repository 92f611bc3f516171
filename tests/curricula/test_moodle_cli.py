"""``flask curricula export-moodle`` and ``import-moodle``: files written, or nothing at all."""

import csv
import io
import shutil

import pytest

from parcours.curricula.loader import parse_file
from tests.conftest import CURRICULUM, SISTER_CURRICULUM
from tests.curricula.moodle_files import MOODLE_HEADER, small_rows, write


@pytest.fixture
def run(app):
    runner = app.test_cli_runner()

    def _run(*args):
        return runner.invoke(args=["curricula", *map(str, args)])

    return _run


def _csv(path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))


def test_export_a_curriculum_file(run, tmp_path):
    out = tmp_path / "referentiel.csv"
    result = run("export-moodle", CURRICULUM, "-o", out)
    assert result.exit_code == 0, result.output
    assert "(8 domaines, 34 compétences, 4 niveaux)" in result.output
    rows = _csv(out)
    assert rows[0] == MOODLE_HEADER
    assert rows[1][1] == "co-construction-territoriale"


def test_export_a_loaded_programme_names_its_version(run, curriculum_version, tmp_path):
    curriculum_version()
    out = tmp_path / "referentiel.csv"
    result = run("export-moodle", "co-construction-territoriale", "--version", 1, "-o", out)
    assert result.exit_code == 0, result.output
    assert _csv(out)[1][1] == "co-construction-territoriale-v1"
    latest = run("export-moodle", "co-construction-territoriale", "-o", "-")
    assert latest.exit_code == 0
    assert latest.stdout.startswith("Parent ID number,ID number,Short name,")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["inconnu"], "inconnu : ni un fichier, ni un programme chargé (programmes : aucun)"),
        ([CURRICULUM, "--version", 2], "--version s'applique à un programme chargé"),
    ],
)
def test_export_refuses_what_it_cannot_find(run, tmp_path, args, message):
    out = tmp_path / "referentiel.csv"
    result = run("export-moodle", *args, "-o", out)
    assert result.exit_code == 1
    assert message in result.output
    assert not out.exists()


def test_export_refuses_a_version_that_is_not_there(run, curriculum_version, tmp_path):
    curriculum_version()
    out = tmp_path / "referentiel.csv"
    result = run("export-moodle", "co-construction-territoriale", "--version", 3, "-o", out)
    assert result.exit_code == 1
    assert "n'a pas de version 3 (versions : 1)" in result.output
    assert not out.exists()


def test_round_trip_through_the_commands(run, tmp_path):
    exported, new = tmp_path / "referentiel.csv", tmp_path / "nouveau.toml"
    assert run("export-moodle", CURRICULUM, "-o", exported).exit_code == 0
    result = run("import-moodle", exported, "--into", SISTER_CURRICULUM, "-o", new)
    assert result.exit_code == 0, result.output
    assert f"{new} : « Référentiel de compétences du catalyseur territorial »" in result.output
    assert f"flask --app parcours curricula load {new}" in result.output
    document = parse_file(new)
    assert document.referential == parse_file(CURRICULUM).referential
    assert document.programme == parse_file(SISTER_CURRICULUM).programme
    validated = run("validate", new)
    assert validated.exit_code == 0 and "valide" in validated.output


def test_import_prints_its_notes(run, tmp_path):
    rows = small_rows()
    rows[1]["ID number"] = "Élément A"
    for row in rows[2:4]:
        row["Parent ID number"] = "Élément A"
    source, new = tmp_path / "moodle.csv", tmp_path / "nouveau.toml"
    source.write_bytes(write(rows))
    result = run("import-moodle", source, "--into", CURRICULUM, "-o", new)
    assert result.exit_code == 0, result.output
    assert "ligne 3 : l'identifiant « Élément A » devient le code « Element-A »" in result.output
    codes = [d.code for d in parse_file(new).referential.domains]
    assert codes == ["Element-A", "B"]


def test_a_broken_file_writes_nothing_and_names_its_lines(run, tmp_path):
    rows = small_rows()
    rows[3]["ID number"] = "A.1"
    rows[5]["Parent ID number"] = "C"
    source, new = tmp_path / "moodle.csv", tmp_path / "nouveau.toml"
    source.write_bytes(write(rows))
    result = run("import-moodle", source, "--into", CURRICULUM, "-o", new)
    assert result.exit_code == 1
    assert f"{source}: référentiel Moodle refusé" in result.output
    assert "  - ligne 5 : l'identifiant « A.1 » est déjà celui de la ligne 4" in result.output
    assert "  - ligne 7 : le parent « C »" in result.output
    assert "Rien n'a été écrit." in result.output
    assert list(tmp_path.iterdir()) == [source]


def test_a_curriculum_that_does_not_validate_writes_nothing(run, tmp_path):
    base = tmp_path / "base.toml"
    base.write_text(
        CURRICULUM.read_text(encoding="utf-8").replace(
            "duration_months = 9", "duration_months = 99"
        ),
        encoding="utf-8",
    )
    source, new = tmp_path / "moodle.csv", tmp_path / "nouveau.toml"
    source.write_bytes(write(small_rows()))
    result = run("import-moodle", source, "--into", base, "-o", new)
    assert result.exit_code == 1
    assert f"{new}: curriculum invalide" in result.output
    assert "programme.duration_months" in result.output
    assert f"(tout, sauf le référentiel, vient de {base})" in result.output
    assert "Rien n'a été écrit." in result.output
    assert sorted(tmp_path.iterdir()) == [base, source]


def test_an_existing_file_is_kept_unless_forced(run, tmp_path):
    source, new = tmp_path / "moodle.csv", tmp_path / "nouveau.toml"
    source.write_bytes(write(small_rows()))
    shutil.copy(CURRICULUM, new)
    result = run("import-moodle", source, "--into", CURRICULUM, "-o", new)
    assert result.exit_code == 1
    assert "existe déjà" in result.output
    assert new.read_text(encoding="utf-8") == CURRICULUM.read_text(encoding="utf-8")
    forced = run("import-moodle", source, "--into", CURRICULUM, "-o", new, "--force")
    assert forced.exit_code == 0, forced.output
    assert [d.code for d in parse_file(new).referential.domains] == ["A", "B"]
