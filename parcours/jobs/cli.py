"""``flask scheduler``: the one process that runs scheduled jobs."""

import logging

import click
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.interval import IntervalTrigger
from flask import current_app
from flask.cli import with_appcontext

from parcours import jobs
from parcours.core.time import now_utc

logger = logging.getLogger(__name__)


def build_scheduler(app) -> BlockingScheduler:
    """Return a scheduler with the reminder and outbox jobs, missed runs coalesced."""
    scheduler = BlockingScheduler(
        timezone="UTC",
        job_defaults={
            # After downtime, run a missed job once, not once per missed slot.
            "coalesce": True,
            "max_instances": 1,
            "misfire_grace_time": 3600,
        },
    )
    scheduler.add_job(
        jobs.send_reminders,
        IntervalTrigger(minutes=15),
        args=[app],
        id="reminders",
        # Catch up at start: reminders that fell due while the scheduler was down go out now.
        next_run_time=now_utc(),
    )
    scheduler.add_job(jobs.deliver_outbox, IntervalTrigger(minutes=1), args=[app], id="outbox")
    return scheduler


@click.command("scheduler")
@click.option("--once", is_flag=True, help="Lancer chaque tâche une fois puis s'arrêter (cron).")
@with_appcontext
def scheduler_command(once: bool) -> None:
    """Run the scheduled jobs (reminders, e-mail retries) in this process."""
    app = current_app._get_current_object()
    if once:
        queued = jobs.send_reminders(app)
        sent, failed = jobs.deliver_outbox(app)
        click.echo(
            f"Rappels mis en file : {queued if queued is not None else 'déjà faits'} ; "
            f"e-mails envoyés : {sent}, échecs : {failed}"
        )
        return
    scheduler = build_scheduler(app)
    click.echo(
        "Planificateur démarré (rappels toutes les 15 min, e-mails chaque minute). "
        "Ctrl-C pour arrêter."
    )
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        logger.info("Scheduler stopped")
