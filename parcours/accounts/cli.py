"""``flask users``: bootstrap the platform administrator in production."""

import click
from flask.cli import AppGroup

from parcours.accounts import operations
from parcours.accounts.passwords import password_problem
from parcours.core.extensions import db

users_cli = AppGroup("users", help="Gérer les comptes.")


@users_cli.command("create-admin")
@click.argument("email")
@click.option("--name", "full_name", required=True, help="Nom complet.")
@click.password_option("--password", help="Mot de passe (demandé si absent).")
def create_admin(email: str, full_name: str, password: str) -> None:
    """Create a platform administrator, or make an existing account one."""
    problem = password_problem(password)
    if problem:
        raise click.ClickException(problem)
    user, created = operations.ensure_user(email, full_name)
    operations.make_admin(user)
    operations.set_password(user, password)
    db.session.commit()
    click.echo(f"{'Créé' if created else 'Mis à jour'} : {user.email} (administrateur)")
