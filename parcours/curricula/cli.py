"""``flask curricula validate|load PATH``, ``export-moodle`` and ``import-moodle``."""

import os
import sys
import tempfile
import tomllib
from pathlib import Path

import click
from flask.cli import AppGroup
from sqlalchemy import select

from parcours.core.extensions import db
from parcours.curricula import merge, moodle, moodle_import
from parcours.curricula.loader import CurriculumError, curriculum_files, load_file, parse_file
from parcours.curricula.models import Curriculum
from parcours.curricula.schema import CurriculumDocument

curricula_cli = AppGroup("curricula", help="Valider et charger les fichiers de curriculum.")


def _paths(path: Path) -> list[Path]:
    paths = curriculum_files(path) if path.is_dir() else [path]
    if not paths:
        raise click.ClickException(f"{path}: aucun fichier .toml")
    return paths


@curricula_cli.command("validate")
@click.argument("path", type=click.Path(exists=True, path_type=Path))
def validate_command(path: Path) -> None:
    """Check curriculum files (a file or a folder) without writing anything."""
    failed = False
    for file in _paths(path):
        try:
            document = parse_file(file)
        except CurriculumError as error:
            click.echo(str(error), err=True)
            failed = True
        else:
            click.echo(f"{file}: valide ({document.programme.name})")
    if failed:
        sys.exit(1)


@curricula_cli.command("load")
@click.argument("path", type=click.Path(exists=True, path_type=Path))
def load_command(path: Path) -> None:
    """Load curriculum files; all are validated first and nothing is written if one fails."""
    paths = _paths(path)
    errors = []
    for file in paths:
        try:
            parse_file(file)
        except CurriculumError as error:
            errors.append(str(error))
    if errors:
        click.echo("\n".join(errors), err=True)
        click.echo("Rien n'a été chargé.", err=True)
        sys.exit(1)
    for file in paths:
        result = load_file(file)
        state = "nouvelle version" if result.created else "inchangé"
        click.echo(f"{file}: {result.version.curriculum.slug} v{result.version.number} ({state})")
    db.session.commit()


def _document_to_export(source: str, number: int | None) -> tuple[CurriculumDocument, str]:
    """Return the curriculum to export (a file, or a loaded programme's version) and its ID."""
    path = Path(source)
    if path.is_file():
        if number is not None:
            raise click.ClickException(
                "--version s'applique à un programme chargé, pas à un fichier"
            )
        try:
            document = parse_file(path)
        except CurriculumError as error:
            raise click.ClickException(str(error)) from error
        return document, document.programme.slug
    curriculum = db.session.scalar(select(Curriculum).where(Curriculum.slug == source))
    if curriculum is None:
        known = ", ".join(db.session.scalars(select(Curriculum.slug).order_by(Curriculum.slug)))
        raise click.ClickException(
            f"{source} : ni un fichier, ni un programme chargé (programmes : {known or 'aucun'})"
        )
    versions = {version.number: version for version in curriculum.versions}
    version = versions.get(number) if number is not None else versions[max(versions)]
    if version is None:
        raise click.ClickException(
            f"{source} n'a pas de version {number} (versions : "
            + ", ".join(str(n) for n in sorted(versions))
            + ")"
        )
    return version.document, moodle.framework_idnumber(version.document, version.number)


@curricula_cli.command("export-moodle")
@click.argument("source")
@click.option(
    "--version", "number", type=int, help="Version du programme chargé (la dernière sinon)."
)
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.File("wb", lazy=True),
    help="Fichier CSV à écrire (« - » : la sortie standard).",
)
def export_moodle_command(source: str, number: int | None, output) -> None:
    """Write a referential as a Moodle competency framework CSV (a file or a loaded programme)."""
    document, idnumber = _document_to_export(source, number)
    try:
        content = moodle.export_csv(document, idnumber)
    except moodle.MoodleExportError as error:
        raise click.ClickException(str(error)) from error
    output.write(content)
    referential = document.referential
    click.echo(
        f"{output.name} : « {referential.name} » ({len(referential.domains)} domaines, "
        f"{len(document.competences)} compétences, {len(referential.levels)} niveaux) pour "
        "Moodle (Administration du site > Compétences > Importer un référentiel de compétences)",
        err=output.name == "-",
    )


@curricula_cli.command("import-moodle")
@click.argument("csv_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--into",
    "base",
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Le fichier de curriculum dont le nouveau reprend tout, sauf le référentiel.",
)
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Le nouveau fichier de curriculum, à relire avant de le charger.",
)
@click.option("--force", is_flag=True, help="Remplacer le fichier de sortie s'il existe.")
def import_moodle_command(csv_file: Path, base: Path, output: Path, force: bool) -> None:
    """Write a copy of a curriculum file with the referential of a Moodle framework CSV."""
    if output.exists() and not force:
        raise click.ClickException(f"{output} existe déjà ; choisissez un autre nom ou --force")
    try:
        imported = moodle_import.read_framework(csv_file.read_bytes())
    except moodle_import.MoodleImportError as error:
        click.echo(f"{csv_file}: référentiel Moodle refusé", err=True)
        click.echo("\n".join(f"  - {problem}" for problem in error.problems), err=True)
        click.echo("Rien n'a été écrit.", err=True)
        sys.exit(1)
    try:
        base_text = base.read_text(encoding="utf-8")
        merged, document = merge.with_referential(base_text, imported.referential, output)
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise click.ClickException(f"{base}: fichier de curriculum illisible ({error})") from error
    except CurriculumError as error:
        click.echo(str(error), err=True)
        click.echo(f"(tout, sauf le référentiel, vient de {base})", err=True)
        click.echo("Rien n'a été écrit.", err=True)
        sys.exit(1)
    _write_atomically(output, merged)
    for note in imported.notes:
        click.echo(f"  · {note}")
    referential = document.referential
    click.echo(
        f"{output} : « {referential.name} » ({len(referential.domains)} domaines, "
        f"{len(document.competences)} compétences, {len(referential.levels)} niveaux), le reste "
        f"repris de {base}. Relisez-le, puis : flask --app parcours curricula load {output}"
    )


def _write_atomically(path: Path, text: str) -> None:
    """Write ``path`` whole or not at all: a failure half-way leaves no half-written file."""
    with tempfile.NamedTemporaryFile(
        "w", encoding="utf-8", dir=path.parent, prefix=f".{path.name}.", delete=False
    ) as handle:
        try:
            handle.write(text)
        except OSError:
            Path(handle.name).unlink(missing_ok=True)
            raise
    umask = os.umask(0)  # read it: a temporary file is private, the curriculum is not
    os.umask(umask)
    Path(handle.name).chmod(0o666 & ~umask)
    os.replace(handle.name, path)
