"""``flask scheduler``: the one process that runs scheduled jobs."""

import logging
import signal
import threading
from collections.abc import Callable

import click
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.interval import IntervalTrigger
from flask import current_app
from flask.cli import with_appcontext

from parcours import jobs
from parcours.core.process import process_name
from parcours.core.time import now_utc

logger = logging.getLogger(__name__)

STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


def build_scheduler(app, stopping: threading.Event) -> BackgroundScheduler:
    """Return a scheduler with the reminder and outbox jobs, missed runs coalesced."""
    scheduler = BackgroundScheduler(
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
        IntervalTrigger(seconds=int(jobs.REMINDERS_TRIED_EVERY.total_seconds())),
        args=[app],
        id="reminders",
        # Catch up at start: reminders that fell due while the scheduler was down go out now.
        next_run_time=now_utc(),
    )
    scheduler.add_job(
        jobs.deliver_outbox,
        IntervalTrigger(seconds=int(jobs.OUTBOX_EVERY.total_seconds())),
        args=[app, stopping.is_set],
        id="outbox",
    )
    scheduler.add_job(
        jobs.send_action_digest,
        IntervalTrigger(seconds=int(jobs.REMINDERS_TRIED_EVERY.total_seconds())),
        args=[app],
        id="action-digest",
    )
    scheduler.add_job(
        jobs.send_campaign_mail,
        IntervalTrigger(seconds=int(jobs.REMINDERS_TRIED_EVERY.total_seconds())),
        args=[app],
        id="campaigns",
    )
    scheduler.add_job(
        jobs.open_surveys,
        IntervalTrigger(seconds=int(jobs.REMINDERS_TRIED_EVERY.total_seconds())),
        args=[app],
        id="surveys",
    )
    scheduler.add_job(
        jobs.prune_attempts,
        IntervalTrigger(seconds=int(jobs.REMINDERS_TRIED_EVERY.total_seconds())),
        args=[app],
        id="prune-attempts",
    )
    scheduler.add_job(
        jobs.purge_retention,
        IntervalTrigger(seconds=int(jobs.REMINDERS_TRIED_EVERY.total_seconds())),
        args=[app],
        id="retention",
    )
    return scheduler


def stop_on_signals(stopping: threading.Event) -> Callable[[], None]:
    """Set ``stopping`` on SIGTERM or SIGINT; return what puts the previous handlers back.

    Nothing is interrupted: the outbox job asks ``stopping`` before each message, so the
    message in hand is sent and marked before the process ends.
    """

    def handle(signum, _frame) -> None:
        if not stopping.is_set():
            logger.info(
                "Scheduler: %s received, stopping after the job in hand",
                signal.Signals(signum).name,
            )
        stopping.set()

    if threading.current_thread() is not threading.main_thread():
        return lambda: None  # only the main thread may set handlers (a command run in a test)
    previous = {number: signal.signal(number, handle) for number in STOP_SIGNALS}

    def restore() -> None:
        for number, handler in previous.items():
            signal.signal(number, handler)

    return restore


def run_until_stopped(scheduler: BackgroundScheduler, stopping: threading.Event) -> None:
    """Run the jobs until ``stopping`` is set, then wait for the jobs in hand to end."""
    scheduler.start()
    # A timed wait, so that the signal handler's flag is seen even where a blocking wait
    # would not be interrupted by the signal.
    while not stopping.wait(1):
        pass
    scheduler.shutdown(wait=True)


@click.command("scheduler")
@click.option("--once", is_flag=True, help="Lancer chaque tâche une fois puis s'arrêter (cron).")
@with_appcontext
def scheduler_command(once: bool) -> None:
    """Run the scheduled jobs (reminders, digest, campaigns, surveys, e-mails, retention) here."""
    app = current_app._get_current_object()
    stopping = threading.Event()
    restore = stop_on_signals(stopping)
    try:
        if once:
            queued = jobs.send_reminders(app)
            jobs.send_action_digest(app)  # before delivery, so that its e-mails go now
            jobs.send_campaign_mail(app)
            jobs.open_surveys(app)
            sent, failed = jobs.deliver_outbox(app, stopping.is_set)
            jobs.prune_attempts(app)
            jobs.purge_retention(app)
            click.echo(
                f"Rappels mis en file : {queued if queued is not None else 'déjà faits'} ; "
                f"e-mails envoyés : {sent}, échecs : {failed}"
            )
            return
        scheduler = build_scheduler(app, stopping)
        click.echo(
            "Planificateur démarré (rappels toutes les 15 min, e-mails chaque minute). "
            "Ctrl-C pour arrêter."
        )
        logger.info("Scheduler started as %s", process_name())
        run_until_stopped(scheduler, stopping)
        logger.info("Scheduler stopped")
    finally:
        restore()
