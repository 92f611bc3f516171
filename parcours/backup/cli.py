"""``flask backup PATH`` and ``flask restore PATH``: the whole database, files and packs in it."""

from pathlib import Path

import click
from flask.cli import with_appcontext

from parcours.backup import operations
from parcours.backup.operations import IN_DATABASE, BackupRefused, Contents
from parcours.core.extensions import db

MEGABYTE = 1024 * 1024


def _size_text(size: int) -> str:
    """Say a file's size: « 1,2 Mo (1 258 291 octets) »."""
    megabytes = f"{size / MEGABYTE:.1f}".replace(".", ",")
    return f"{megabytes} Mo, {size:_} octets".replace("_", "\u202f")


def _echo_rows(contents: Contents) -> None:
    """Print the tables with their row counts, and where the files and packs are."""
    rows = contents.rows or {}
    click.echo(f"Tables : {len(rows)}, lignes : {sum(rows.values())}.")
    width = max((len(name) for name in rows), default=0)
    for name, count in rows.items():
        click.echo(f"  {name:<{width}}  {count:>8}")
    held = [f"les {label} ({table} : {rows.get(table, 0)})" for table, label in IN_DATABASE.items()]
    held_text = ", ".join(held[:-1]) + " et " + held[-1]
    click.echo(
        f"{held_text[0].upper()}{held_text[1:]} sont des tables de la base : ils sont dans "
        "la sauvegarde, aucun dossier de fichiers n'est à copier à côté."
    )


def _refuse(error: BackupRefused) -> click.ClickException:
    return click.ClickException(error.message)


@click.command("backup")
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--overwrite", is_flag=True, help="Remplacer le fichier PATH s'il existe.")
@with_appcontext
def backup_command(path: Path, overwrite: bool) -> None:
    """Write a consistent backup of the whole database (files and frozen packs included)."""
    engine = db.engine
    try:
        written = operations.backup(engine, path, overwrite=overwrite)
    except BackupRefused as error:
        raise _refuse(error) from None
    contents = written.contents
    click.echo(f"Sauvegarde écrite : {written.path.resolve()} ({_size_text(written.size)}).")
    click.echo(
        f"Base : {operations.describe_database(engine)}, "
        f"révision du schéma : {contents.revision or 'aucune'}."
    )
    _echo_rows(contents)


@click.command("restore")
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--yes", is_flag=True, help="Ne pas demander de confirmation.")
@click.option(
    "--force",
    is_flag=True,
    help="Restaurer même si la révision du schéma de la sauvegarde n'est pas celle attendue.",
)
@with_appcontext
def restore_command(path: Path, yes: bool, force: bool) -> None:
    """Replace the whole database by a backup written by ``flask backup``."""
    engine = db.engine
    try:
        found = operations.read_backup(engine, path)
    except BackupRefused as error:
        raise _refuse(error) from None
    expected = operations.expected_revision()
    size = path.stat().st_size
    click.echo(
        f"Sauvegarde : {path.resolve()} ({_size_text(size)}), base {found.kind_name}, "
        f"révision du schéma : {found.revision or 'aucune'}."
    )
    mismatch = operations.revision_refusal(found.revision, expected)
    if mismatch and not force:
        raise click.ClickException(
            f"{mismatch} Rien n'a été restauré. Restaurez-la avec la version de Parcours qui "
            "l'a faite, ou ajoutez --force (puis « flask --app parcours db upgrade » si elle "
            "est plus ancienne)."
        )
    if mismatch:
        click.echo(f"Attention : {mismatch} Restauration forcée (--force).")
    target = operations.describe_database(engine)
    if not yes and not click.confirm(
        f"Tout le contenu de la base {target} va être remplacé par cette sauvegarde. Continuer ?"
    ):
        raise click.ClickException("Restauration annulée : rien n'a été modifié.")
    db.session.remove()  # no session of this command keeps a connection open
    try:
        contents = operations.restore(engine, path)
    except BackupRefused as error:
        raise _refuse(error) from None
    click.echo(f"Base restaurée : {target}, révision du schéma : {contents.revision or 'aucune'}.")
    _echo_rows(contents)
    if mismatch:
        click.echo(
            "La révision restaurée n'est pas celle de cette version : lancez "
            "« flask --app parcours db upgrade » (sauvegarde plus ancienne) ou revenez à la "
            "version de Parcours qui l'a faite."
        )
    click.echo("Redémarrez l'application (web et planificateur) pour qu'elle relise la base.")
