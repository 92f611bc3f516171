"""Back up the whole database to one file, and put such a file back.

Everything Parcours keeps is in the database: accounts, cohorts, the follow-up, the
self-assessments, the stored files' bytes (``stored_files``), the frozen committee packs
(``committee_packs``) and the attestations (``final_attestations``). One file of the database
is therefore the whole backup.

- SQLite: the online backup API (:meth:`sqlite3.Connection.backup`) copies a consistent
  picture of the file while the application runs, and copies a backup back the same way.
- PostgreSQL: ``pg_dump --format=custom`` in the snapshot the row counts are read in (so that
  what is printed is what was dumped), ``pg_restore --clean --if-exists --no-owner`` in one
  transaction (a failed restore changes nothing). The connection comes from the application's
  database URL, through the ``PG*`` environment variables: the password never appears on a
  command line.

These functions work on the engine, not on the session: a backup reads through a connection
or a process of its own, a restore replaces the database under the application. Their
refusals are :class:`BackupRefused`, whose message says what to do, in French like the rest
of the command line.
"""

import logging
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection, Engine, make_url

from parcours.core import paths

logger = logging.getLogger(__name__)

SQLITE, POSTGRESQL = "sqlite", "postgresql"
KIND_NAMES = {SQLITE: "SQLite", POSTGRESQL: "PostgreSQL"}
#: The first bytes of each kind of backup file.
MAGIC = {SQLITE: b"SQLite format 3\x00", POSTGRESQL: b"PGDMP"}
#: Where the files and frozen documents are: tables of the database, in every backup.
IN_DATABASE = {
    "stored_files": "fichiers déposés",
    "committee_packs": "dossiers de comité figés",
    "final_attestations": "attestations de fin de parcours",
}
#: How long pg_restore waits for a table that a running application holds, before it fails.
PG_LOCK_TIMEOUT = "30s"
#: The application's URL parameters that the PostgreSQL tools read from the environment.
_PG_QUERY_ENVIRONMENT = {
    "host": "PGHOST",
    "port": "PGPORT",
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
}


