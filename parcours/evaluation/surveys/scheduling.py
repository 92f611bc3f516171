"""What the scheduler does for surveys: open each when its time comes, send its one reminder.

When a survey opens, and who is asked:

- An **« à chaud »** survey (each ``session`` template of the cohort's curriculum) opens
  once its collective session has ended, for the cohort's catalyseurs recorded as present
  (or late) at it. A cancelled session has none. A session nobody is recorded at yet is
  skipped (a log line) and tried again at the next run: its survey opens as soon as the
  attendance is entered.
- The **final** evaluation (each ``final`` template) opens on the cohort's start date plus
  the template's ``offset_days``, at :data:`FINAL_OPENS_AT` on the cohort's wall clock, for
  every catalyseur of the cohort.
- The **reminder** goes once, from the survey's ``remind_at`` on while it is open, to those
  invited who have not answered.

Catching up: a scheduler that was down opens on its return what fell due meanwhile, but only
while the survey would still be open had it opened on time, i.e. within the template's
``window_days`` after the session's end (or the final survey's day). Older ones are left
alone: a cohort created with sessions already held, a template added to the curriculum
later, or a long outage never send a survey about a session weeks old. A survey opened late
still gets its whole window from the moment it opens. ``since`` narrows the catch-up to what
fell due after it.

Each survey opens in a savepoint of its own: one that fails is logged and rolled back, the
others still open. A run costs the same few queries whatever the number of cohorts and
sessions (plus, for each survey it opens or reminds, the queries of that survey). Every step
is idempotent: a survey opens once (``opened_at``, one invitation per person), each mailing
is claimed once (:mod:`.mailings`), so a second run, or a second scheduler, sends nothing
twice.
"""

import logging
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from parcours.agenda.models import Event, EventStatus
from parcours.cohorts.models import Cohort
from parcours.core.concurrency import savepoint
from parcours.core.extensions import db
from parcours.core.time import local_to_utc
from parcours.curricula.schema import EventKind, SurveyKind, SurveyTemplate
from parcours.evaluation.models import Survey, SurveyMailing, SurveyMailingKind
from parcours.evaluation.surveys import mailings
from parcours.evaluation.surveys import operations as ops

logger = logging.getLogger(__name__)

#: The final evaluation opens at this time on its day, on the cohort's wall clock.
FINAL_OPENS_AT = time(9, 0)
#: The longest answering window a template may have (the curriculum schema's bound): no
#: session that ended longer ago can still be due.
LONGEST_WINDOW = timedelta(days=60)


@dataclass
class RunReport:
    """What one run did: surveys opened (ids), reminders sent, what was skipped or failed."""

    opened: list[int] = field(default_factory=list)
    invited: int = 0
    reminded: list[int] = field(default_factory=list)
    reminder_mails: int = 0
    #: Survey keys (``A_CHAUD@12``, ``EVAL_FINALE``) with nobody to ask yet, per cohort id.
    skipped: list[tuple[int, str]] = field(default_factory=list)
    failed: list[tuple[int, str]] = field(default_factory=list)


@dataclass(frozen=True)
class _Due:
    cohort: Cohort
    template: SurveyTemplate
    event: Event | None

    @property
    def key(self) -> str:
        return ops.survey_key(self.template, self.event)


def run_due(now: datetime, since: datetime | None = None) -> RunReport:
    """Open the surveys whose time has come and send the reminders due at ``now``.

    Flushes, never commits: the job commits once. ``since`` leaves out the surveys that
    fell due before it.
    """
    report = RunReport()
    due = _due_session_surveys(now, since) + _due_final_surveys(now, since)
    askable = _with_someone_to_ask(due)
    for item in due:
        if (item.cohort.id, item.key) not in askable:
            logger.info(
                "Survey %s of cohort %s not opened: nobody to ask yet", item.key, item.cohort.id
            )
            report.skipped.append((item.cohort.id, item.key))
            continue
        _open(item, now, report)
    for survey in _due_reminders(now):
        _remind(survey, now, report)
    return report


def _open(item: _Due, now: datetime, report: RunReport) -> None:
    try:
        with savepoint():
            survey = ops.prepare_survey(item.cohort, item.template, item.event)
            if survey.opened_at is not None:
                return  # a coordinator opened it since we looked
            report.invited += ops.open_survey(survey, now=now)
            report.opened.append(survey.id)
    except ops.SurveyRefused as refusal:
        logger.info("Survey %s of cohort %s not opened: %s", item.key, item.cohort.id, refusal)
        report.skipped.append((item.cohort.id, item.key))
    except Exception:
        logger.exception("Survey %s of cohort %s failed to open", item.key, item.cohort.id)
        report.failed.append((item.cohort.id, item.key))
        # Rows read inside the savepoint may be gone (SQLite gives their ids again).
        db.session.expire_all()


