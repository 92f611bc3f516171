"""``flask curricula validate|load PATH``."""

import sys
from pathlib import Path

import click
from flask.cli import AppGroup

from parcours.core.extensions import db
from parcours.curricula.loader import CurriculumError, curriculum_files, load_file, parse_file

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