class BackupRefused(Exception):
    """A backup or a restore cannot go on; the message says why and what to do."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Contents:
    """What a database (or a backup of one) holds: its kind, schema revision and rows."""

    kind: str
    revision: str | None
    #: Rows per table, by table name; None when a backup file cannot say without a restore.
    rows: dict[str, int] | None

    @property
    def kind_name(self) -> str:
        return KIND_NAMES[self.kind]


@dataclass(frozen=True)
class Written:
    """A backup file as written, and what it holds."""

    path: Path
    size: int
    contents: Contents


# What the application runs on -------------------------------------------------------------


def database_kind(engine: Engine) -> str:
    """Return ``"sqlite"`` or ``"postgresql"``: the kinds of database a backup is made of."""
    kind = engine.dialect.name
    if kind not in KIND_NAMES:
        raise BackupRefused(f"Les bases {kind} ne sont pas prises en charge (SQLite, PostgreSQL).")
    return kind


def expected_revision() -> str:
    """Return the schema revision this version of Parcours runs on (its migrations' head)."""
    return ",".join(sorted(ScriptDirectory(str(paths.MIGRATIONS)).get_heads()))


def describe_database(engine: Engine) -> str:
    """Say which database the application uses, without its password."""
    if database_kind(engine) == SQLITE:
        return f"SQLite ({_sqlite_file(engine)})"
    url = engine.url
    return f"PostgreSQL (base {url.database} sur {url.host or 'localhost'}:{url.port or 5432})"


def database_contents(engine: Engine) -> Contents:
    """Count the rows of every table of the application's database, and read its revision."""
    with engine.connect() as connection:
        return _connection_contents(connection)


def _connection_contents(connection: Connection) -> Contents:
    names = sorted(inspect(connection).get_table_names())
    quote = connection.dialect.identifier_preparer.quote
    return _contents(
        connection.dialect.name,
        names,
        lambda sql: connection.execute(text(sql)).scalars().all(),
        quote,
    )


def _contents(
    kind: str,
    names: list[str],
    run: Callable[[str], list],
    quote: Callable[[str], str],
) -> Contents:
    # Table names read from the database itself, quoted as identifiers.
    rows = {name: int(run(f"SELECT count(*) FROM {quote(name)}")[0]) for name in names}  # noqa: S608
    revision = None
    if "alembic_version" in names:
        revision = ",".join(sorted(run("SELECT version_num FROM alembic_version"))) or None
    return Contents(kind=kind, revision=revision, rows=rows)


def _sqlite_file(engine: Engine) -> Path:
    database = engine.url.database
    if not database or database == ":memory:" or database.startswith("file:"):
        raise BackupRefused(
            "La base SQLite de l'application n'est pas un fichier : rien à sauvegarder."
        )
    return Path(database)


# Paths ------------------------------------------------------------------------------------


def check_destination(path: Path, *, overwrite: bool) -> None:
    """Refuse a backup path that is a folder, is in no folder, or exists (unless ``overwrite``)."""
    if path.is_dir():
        raise BackupRefused(f"{path} est un dossier : donnez le chemin d'un fichier à écrire.")
    if path.exists() and not overwrite:
        raise BackupRefused(
            f"{path} existe déjà : rien n'a été écrit. Choisissez un autre nom, ou ajoutez "
            "--overwrite pour le remplacer."
        )
    if not path.parent.is_dir():
        raise BackupRefused(f"Le dossier {path.parent} n'existe pas : rien n'a été écrit.")


def backup_kind(path: Path) -> str:
    """Return the kind of database the backup file ``path`` was made of, or refuse it."""
    if not path.exists():
        raise BackupRefused(f"{path} n'existe pas : rien n'a été restauré.")
    if path.is_dir():
        raise BackupRefused(f"{path} est un dossier, pas un fichier de sauvegarde.")
    try:
        with path.open("rb") as file:
            head = file.read(len(MAGIC[SQLITE]))
    except OSError as error:
        raise BackupRefused(f"{path} ne peut pas être lu ({error.strerror}).") from None
    for kind, magic in MAGIC.items():
        if head.startswith(magic):
            return kind
    raise BackupRefused(
        f"{path} n'est pas une sauvegarde de Parcours (ni une base SQLite, ni un export "
        "PostgreSQL au format custom)."
    )


def _partial(path: Path) -> Path:
    """Return where a backup is written before it takes its name (never half a backup)."""
    return path.with_name(f".{path.name}.{os.getpid()}.partial")


def _unlink(path: Path) -> None:
    path.unlink(missing_ok=True)


# Backup -----------------------------------------------------------------------------------


def backup(engine: Engine, path: Path, *, overwrite: bool = False) -> Written:
    """Write a consistent backup of the whole database to ``path``; return what it holds."""
    kind = database_kind(engine)
    check_destination(path, overwrite=overwrite)
    partial = _partial(path)
    try:
        if kind == SQLITE:
            contents = _sqlite_backup(engine, partial)
        else:
            contents = _pg_backup(engine, partial)
        partial.chmod(0o600)  # personal data and password hashes: for the owner only
        partial.replace(path)
    except OSError as error:
        raise BackupRefused(f"{path} ne peut pas être écrit ({error.strerror}).") from None
    finally:
        _unlink(partial)
    written = Written(path=path, size=path.stat().st_size, contents=contents)
    logger.info("Backup of the %s database written to %s (%s bytes)", kind, path, written.size)
    return written


def _sqlite_connect(file: Path, timeout_s: float = 15.0) -> sqlite3.Connection:
    return sqlite3.connect(file, timeout=timeout_s, isolation_level=None)


def _sqlite_backup(engine: Engine, partial: Path) -> Contents:
    source = _sqlite_connect(_sqlite_file(engine))
    try:
        target = _sqlite_connect(partial)
        try:
            source.backup(target)
            # One self-contained file: no write-ahead log beside it.
            target.execute("PRAGMA journal_mode=DELETE")
            return sqlite_file_contents(target)
        finally:
            target.close()
    except sqlite3.Error as error:
        raise BackupRefused(f"La copie de la base SQLite a échoué : {error}.") from None
    finally:
        source.close()


def sqlite_file_contents(connection: sqlite3.Connection) -> Contents:
    """Count the rows of every table of an SQLite file opened with ``sqlite3``."""
    names = sorted(
        name
        for (name,) in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
    )
    return _contents(
        SQLITE,
        names,
        lambda sql: [row[0] for row in connection.execute(sql)],
        lambda name: '"' + name.replace('"', '""') + '"',
    )


def _pg_backup(engine: Engine, partial: Path) -> Contents:
    pg_dump = pg_program("pg_dump")
    # pg_dump reads in the snapshot the counts are read in: what is printed is what is dumped.
    with engine.connect().execution_options(isolation_level="REPEATABLE READ") as connection:
        snapshot = connection.execute(text("SELECT pg_export_snapshot()")).scalar_one()
        contents = _connection_contents(connection)
        _run(
            [pg_dump, "--format=custom", "--no-password", f"--snapshot={snapshot}", "-f", partial],
            engine,
        )
        connection.rollback()
    return contents


# PostgreSQL tools -------------------------------------------------------------------------


def pg_program(name: str) -> str:
    """Return the path of the PostgreSQL program ``name`` on PATH, or refuse clearly."""
    found = shutil.which(name)
    if found is None:
        raise BackupRefused(
            f"{name} est introuvable dans le PATH : installez les outils clients de "
            "PostgreSQL (paquet postgresql-client), de la même version majeure que le "
            "serveur ou plus récente, puis recommencez."
        )
    return found


def pg_environment(url, base: dict[str, str] | None = None) -> dict[str, str]:
    """Return the environment that points the PostgreSQL tools at ``url`` (password included)."""
    url = make_url(url)
    environment = dict(os.environ if base is None else base)
    for key, value in (
        ("PGHOST", url.host),
        ("PGPORT", url.port),
        ("PGUSER", url.username),
        ("PGPASSWORD", url.password),
        ("PGDATABASE", url.database),
    ):
        if value is not None:
            environment[key] = str(value)
    for parameter, key in _PG_QUERY_ENVIRONMENT.items():
        value = url.query.get(parameter)
        if value:
            environment[key] = value if isinstance(value, str) else value[0]
    return environment


def _run(arguments: list, engine: Engine, *, extra: dict[str, str] | None = None) -> str:
    """Run a PostgreSQL program on the application's database; return its standard output."""
    environment = {**pg_environment(engine.url), **(extra or {})}
    name = Path(arguments[0]).name
    completed = subprocess.run(  # noqa: S603 (a program found on PATH, arguments of ours)
        [str(argument) for argument in arguments],
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )
    if completed.returncode != 0:
        raise BackupRefused(
            f"{name} a échoué (code {completed.returncode}) : "
            f"{completed.stderr.strip() or 'aucun message'}"
        )
    return completed.stdout


def _pg_dump_revision(engine: Engine, path: Path) -> str | None:
    """Read the schema revision stored in the PostgreSQL backup ``path`` (no database needed)."""
    script = _run(
        [pg_program("pg_restore"), "--data-only", "--table=alembic_version", "-f", "-", path],
        engine,
    )
    versions, copying = [], False
    for line in script.splitlines():
        if line.startswith("COPY ") and "alembic_version" in line:
            copying = True
        elif copying and line == "\\.":
            break
        elif copying:
            versions.append(line.strip())
    return ",".join(sorted(versions)) or None


# Restore ----------------------------------------------------------------------------------


def read_backup(engine: Engine, path: Path) -> Contents:
    """Return what the backup ``path`` holds, refusing one of the other kind of database."""
    kind = backup_kind(path)
    running = database_kind(engine)
    if kind != running:
        raise BackupRefused(
            f"{path} est une sauvegarde {KIND_NAMES[kind]}, mais l'application utilise "
            f"{KIND_NAMES[running]} : rien n'a été restauré. Une sauvegarde se restaure dans "
            "le même type de base."
        )
    if kind == SQLITE:
        try:
            connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
            try:
                check = connection.execute("PRAGMA quick_check").fetchone()[0]
                if check != "ok":
                    raise BackupRefused(f"{path} est une base SQLite abîmée ({check}).")
                return sqlite_file_contents(connection)
            finally:
                connection.close()
        except sqlite3.Error as error:
            raise BackupRefused(
                f"{path} ne peut pas être lu comme base SQLite : {error}."
            ) from None
    return Contents(kind=kind, revision=_pg_dump_revision(engine, path), rows=None)


def revision_refusal(backup_revision: str | None, expected: str) -> str | None:
    """Say why a backup at ``backup_revision`` does not fit this version, or None if it does."""
    if backup_revision == expected:
        return None
    if backup_revision is None:
        return (
            "La sauvegarde ne porte aucune révision de schéma (table alembic_version) : "
            "ce n'est peut-être pas une base Parcours."
        )
    return (
        f"La sauvegarde est à la révision de schéma {backup_revision}, cette version de "
        f"Parcours attend {expected}."
    )


def restore(engine: Engine, path: Path) -> Contents:
    """Replace the whole database by the backup ``path``; return what it holds now.

    The caller has read the backup (:func:`read_backup`) and asked for confirmation. The
    engine's pooled connections are closed before and after, so that none holds a table
    (PostgreSQL) or keeps statements prepared against the replaced tables.
    """
    kind = read_backup(engine, path).kind
    engine.dispose()
    try:
        if kind == SQLITE:
            _sqlite_restore(engine, path)
        else:
            _pg_restore(engine, path)
    finally:
        engine.dispose()
    contents = database_contents(engine)
    logger.info("Database restored from %s (revision %s)", path, contents.revision)
    return contents


def _sqlite_restore(engine: Engine, path: Path) -> None:
    try:
        source = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            target = _sqlite_connect(_sqlite_file(engine))
            try:
                source.backup(target)
            finally:
                target.close()
        finally:
            source.close()
    except sqlite3.Error as error:
        raise BackupRefused(f"La restauration de la base SQLite a échoué : {error}.") from None


def _pg_restore(engine: Engine, path: Path) -> None:
    options = " ".join(
        filter(None, [os.environ.get("PGOPTIONS"), f"-c lock_timeout={PG_LOCK_TIMEOUT}"])
    )
    _run(
        [
            pg_program("pg_restore"),
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",  # all or nothing: a failure leaves the database as it was
            "--exit-on-error",
            "--no-password",
            f"--dbname={engine.url.database}",
            path,
        ],
        engine,
        extra={"PGOPTIONS": options},
    )
