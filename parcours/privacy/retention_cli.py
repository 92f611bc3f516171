"""``flask retention``: purge what is past its retention now, or say what would go."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import click
from flask import current_app
from flask.cli import with_appcontext

from parcours.core.extensions import db
from parcours.core.time import now_utc
from parcours.privacy import retention


def _cutoff_text(cutoff: datetime | date | None, zone: ZoneInfo) -> str:
    if cutoff is None:
        return ""
    if isinstance(cutoff, datetime):
        return f"écrit avant le {cutoff.astimezone(zone):%d/%m/%Y %H:%M}"
    return f"des jours avant le {cutoff:%d/%m/%Y}"


@click.command("retention")
@click.option(
    "--dry-run",
    is_flag=True,
    help="Dire ce qui serait supprimé, par catégorie, sans rien changer.",
)
@with_appcontext
def retention_command(dry_run: bool) -> None:
    """Remove the personal data past its retention now (the daily job's purge), or preview it."""
    zone_name = current_app.config["PARCOURS_TIMEZONE"]
    zone = ZoneInfo(zone_name)
    now = now_utc()
    if dry_run:
        click.echo(
            f"Simulation au {now.astimezone(zone):%d/%m/%Y %H:%M} ({zone_name}) : "
            "rien n'est modifié."
        )
        for item in retention.due(now):
            category = item.category
            if item.count is None:
                click.echo(
                    f"- {category.label} ({category.kept_for()}) : non purgé par cette "
                    "commande (effacement des personnes)."
                )
                continue
            cutoff = _cutoff_text(item.cutoff, zone)
            click.echo(
                f"- {category.label} ({category.kept_for()}) : {item.count} à effacer"
                + (f", {cutoff}" if cutoff else "")
                + "."
            )
        db.session.rollback()
        return
    counts = retention.purge(now)
    db.session.commit()
    click.echo(f"Purge faite au {now.astimezone(zone):%d/%m/%Y %H:%M} ({zone_name}) :")
    for key, count in counts.items():
        click.echo(f"- {retention.BY_KEY[key].label} : {count} effacé(s).")
