"""``flask backup`` and ``flask restore``: the drill on the suite's database, and every refusal.

The drill commits for real: the backup reads the database through a connection (SQLite) or a
process (pg_dump) of its own, and the restore replaces the tables under the application.
"""

import hashlib
import sqlite3
import stat
import subprocess
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace

import pytest
from sqlalchemy import create_engine, delete, func, inspect, select, table, update
from sqlalchemy.engine import make_url

from parcours.accounts.models import User
from parcours.attendance.models import Attendance
from parcours.backup import operations
from parcours.cohorts.models import Cohort
from parcours.core.extensions import db
from parcours.core.kept import rewriting
from parcours.core.time import freeze
from parcours.curricula.schema import PackKind
from parcours.evaluation.attestations import operations as attestation_ops
from parcours.evaluation.models import CommitteePack, FinalAttestation
from parcours.evaluation.packs import operations as pack_ops
from parcours.storage import files
from parcours.storage.models import StoredFile
from tests.evaluation.attestations.conftest import AFTER, _finish
from tests.storage import samples

#: Cohort A is between its mid-way and its final committees.
MIDWAY_TIME = datetime(2026, 7, 1, 8, 0, tzinfo=UTC)


def _kind(app) -> str:
    with app.app_context():
        return db.engine.dialect.name


def _invoke(app, *args, input=None):
    return app.test_cli_runner().invoke(args=[str(arg) for arg in args], input=input)


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _fingerprint(app) -> dict:
    """Return every table's row count, the people's names and the bytes' checksums."""
    with app.app_context(), db.engine.connect() as connection:
        names = sorted(inspect(connection).get_table_names())
        rows = {
            name: connection.execute(select(func.count()).select_from(table(name))).scalar_one()
            for name in names
        }
        packs = {
            pack.id: (_digest(pack.pdf), _digest(pack.pseudonymised_pdf))
            for pack in connection.execute(
                select(CommitteePack.id, CommitteePack.pdf, CommitteePack.pseudonymised_pdf)
            )
        }
        attestations = {
            row.id: _digest(row.pdf)
            for row in connection.execute(select(FinalAttestation.id, FinalAttestation.pdf))
        }
        stored = {
            row.id: _digest(row.data)
            for row in connection.execute(select(StoredFile.id, StoredFile.data))
        }
        people = dict(connection.execute(select(User.id, User.full_name)).all())
    return {
        "rows": rows,
        "packs": packs,
        "attestations": attestations,
        "files": stored,
        "people": people,
    }


def _build(app, world) -> None:
    """Take cohort A to its end, freeze a mid-way pack and every attestation, store a photo."""
    with app.test_request_context():
        _finish(world)
        cohort = db.session.get(Cohort, world["cohort_a"])
        coordinator = db.session.get(User, world["coordinator"])
        with freeze(MIDWAY_TIME):
            pack_ops.generate_pack(cohort, PackKind.MIDWAY, by=coordinator, now=MIDWAY_TIME)
        with freeze(AFTER):
            attestation_ops.issue_all(cohort, by=coordinator)
        files.store(samples.upload(samples.png(), "plan.png"), user_id=world["a1"])
        db.session.commit()


def _damage(app, world) -> None:
    """Drop frozen documents, files and attendance, and rename a person."""
    with app.app_context():
        with rewriting():
            first = db.session.scalar(select(func.min(FinalAttestation.id)))
            db.session.execute(delete(FinalAttestation).where(FinalAttestation.id == first))
            db.session.execute(delete(CommitteePack))
        db.session.execute(update(StoredFile).values(thumbnail_id=None))
        db.session.execute(delete(StoredFile))
        db.session.execute(delete(Attendance))
        db.session.execute(
            update(User).where(User.id == world["a1"]).values(full_name="Nom changé")
        )
        db.session.commit()


