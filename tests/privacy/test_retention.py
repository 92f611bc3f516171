"""Retention: each category goes at its limit and not a second earlier, once per day."""

import threading
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from parcours import create_app, jobs
from parcours.accounts.models import ThrottleHit
from parcours.agenda.models import Event
from parcours.attendance.models import CheckInCode
from parcours.audit.models import AuditAction, AuditEntry
from parcours.config import DEFAULTS, ConfigurationError
from parcours.core.extensions import db
from parcours.core.time import freeze
from parcours.evaluation.models import SurveyAnswer, SurveyResponse
from parcours.jobs.cli import build_scheduler
from parcours.outbox.models import MessageStatus, OutboxMessage
from parcours.privacy import retention
from parcours.suivi.models import FormDraft
from tests.conftest import app_config
from tests.evaluation.surveys.helpers import final_survey, respond

#: Well past the world's cohorts and its final survey (closed on 2026-12-11).
NOW = datetime(2027, 6, 15, 10, 0, tzinfo=UTC)
SECOND = timedelta(seconds=1)
OUTBOX_LIMIT = NOW - timedelta(days=DEFAULTS["PARCOURS_RETENTION_OUTBOX_DAYS"])
AUDIT_LIMIT = NOW - timedelta(days=DEFAULTS["PARCOURS_RETENTION_AUDIT_DAYS"])
LOGIN_WINDOW = timedelta(minutes=DEFAULTS["PARCOURS_LOGIN_WINDOW_MINUTES"])
#: 10:00 UTC is 22:00 on the 14th at UTC-12: the 14th's codes still work somewhere.
LAST_DAY_KEPT = date(2027, 6, 14)
EXPECTED = {
    "outbox": 2,
    "audit": 1,
    "check_in_codes": 1,
    "throttle": 1,
    "form_drafts": 1,
    "survey_drafts": 1,
    # The world's cohorts end in 2026 and 2027: nobody is three years past them yet
    # (tests/privacy/test_erasure.py moves the clock far enough).
    "cohort": 0,
}


def _message(created_at: datetime, status: MessageStatus, name: str) -> OutboxMessage:
    message = OutboxMessage(
        recipient=f"{name}@example.org",
        subject=f"Rappel {name}",
        body=f"Bonjour {name}",
        status=status,
        created_at=created_at,
        sent_at=created_at if status == MessageStatus.SENT else None,
        last_error="550 refused" if status == MessageStatus.FAILED else "",
        attachment_name="programme.pdf",
        attachment_type="application/pdf",
        attachment=b"%PDF",
        dedup_key=f"reminder:{name}",
    )
    db.session.add(message)
    return message


def _populate(world) -> dict[str, int]:
    """Write, in each category, a row exactly at its limit and one a moment younger."""
    rows = {
        "sent_old": _message(OUTBOX_LIMIT, MessageStatus.SENT, "old"),
        "failed_old": _message(OUTBOX_LIMIT - SECOND, MessageStatus.FAILED, "failed"),
        "sent_young": _message(OUTBOX_LIMIT + SECOND, MessageStatus.SENT, "young"),
        "pending_old": _message(OUTBOX_LIMIT - SECOND, MessageStatus.PENDING, "pending"),
        "audit_old": AuditEntry(at=AUDIT_LIMIT, action=AuditAction.LOGOUT.value),
        "audit_young": AuditEntry(at=AUDIT_LIMIT + SECOND, action=AuditAction.LOGOUT.value),
        "hit_old": ThrottleHit(scope="login-client", key="a" * 64, at=NOW - LOGIN_WINDOW),
        "hit_young": ThrottleHit(
            scope="login-client", key="b" * 64, at=NOW - LOGIN_WINDOW + SECOND
        ),
        "draft_old": FormDraft(
            user_id=world["coach"], form_key="record:new:1", data={}, saved_at=NOW - timedelta(1)
        ),
        "draft_young": FormDraft(
            user_id=world["coach"],
            form_key="record:new:2",
            data={},
            saved_at=NOW - timedelta(1) + SECOND,
        ),
    }
    event_id = db.session.scalar(
        select(Event.id).where(Event.cohort_id == world["cohort_a"]).order_by(Event.id).limit(1)
    )
    for name, day in (("code_old", LAST_DAY_KEPT - timedelta(1)), ("code_young", LAST_DAY_KEPT)):
        rows[name] = CheckInCode(event_id=event_id, day=day, half="am", code="ABC123")
    db.session.add_all(rows.values())
    with freeze(NOW):  # its invitations are young e-mails
        survey = final_survey(world)
    rows["survey_draft"] = respond(
        survey, {"CHANGEMENTS": "En cours"}, user_id=world["a1"], submitted=False
    )
    rows["survey_sent"] = respond(survey, {"CHANGEMENTS": "Un tiers-lieu"}, user_id=world["a2"])
    db.session.flush()
    return {name: row.id for name, row in rows.items()}