def _remind(survey: Survey, now: datetime, report: RunReport) -> None:
    try:
        with savepoint():
            queued = mailings.send_reminder(survey, now=now)
    except Exception:
        logger.exception("Reminder of survey %s failed", survey.id)
        report.failed.append((survey.cohort_id, survey.key))
        db.session.expire_all()
        return
    if queued is not None:
        report.reminded.append(survey.id)
        report.reminder_mails += queued


def _due_session_surveys(now: datetime, since: datetime | None) -> list[_Due]:
    """The « à chaud » surveys of the sessions that ended within their window, not yet open."""
    ended = (
        select(Event)
        .options(joinedload(Event.cohort))
        .where(
            Event.kind == EventKind.SESSION,
            Event.status != EventStatus.CANCELLED,
            Event.ends_at <= now,
            Event.ends_at > now - LONGEST_WINDOW,
        )
        .order_by(Event.ends_at, Event.id)
    )
    if since is not None:
        ended = ended.where(Event.ends_at > since)
    events = db.session.scalars(ended).all()
    if not events:
        return []
    opened = set(
        db.session.execute(
            select(Survey.cohort_id, Survey.key).where(
                Survey.event_id.in_([event.id for event in events]),
                Survey.opened_at.is_not(None),
            )
        )
    )
    due = []
    for event in events:
        for template in event.cohort.curriculum.surveys:
            if template.kind != SurveyKind.SESSION:
                continue
            item = _Due(event.cohort, template, event)
            within = now < event.ends_at + timedelta(days=template.window_days)
            if within and (event.cohort_id, item.key) not in opened:
                due.append(item)
    return due


def _final_opens_at(cohort: Cohort, template: SurveyTemplate) -> datetime:
    """When ``cohort``'s final survey of ``template`` opens (UTC)."""
    day = cohort.start_date + timedelta(days=template.offset_days)
    return local_to_utc(day, FINAL_OPENS_AT, cohort.timezone)


def _due_final_surveys(now: datetime, since: datetime | None) -> list[_Due]:
    """The final surveys whose day has come, within their window, not yet open."""
    # A day's margin either side of UTC's date: the cohort's zone decides the day.
    started = db.session.scalars(
        select(Cohort)
        .where(Cohort.start_date <= now.date() + timedelta(days=1))
        .order_by(Cohort.id)
    ).all()
    candidates = []
    for cohort in started:
        for template in cohort.curriculum.surveys:
            if template.kind != SurveyKind.FINAL:
                continue
            opens_at = _final_opens_at(cohort, template)
            if opens_at <= now < opens_at + timedelta(days=template.window_days) and (
                since is None or opens_at > since
            ):
                candidates.append(_Due(cohort, template, None))
    if not candidates:
        return []
    opened = set(
        db.session.execute(
            select(Survey.cohort_id, Survey.key).where(
                Survey.cohort_id.in_({item.cohort.id for item in candidates}),
                Survey.kind == SurveyKind.FINAL.value,
                Survey.opened_at.is_not(None),
            )
        )
    )
    return [item for item in candidates if (item.cohort.id, item.key) not in opened]


def _with_someone_to_ask(due: list[_Due]) -> set[tuple[int, str]]:
    """Which of ``due`` have someone to ask (the rule of ``ops.invitees_of``), in two queries."""
    by_session, by_cohort = ops.invitees_of(
        sessions=[item.event.id for item in due if item.event is not None],
        cohorts={item.cohort.id for item in due if item.event is None},
    )
    return {
        (item.cohort.id, item.key)
        for item in due
        if (by_session[item.event.id] if item.event is not None else by_cohort[item.cohort.id])
    }


def _due_reminders(now: datetime) -> list[Survey]:
    """The open surveys whose reminder time has come and whose reminder has not gone."""
    sent = select(SurveyMailing.id).where(
        SurveyMailing.survey_id == Survey.id,
        SurveyMailing.kind == SurveyMailingKind.REMINDER.value,
    )
    return list(
        db.session.scalars(
            select(Survey)
            .options(joinedload(Survey.cohort), joinedload(Survey.event))
            .where(
                Survey.opened_at.is_not(None),
                Survey.closed_at.is_(None),
                Survey.closes_at > now,
                Survey.remind_at.is_not(None),
                Survey.remind_at <= now,
                ~sent.exists(),
            )
            .order_by(Survey.id)
        )
    )