@pytest.mark.commits
def test_the_drill_puts_back_every_row_and_the_bytes_of_packs_attestations_and_files(
    app, world, tmp_path
):
    _build(app, world)
    before = _fingerprint(app)
    assert len(before["packs"]) == 1 and len(before["attestations"]) == 3
    assert len(before["files"]) == 2  # the photo and its thumbnail
    assert before["rows"]["attendances"] > 0
    path = tmp_path / "parcours.backup"

    result = _invoke(app, "backup", path)

    assert result.exit_code == 0, result.output
    revision = operations.expected_revision()
    assert f"Sauvegarde écrite : {path}" in result.output
    assert f"révision du schéma : {revision}." in result.output
    assert f"Tables : {len(before['rows'])}, lignes : {sum(before['rows'].values())}." in (
        result.output
    )
    assert "stored_files : 2" in result.output and "committee_packs : 1" in result.output
    assert "final_attestations : 3" in result.output
    assert "sont des tables de la base : ils sont dans la sauvegarde" in result.output
    assert path.read_bytes().startswith(operations.MAGIC[_kind(app)])
    assert stat.S_IMODE(path.stat().st_mode) == 0o600  # only its owner reads it

    _damage(app, world)
    damaged = _fingerprint(app)
    assert damaged["packs"] == {} and damaged["files"] == {}
    assert len(damaged["attestations"]) == 2 and damaged["rows"]["attendances"] == 0
    assert damaged["people"][world["a1"]] == "Nom changé"

    # Nothing of the test keeps a connection that would hold a table pg_restore drops.
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    result = _invoke(app, "restore", path, "--yes")

    assert result.exit_code == 0, result.output
    assert "Base restaurée" in result.output
    assert f"révision du schéma : {revision}." in result.output
    assert "stored_files : 2" in result.output and "final_attestations : 3" in result.output
    after = _fingerprint(app)
    assert after == before
    with app.app_context():  # the stored fingerprints still prove the bytes
        for pack in db.session.scalars(select(CommitteePack)):
            assert pack.sha256 == _digest(pack.pdf)
        for attestation in db.session.scalars(select(FinalAttestation)):
            assert attestation.sha256 == _digest(attestation.pdf)
        for stored in db.session.scalars(select(StoredFile)):
            assert stored.sha256 == _digest(stored.data)


@pytest.mark.commits
def test_a_backup_of_another_schema_revision_is_restored_only_when_forced(
    app, tmp_path, monkeypatch, create_user
):
    path = tmp_path / "parcours.backup"
    create_user("kept@example.org")
    assert _invoke(app, "backup", path).exit_code == 0
    revision = operations.expected_revision()
    monkeypatch.setattr(operations, "expected_revision", lambda: "0000newer000")
    create_user("later@example.org")

    refused = _invoke(app, "restore", path, "--yes")

    assert refused.exit_code == 1 and "Traceback" not in refused.output
    assert (
        f"La sauvegarde est à la révision de schéma {revision}, cette version de Parcours "
        "attend 0000newer000. Rien n'a été restauré." in refused.output
    )
    assert "--force" in refused.output
    assert sorted(_fingerprint(app)["people"].values()) == ["Personne 1", "Personne 2"]

    forced = _invoke(app, "restore", path, "--yes", "--force")

    assert forced.exit_code == 0, forced.output
    assert "Attention : La sauvegarde est à la révision" in forced.output
    assert "flask --app parcours db upgrade" in forced.output
    assert list(_fingerprint(app)["people"].values()) == ["Personne 1"]


def test_backup_refuses_an_existing_file_unless_told_to_overwrite_it(app, tmp_path):
    path = tmp_path / "existing.backup"
    path.write_bytes(b"an older backup")

    refused = _invoke(app, "backup", path)

    assert refused.exit_code == 1 and "Traceback" not in refused.output
    assert f"{path} existe déjà : rien n'a été écrit." in refused.output
    assert "--overwrite" in refused.output
    assert path.read_bytes() == b"an older backup"

    written = _invoke(app, "backup", path, "--overwrite")

    assert written.exit_code == 0, written.output
    assert path.read_bytes().startswith(operations.MAGIC[_kind(app)])
    assert [p.name for p in tmp_path.iterdir()] == ["existing.backup"]  # no partial file left


@pytest.mark.parametrize(
    ("where", "message"),
    [
        ("missing/parcours.backup", "n'existe pas : rien n'a été écrit."),
        (".", "est un dossier : donnez le chemin d'un fichier à écrire."),
    ],
)
def test_backup_refuses_a_path_it_cannot_write(app, tmp_path, where, message):
    result = _invoke(app, "backup", tmp_path / where)

    assert result.exit_code == 1 and "Traceback" not in result.output
    assert message in result.output