def _exists(model, identifier: int) -> bool:
    return db.session.scalar(select(func.count(model.id)).where(model.id == identifier)) == 1


def _counts(moment: datetime = NOW) -> dict[str, int]:
    return {
        item.category.key: item.count for item in retention.due(moment) if item.count is not None
    }


def _purge_entries() -> list[AuditEntry]:
    return list(
        db.session.scalars(
            select(AuditEntry).where(AuditEntry.action == AuditAction.RETENTION_PURGED.value)
        )
    )


def test_the_purge_removes_exactly_what_is_past_its_limit(ctx, world):
    before = _counts()
    ids = _populate(world)
    due = _counts()
    assert due == {key: before[key] + EXPECTED[key] for key in EXPECTED}

    with freeze(NOW):
        assert retention.purge(NOW) == due
    db.session.expire_all()

    # Sent and failed e-mails keep their row, subject and keys; what named or held goes.
    for name in ("sent_old", "failed_old"):
        message = db.session.get(OutboxMessage, ids[name])
        assert (message.recipient, message.body, message.last_error) == ("", "", "")
        assert (message.attachment, message.attachment_name, message.attachment_type) == (
            None,
            None,
            None,
        )
        assert message.subject.startswith("Rappel") and message.dedup_key.startswith("reminder:")
    for name in ("sent_young", "pending_old"):  # younger, or not delivered yet
        message = db.session.get(OutboxMessage, ids[name])
        assert message.recipient.endswith("@example.org") and message.attachment == b"%PDF"
    assert not _exists(AuditEntry, ids["audit_old"]) and _exists(AuditEntry, ids["audit_young"])
    assert not _exists(CheckInCode, ids["code_old"]) and _exists(CheckInCode, ids["code_young"])
    assert not _exists(ThrottleHit, ids["hit_old"]) and _exists(ThrottleHit, ids["hit_young"])
    assert not _exists(FormDraft, ids["draft_old"]) and _exists(FormDraft, ids["draft_young"])
    assert not _exists(SurveyResponse, ids["survey_draft"])
    assert _exists(SurveyResponse, ids["survey_sent"])
    assert (
        db.session.scalar(
            select(func.count(SurveyAnswer.id)).where(
                SurveyAnswer.response_id == ids["survey_draft"]
            )
        )
        == 0
    )

    [entry] = _purge_entries()
    assert entry.details == due and entry.actor_id is None
    assert retention.purge(NOW) == dict.fromkeys(EXPECTED, 0), "nothing left past its limit"


def test_a_survey_draft_goes_when_the_survey_closes_not_before(ctx, world):
    survey = final_survey(world)
    respond(survey, {"CHANGEMENTS": "En cours"}, user_id=world["a1"], submitted=False)
    db.session.flush()
    assert _counts(survey.closes_at - SECOND)["survey_drafts"] == 0
    assert _counts(survey.closes_at)["survey_drafts"] == 1


def test_anonymous_answers_which_have_no_time_are_never_taken_for_drafts(ctx, world):
    from tests.evaluation.surveys.helpers import session_survey

    survey = session_survey(world)
    assert survey.anonymous
    respond(survey, {survey.questions[0].code: 4})
    db.session.flush()
    assert _counts(NOW)["survey_drafts"] == 0


def test_the_cohort_category_is_purged_by_erasing_the_people(ctx, world):
    cohort = retention.BY_KEY["cohort"]
    assert cohort.settings == ("PARCOURS_RETENTION_COHORT_YEARS",)
    assert cohort.purged_here
    assert retention.purge(NOW)["cohort"] == 0


def test_the_daily_job_purges_once_per_slot_and_records_it(app, world):
    with app.app_context():
        before = _counts()
        _populate(world)
        db.session.commit()
    with freeze(NOW):
        counts = jobs.purge_retention(app)
        assert counts == {key: before[key] + EXPECTED[key] for key in EXPECTED}
        assert jobs.purge_retention(app) is None, "one run per day"
    with freeze(NOW + timedelta(hours=14)):  # midnight UTC: the next slot
        assert jobs.purge_retention(app) is not None
    with app.app_context():
        entries = sorted(_purge_entries(), key=lambda entry: entry.at)
        # The next day, each row that was a moment too young has gone past its limit too.
        young = {**dict.fromkeys(EXPECTED, 1), "survey_drafts": 0, "cohort": 0}
        assert [entry.details for entry in entries] == [counts, young]
    scheduler = build_scheduler(app, threading.Event())
    assert scheduler.get_job("retention").trigger.interval <= timedelta(
        seconds=app.config["PARCOURS_JOB_LEASE_SECONDS"]
    )


