"""Scheduled jobs. They run in one dedicated process (``flask scheduler``), never in web workers.

Each job is thin: it claims its time slot in the database, calls an operation, commits and
logs. The claim (a unique row per job and slot, with a lease) lets only one process run a
slot, and another take it over once the lease of a claimer that died has run out; the
operations are idempotent too (reminder dedup keys, leased delivery attempts), so a retry or
a second scheduler queues no reminder twice.
"""

import logging
from collections.abc import Callable
from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from flask import Flask

from parcours.core.extensions import db
from parcours.core.time import now_utc

if TYPE_CHECKING:
    from parcours.evaluation.surveys.scheduling import RunReport

logger = logging.getLogger(__name__)

#: The length of a reminders slot: one run per slot queues what fell due.
REMINDERS_EVERY = timedelta(minutes=15)
#: How often the scheduler tries the reminders slot: a slot already done costs two queries,
#: and one whose claimer died is taken over within a minute of its lease running out.
REMINDERS_TRIED_EVERY = timedelta(minutes=1)
OUTBOX_EVERY = timedelta(minutes=1)
#: The length of a surveys slot: a survey opens at most this long after its session ends.
SURVEYS_EVERY = timedelta(minutes=5)
#: Attempts that no longer count are deleted once an hour.
PRUNE_EVERY = timedelta(hours=1)
#: Personal data past its retention (parcours/privacy/retention.py) goes once a day.
RETENTION_EVERY = timedelta(days=1)
#: The weekly digest of late action items goes out on Monday from this local time on
#: (PARCOURS_TIMEZONE); a scheduler that was down then sends it when it is back that day.
DIGEST_FROM = time(8, 0)


def slot_of(moment: datetime, every: timedelta) -> str:
    """Name the slot of length ``every`` that ``moment`` falls in (UTC, ISO format)."""
    seconds = int(every.total_seconds())
    start = int(moment.timestamp()) // seconds * seconds
    return datetime.fromtimestamp(start, tz=moment.tzinfo).strftime("%Y-%m-%dT%H:%M")


def send_reminders(app: Flask) -> int | None:
    """Queue the reminders due now, once per slot across every scheduler process."""
    from parcours.agenda.notifications import send_due_reminders
    from parcours.jobs.claims import claim_slot, finish_slot

    with app.app_context():
        slot = slot_of(now_utc(), REMINDERS_EVERY)
        if not claim_slot("reminders", slot):
            db.session.rollback()
            logger.debug("Reminders for slot %s done or held by another process", slot)
            return None
        db.session.commit()  # make the claim visible before the (slow) work
        queued = send_due_reminders()
        finish_slot("reminders", slot)
        db.session.commit()  # sending follows, after the commit
        logger.info("Reminders for slot %s: %d queued", slot, queued)
        return queued


def deliver_outbox(app: Flask, stop: Callable[[], bool] | None = None) -> tuple[int, int]:
    """Send the e-mails whose (re)try time has come, until ``stop`` says so."""
    from parcours.outbox.operations import deliver

    with app.app_context():
        sent, failed = deliver(stop=stop)
        if sent or failed:
            logger.info("Outbox: %d sent, %d failed attempts", sent, failed)
        return sent, failed


def prune_attempts(app: Flask) -> int | None:
    """Delete the attempts that no longer count and the stale form drafts, once per hour."""
    from parcours.accounts import throttle
    from parcours.jobs.claims import claim_slot, finish_slot
    from parcours.suivi import drafts

    with app.app_context():
        slot = slot_of(now_utc(), PRUNE_EVERY)
        if not claim_slot("prune-attempts", slot):
            db.session.rollback()
            return None
        attempts, stale_drafts = throttle.prune(), drafts.prune()
        finish_slot("prune-attempts", slot)
        db.session.commit()
        logger.info("Pruned for slot %s: %d attempts, %d form drafts", slot, attempts, stale_drafts)
        return attempts + stale_drafts


def purge_retention(app: Flask) -> dict[str, int] | None:
    """Remove the personal data past its retention, once per day across every process."""
    from parcours.jobs.claims import claim_slot, finish_slot
    from parcours.privacy import retention

    with app.app_context():
        now = now_utc()
        slot = slot_of(now, RETENTION_EVERY)
        if not claim_slot("retention", slot):
            db.session.rollback()
            return None
        counts = retention.purge(now)
        finish_slot("retention", slot)
        db.session.commit()
        logger.info("Retention purge for slot %s: %d rows", slot, sum(counts.values()))
        return counts


def digest_week(moment: datetime, zone: str) -> str | None:
    """Name the ISO week (``2026-W19``) whose digest is due at ``moment``, or None.

    Due on Mondays from :data:`DIGEST_FROM` to midnight on the wall clock of ``zone``. A
    scheduler down all Monday skips that week: a digest on Thursday would mislead (items
    ticked meanwhile, a new one waiting for Monday) more than it helps.
    """
    local = moment.astimezone(ZoneInfo(zone))
    if local.weekday() != 0 or local.time() < DIGEST_FROM:
        return None
    year, week, _day = local.isocalendar()
    return f"{year}-W{week:02d}"


def send_action_digest(app: Flask) -> int | None:
    """Send each owner of late action items one e-mail listing them, once per week."""
    from parcours.jobs.claims import claim_slot, finish_slot
    from parcours.suivi.actions.notifications import send_weekly_digest

    with app.app_context():
        week = digest_week(now_utc(), app.config["PARCOURS_TIMEZONE"])
        if week is None or not claim_slot("action-digest", week):
            db.session.rollback()
            return None
        db.session.commit()  # make the claim visible before the work
        queued = send_weekly_digest(week)
        finish_slot("action-digest", week)
        db.session.commit()  # sending follows, after the commit
        logger.info("Action digest for week %s: %d queued", week, queued)
        return queued


def send_campaign_mail(app: Flask) -> int | None:
    """Open the assessment campaigns whose date has come and send their reminders, once."""
    from parcours.competences.campaigns.operations import send_due
    from parcours.jobs.claims import claim_slot, finish_slot

    with app.app_context():
        slot = slot_of(now_utc(), REMINDERS_EVERY)
        if not claim_slot("campaigns", slot):
            db.session.rollback()
            return None
        db.session.commit()  # make the claim visible before the work
        queued = send_due()
        finish_slot("campaigns", slot)
        db.session.commit()  # sending follows, after the commit
        logger.info("Campaigns for slot %s: %d e-mails queued", slot, queued)
        return queued


def open_surveys(app: Flask) -> "RunReport | None":
    """Open the surveys whose time has come and send their reminders, once per slot."""
    from parcours.evaluation.surveys.scheduling import run_due
    from parcours.jobs.claims import claim_slot, finish_slot

    with app.app_context():
        now = now_utc()
        slot = slot_of(now, SURVEYS_EVERY)
        if not claim_slot("surveys", slot):
            db.session.rollback()
            return None
        db.session.commit()  # make the claim visible before the work
        report = run_due(now)
        finish_slot("surveys", slot)
        db.session.commit()  # sending follows, after the commit
        logger.info(
            "Surveys for slot %s: %d opened (%d invited), %d reminders (%d e-mails), "
            "%d waiting for someone to ask, %d failed",
            slot,
            len(report.opened),
            report.invited,
            len(report.reminded),
            report.reminder_mails,
            len(report.skipped),
            len(report.failed),
        )
        return report