def _other_kind_backup(kind: str, path: Path) -> Path:
    """Write a backup of the kind of database the suite does not run on."""
    if kind == operations.SQLITE:
        path.write_bytes(operations.MAGIC[operations.POSTGRESQL] + b"\x01\x0e\x00" * 100)
    else:
        connection = sqlite3.connect(path)
        connection.execute("CREATE TABLE alembic_version (version_num VARCHAR(32))")
        connection.commit()
        connection.close()
    return path


def _text_file(path: Path) -> Path:
    path.write_text("Pas une sauvegarde.\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("case", ["missing", "folder", "not a backup", "other kind"])
def test_restore_refuses_what_it_cannot_restore_and_changes_nothing(app, tmp_path, case):
    kind = _kind(app)
    path = {
        "missing": lambda: tmp_path / "nowhere.backup",
        "folder": lambda: tmp_path,
        "not a backup": lambda: _text_file(tmp_path / "notes.txt"),
        "other kind": lambda: _other_kind_backup(kind, tmp_path / "other.backup"),
    }[case]()
    other = "PostgreSQL" if kind == operations.SQLITE else "SQLite"
    expected = {
        "missing": f"{path} n'existe pas : rien n'a été restauré.",
        "folder": "est un dossier, pas un fichier de sauvegarde.",
        "not a backup": f"{path} n'est pas une sauvegarde de Parcours",
        "other kind": (
            f"{path} est une sauvegarde {other}, mais l'application utilise "
            f"{operations.KIND_NAMES[kind]} : rien n'a été restauré."
        ),
    }[case]

    result = _invoke(app, "restore", path, "--yes")

    assert result.exit_code == 1 and "Traceback" not in result.output
    assert expected in result.output


def test_restore_asks_first_and_a_no_changes_nothing(app, tmp_path, create_user):
    path = tmp_path / "parcours.backup"
    assert _invoke(app, "backup", path).exit_code == 0  # of a database with nobody
    create_user("stays@example.org")

    result = _invoke(app, "restore", path, input="n\n")

    assert result.exit_code == 1
    assert "va être remplacé par cette sauvegarde. Continuer ?" in result.output
    assert "Restauration annulée : rien n'a été modifié." in result.output
    with app.app_context():
        assert db.session.scalars(select(User.email)).all() == ["stays@example.org"]


def test_missing_postgresql_programs_are_named_and_nothing_is_written(tmp_path, monkeypatch):
    # Whatever the database under test: the programs are looked for before any connection.
    monkeypatch.setattr(operations.shutil, "which", lambda name: None)
    engine = create_engine("postgresql://parcours@127.0.0.1:1/parcours")

    with pytest.raises(operations.BackupRefused) as refused:
        operations.backup(engine, tmp_path / "parcours.backup")

    assert "pg_dump est introuvable dans le PATH" in str(refused.value)
    assert "postgresql-client" in str(refused.value)
    assert list(tmp_path.iterdir()) == []


def test_the_postgresql_password_goes_through_the_environment_never_the_command_line(
    monkeypatch,
):
    calls = []

    def run(arguments, **kwargs):
        calls.append((arguments, kwargs["env"]))
        return subprocess.CompletedProcess(arguments, 0, stdout="", stderr="")

    monkeypatch.setattr(operations.subprocess, "run", run)
    monkeypatch.setattr(operations.shutil, "which", lambda name: f"/usr/bin/{name}")
    monkeypatch.setenv("PGOPTIONS", "-c work_mem=64MB")
    engine = SimpleNamespace(
        url=make_url(
            "postgresql+psycopg://parcours:s3cret@db.internal:6543/parcours?sslmode=require"
        )
    )

    operations._pg_restore(engine, Path("/backups/parcours.backup"))

    ((arguments, environment),) = calls
    assert arguments == [
        "/usr/bin/pg_restore",
        "--clean",
        "--if-exists",
        "--no-owner",
        "--single-transaction",
        "--exit-on-error",
        "--no-password",
        "--dbname=parcours",
        "/backups/parcours.backup",
    ]
    assert not any("s3cret" in argument for argument in arguments)
    assert {key: environment[key] for key in environment if key.startswith("PG")} == {
        "PGHOST": "db.internal",
        "PGPORT": "6543",
        "PGUSER": "parcours",
        "PGPASSWORD": "s3cret",
        "PGDATABASE": "parcours",
        "PGSSLMODE": "require",
        "PGOPTIONS": "-c work_mem=64MB -c lock_timeout=30s",
    }