@pytest.mark.commits  # two schedulers, each in its own thread with its own connection
def test_two_schedulers_claiming_the_same_slot_purge_once(app, world):
    from tests.parallel import in_parallel

    with app.app_context():
        ids = _populate(world)
        db.session.commit()
    with freeze(NOW):
        results = in_parallel([lambda: jobs.purge_retention(app)] * 2)
    done = [result for result in results if result is not None]
    assert len(done) == 1 and results.count(None) == 1, results
    assert done[0]["audit"] >= 1 and done[0]["outbox"] == 2
    with app.app_context():
        assert len(_purge_entries()) == 1
        assert not _exists(AuditEntry, ids["audit_old"])


def _snapshot() -> dict:
    models = (OutboxMessage, AuditEntry, CheckInCode, ThrottleHit, FormDraft, SurveyResponse)
    counts = {
        model.__tablename__: db.session.scalar(select(func.count(model.id))) for model in models
    }
    counts["blank"] = db.session.scalar(
        select(func.count(OutboxMessage.id)).where(OutboxMessage.recipient == "")
    )
    return counts


def test_the_dry_run_says_what_would_go_and_changes_nothing(app, world):
    with app.app_context():
        before = _counts()
        _populate(world)
        db.session.commit()
        snapshot = _snapshot()
    with freeze(NOW):
        result = app.test_cli_runner().invoke(args=["retention", "--dry-run"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert "rien n'est modifié" in lines[0] and "15/06/2027 12:00 (Europe/Paris)" in lines[0]
    # The cut-offs in Paris time: winter (UTC+1) for the e-mails, summer (UTC+2) for the log.
    outbox = next(line for line in lines if line.startswith("- E-mails envoyés"))
    assert f"{before['outbox'] + 2} à effacer" in outbox and "avant le 17/03/2027 11:00" in outbox
    audit = next(line for line in lines if line.startswith("- Journal des actions"))
    assert "365 jours" in audit and "avant le 15/06/2026 12:00" in audit
    codes = next(line for line in lines if line.startswith("- Codes d'émargement"))
    assert "avant le 14/06/2027" in codes
    cohorts = next(line for line in lines if "promotions" in line)
    assert "3 ans après la fin de la promotion" in cohorts and "0 à effacer" in cohorts
    with app.app_context():
        assert _snapshot() == snapshot
        assert _purge_entries() == []


def test_the_command_without_dry_run_purges_now(app, world):
    with app.app_context():
        ids = _populate(world)
        db.session.commit()
    with freeze(NOW):
        result = app.test_cli_runner().invoke(args=["retention"])
    assert result.exit_code == 0, result.output
    assert "Codes d'émargement : 1 effacé(s)." in result.output
    with app.app_context():
        assert not _exists(CheckInCode, ids["code_old"])
        assert len(_purge_entries()) == 1


def test_the_defaults(app):
    assert app.config["PARCOURS_RETENTION_OUTBOX_DAYS"] == 90
    assert app.config["PARCOURS_RETENTION_AUDIT_DAYS"] == 365
    assert app.config["PARCOURS_RETENTION_COHORT_YEARS"] == 3


def test_a_shorter_setting_moves_the_limit(app, ctx, world):
    _populate(world)
    before = _counts()["outbox"]
    app.config["PARCOURS_RETENTION_OUTBOX_DAYS"] = 89
    try:
        assert _counts()["outbox"] == before + 1  # the young one is now past it too
    finally:
        app.config["PARCOURS_RETENTION_OUTBOX_DAYS"] = 90


@pytest.mark.parametrize("key", ["PARCOURS_RETENTION_OUTBOX_DAYS", "PARCOURS_RETENTION_AUDIT_DAYS"])
@pytest.mark.parametrize("value", ["quatre-vingt-dix", 0, -5, 1.5, True, None])
def test_a_retention_that_is_not_a_number_stops_the_start(database_url_for_tests, key, value):
    with pytest.raises(ConfigurationError, match=key):
        create_app(app_config(database_url_for_tests, **{key: value}))
