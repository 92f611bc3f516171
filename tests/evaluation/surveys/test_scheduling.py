"""The scheduler opens each « à chaud » survey when its session ends, the final one on its
day, and sends the one reminder to those who have not answered: each exactly once."""

import threading
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select, update

from parcours import jobs
from parcours.accounts.models import User
from parcours.agenda.models import EventStatus
from parcours.cohorts import operations as cohort_ops
from parcours.cohorts.models import Cohort
from parcours.core.extensions import db
from parcours.core.time import freeze
from parcours.evaluation.models import Survey, SurveyInvitation, SurveyMailing
from parcours.evaluation.surveys import scheduling
from parcours.evaluation.surveys.scheduling import run_due
from parcours.jobs.cli import build_scheduler
from parcours.outbox.models import OutboxMessage
from tests.evaluation.factories import after, mark_attended, session_event

# Cohort A's S1: Wednesday 1 April 2026, 09:30–17:00 in Paris (15:00 UTC).
S1_ENDS = datetime(2026, 4, 1, 15, 0, tzinfo=UTC)
# Cohort A starts on 2 March 2026; its final evaluation 250 days later, at 09:00 in Paris.
FINAL_OPENS = datetime(2026, 11, 7, 8, 0, tzinfo=UTC)


def _recipients(outbox) -> list[str]:
    return sorted(message.to for message in outbox)


def _s1_attended_by(app, world, *keys: str) -> int:
    with app.app_context():
        event = session_event(world["cohort_a"], "S1")
        mark_attended(event, [world[key] for key in keys])
        db.session.commit()
        return event.id


def _surveys(app) -> list[Survey]:
    with app.app_context():
        return db.session.scalars(select(Survey).order_by(Survey.id)).all()


def test_the_a_chaud_survey_opens_once_when_its_session_ends(app, world, outbox):
    _s1_attended_by(app, world, "a1", "a2")  # not a1bis: not asked
    with freeze(S1_ENDS - timedelta(minutes=5)):
        report = jobs.open_surveys(app)
        assert report.opened == [] and report.skipped == []
    assert _surveys(app) == [] and outbox == []
    with freeze(S1_ENDS + timedelta(minutes=2)):
        report = jobs.open_surveys(app)
        assert len(report.opened) == 1 and report.invited == 2
        assert jobs.open_surveys(app) is None  # the slot is done
    with freeze(S1_ENDS + timedelta(hours=1)):
        again = jobs.open_surveys(app)
        assert again.opened == [] and again.failed == []
    assert _recipients(outbox) == ["a1@example.org", "a2@example.org"]
    [survey] = _surveys(app)
    assert survey.key.startswith("A_CHAUD@") and survey.opened_by_id is None
    assert survey.opened_at == S1_ENDS + timedelta(minutes=2)
    with app.app_context():
        invited = db.session.scalars(select(SurveyInvitation.user_id)).all()
        assert sorted(invited) == sorted([world["a1"], world["a2"]])


def test_a_cancelled_session_opens_no_survey(ctx, world):
    event = session_event(world["cohort_a"], "S1")
    mark_attended(event, [world["a1"]])
    event.status = EventStatus.CANCELLED
    db.session.flush()
    report = run_due(after(event))
    assert report.opened == [] and report.skipped == []
    assert db.session.scalar(select(func.count(Survey.id))) == 0


def test_a_session_nobody_attended_waits_for_its_attendance(ctx, world, caplog):
    event = session_event(world["cohort_a"], "S1")
    mark_attended(event, [world["a1"]], status="absent")
    with caplog.at_level("INFO", logger=scheduling.__name__):
        report = run_due(after(event))
    assert report.opened == [] and report.failed == []
    assert report.skipped == [(world["cohort_a"], f"A_CHAUD@{event.id}")]
    assert "nobody to ask yet" in caplog.text
    assert db.session.scalar(select(func.count(Survey.id))) == 0, "not even prepared"
    # The coordinator enters the sheet the next day: the survey opens then.
    mark_attended(event, [world["a2"]])
    report = run_due(after(event, hours=20))
    assert len(report.opened) == 1 and report.invited == 1


def test_a_session_is_caught_up_within_its_window_only(ctx, world):
    event = session_event(world["cohort_a"], "S1")
    mark_attended(event, [world["a1"]])
    # Down for longer than the survey's window (10 days): the session is left alone.
    assert run_due(event.ends_at + timedelta(days=10, minutes=1)).opened == []
    # ``since`` leaves out what fell due before it.
    assert run_due(after(event), since=event.ends_at + timedelta(minutes=30)).opened == []
    # Down for a week: the survey opens on return, with its whole window from then.
    back = event.ends_at + timedelta(days=7)
    report = run_due(back, since=event.ends_at - timedelta(minutes=5))
    [survey] = db.session.scalars(select(Survey)).all()
    assert report.opened == [survey.id]
    assert survey.closes_at == back + timedelta(days=10)
    assert survey.remind_at == back + timedelta(days=3)


def test_a_survey_a_coordinator_opened_is_not_opened_again(ctx, world):
    from tests.evaluation.factories import opened, prepared

    event = session_event(world["cohort_a"], "S1")
    mark_attended(event, [world["a1"]])
    opened(prepared(world["cohort_a"], "A_CHAUD", event), event.starts_at, world["coordinator"])
    report = run_due(after(event))
    assert report.opened == [] and report.failed == []


def test_the_reminder_goes_once_after_three_days_to_those_who_have_not_answered(app, world, outbox):
    _s1_attended_by(app, world, "a1", "a1bis", "a2")
    with freeze(S1_ENDS):
        jobs.open_surveys(app)
    [survey] = _surveys(app)
    with app.app_context():
        db.session.execute(
            update(SurveyInvitation)
            .where(SurveyInvitation.user_id == world["a1"])
            .values(answered=True)
        )
        db.session.commit()
    outbox.clear()
    with freeze(S1_ENDS + timedelta(days=3) - timedelta(minutes=5)):
        assert jobs.open_surveys(app).reminded == []
    with freeze(S1_ENDS + timedelta(days=3)):
        report = jobs.open_surveys(app)
        assert report.reminded == [survey.id] and report.reminder_mails == 2
    with freeze(S1_ENDS + timedelta(days=5)):
        assert jobs.open_surveys(app).reminded == []
    assert _recipients(outbox) == ["a1bis@example.org", "a2@example.org"]
    assert all(message.subject.startswith("Rappel") for message in outbox)


def test_nothing_is_sent_once_the_survey_is_closed(ctx, world, outbox):
    event = session_event(world["cohort_a"], "S1")
    mark_attended(event, [world["a1"]])
    run_due(after(event))
    [survey] = db.session.scalars(select(Survey)).all()
    # Closed by the end of its window before the scheduler came by for the reminder.
    assert run_due(survey.closes_at).reminded == []
    # Closed early by a coordinator.
    survey.closed_at = survey.remind_at - timedelta(hours=1)
    db.session.flush()
    assert run_due(survey.remind_at).reminded == []
    assert db.session.scalar(select(func.count(SurveyMailing.id))) == 1, "the opening only"


def test_the_final_survey_opens_on_its_day(app, world, outbox):
    with freeze(FINAL_OPENS - timedelta(minutes=5)):
        assert jobs.open_surveys(app).opened == []
    with freeze(FINAL_OPENS):
        report = jobs.open_surveys(app)
        assert len(report.opened) == 1 and report.invited == 3
    [survey] = _surveys(app)
    assert (survey.key, survey.cohort_id) == ("EVAL_FINALE", world["cohort_a"])
    assert _recipients(outbox) == ["a1@example.org", "a1bis@example.org", "a2@example.org"]
    outbox.clear()
    with freeze(FINAL_OPENS + timedelta(days=1)):
        assert jobs.open_surveys(app).opened == []
    assert outbox == []
    # Reminded after its own delay (7 days), like every survey.
    with freeze(FINAL_OPENS + timedelta(days=7)):
        assert jobs.open_surveys(app).reminder_mails == 3


def test_a_final_survey_long_past_is_not_resurrected(ctx, world):
    assert run_due(FINAL_OPENS + timedelta(days=21)).opened == []  # its window is 21 days
    assert len(run_due(FINAL_OPENS + timedelta(days=20)).opened) == 1


def test_one_survey_that_fails_to_open_does_not_stop_the_others(ctx, world, monkeypatch):
    from parcours.evaluation.surveys import operations as ops

    event = session_event(world["cohort_a"], "S1")
    mark_attended(event, [world["a1"]])
    real = ops.open_survey

    def failing_for_sessions(survey, **kwargs):
        if survey.event_id is not None:
            db.session.add(SurveyInvitation(survey_id=survey.id, user_id=world["a1"]))
            raise RuntimeError("the mail server is on fire")
        return real(survey, **kwargs)

    monkeypatch.setattr(ops, "open_survey", failing_for_sessions)
    # The session's survey and the final one fall due in the same run.
    moment = FINAL_OPENS + timedelta(hours=1)
    db.session.execute(update(type(event)).where(type(event).id == event.id).values(ends_at=moment))
    db.session.expire_all()
    report = run_due(moment + timedelta(minutes=1))
    assert report.failed == [(world["cohort_a"], f"A_CHAUD@{event.id}")]
    assert len(report.opened) == 1
    assert db.session.scalar(select(func.count(SurveyInvitation.id))) == 3, "the final's only"
    assert db.session.scalars(select(Survey.key)).all() == ["EVAL_FINALE"], "rolled back"


def test_the_scheduler_runs_the_surveys_job_within_a_lease(app):
    scheduler = build_scheduler(app, threading.Event())
    job = scheduler.get_job("surveys")
    assert job.trigger.interval <= timedelta(seconds=app.config["PARCOURS_JOB_LEASE_SECONDS"])
    assert timedelta(minutes=15) >= jobs.SURVEYS_EVERY


def test_the_once_command_runs_the_surveys_job(app, world, outbox):
    _s1_attended_by(app, world, "a1")
    with freeze(S1_ENDS + timedelta(minutes=1)):
        result = app.test_cli_runner().invoke(args=["scheduler", "--once"])
    assert result.exit_code == 0, result.output
    assert len(_surveys(app)) == 1
    surveys = [m for m in outbox if m.subject.startswith("À vous de répondre")]
    assert _recipients(surveys) == ["a1@example.org"]


def test_the_longest_window_is_the_schemas_bound():
    from parcours.curricula.schema import SurveyTemplate

    [bound] = [
        m.le for m in SurveyTemplate.model_fields["window_days"].metadata if hasattr(m, "le")
    ]
    assert timedelta(days=bound) == scheduling.LONGEST_WINDOW


def _add_cohort(number: int, version_id: int, coordinator: User) -> None:
    """A cohort like A (same start), one catalyseur present at S1."""
    from parcours.curricula.models import CurriculumVersion

    cohort = cohort_ops.create_cohort(
        version=db.session.get(CurriculumVersion, version_id),
        name=f"Cohorte {number}",
        start_date=date(2026, 3, 2),
        created_by=coordinator,
    )
    territory = cohort_ops.add_territory(
        cohort,
        name=f"Territoire {number}",
        region="Centre-Val de Loire",
        department="Cher",
        kind="rural",
        carrier_structure="Asso",
        carrier_type="associatif",
        status="accepted",
        status_reason="",
    )
    cohort_ops.add_catalyseur(
        territory,
        email=f"c{number}@example.org",
        full_name=f"Catalyseur {number}",
        organisation="",
        invited_by=coordinator,
    )
    db.session.flush()
    user = db.session.scalars(select(User).where(User.email == f"c{number}@example.org")).one()
    mark_attended(session_event(cohort.id, "S1"), [user.id])


def test_a_run_costs_the_same_queries_whatever_the_number_of_cohorts(ctx, world, query_counter):
    a = db.session.get(Cohort, world["cohort_a"])
    coordinator = db.session.get(User, world["coordinator"])
    mark_attended(session_event(a.id, "S1"), [world["a1"]])

    def steady_run_cost() -> int:
        opening = after(session_event(a.id, "S1"))
        run_due(opening)  # opens what is due
        db.session.expire_all()
        with query_counter:
            report = run_due(opening + timedelta(hours=1))  # nothing more to open
        assert report.opened == [] and report.failed == []
        return query_counter.count

    small = steady_run_cost()
    for number in range(3):
        _add_cohort(number, a.curriculum_version_id, coordinator)
    large = steady_run_cost()
    assert db.session.scalar(select(func.count(Survey.id))) == 4
    assert large == small, (small, large)
    # With reminders due in every cohort, the finding still costs the same; each reminder
    # costs its own queries (its claim, its people, its e-mails).
    reminders = after(session_event(a.id, "S1")) + timedelta(days=3)
    with query_counter:
        report = run_due(reminders)
    assert len(report.reminded) == 4
    per_reminder = (query_counter.count - small) / 4
    assert per_reminder <= 12, query_counter.count


@pytest.mark.commits  # two schedulers, each in its own thread with its own connection
def test_two_schedulers_open_and_remind_once(app, world, outbox):
    from tests.parallel import in_parallel

    _s1_attended_by(app, world, "a1", "a2")
    with freeze(S1_ENDS + timedelta(minutes=1)):
        results = in_parallel([lambda: jobs.open_surveys(app)] * 2)
    assert [r for r in results if r is not None and not isinstance(r, BaseException)]
    assert sum(r is None for r in results) == 1, results
    outbox.clear()
    with freeze(S1_ENDS + timedelta(days=3, minutes=1)):
        results = in_parallel([lambda: jobs.open_surveys(app)] * 2)
    assert sum(r is None for r in results) == 1, results
    assert _recipients(outbox) == ["a1@example.org", "a2@example.org"]
    with app.app_context():
        assert db.session.scalar(select(func.count(Survey.id))) == 1
        assert db.session.scalar(select(func.count(SurveyMailing.id))) == 2
        assert db.session.scalar(select(func.count(OutboxMessage.id))) == 4


@pytest.mark.commits  # two runs racing past their claims (a lease taken over)
def test_two_runs_at_the_same_moment_send_each_mail_once(app, world, outbox, monkeypatch):
    from tests.evaluation.factories import prepared
    from tests.parallel import check_together, in_parallel

    _s1_attended_by(app, world, "a1", "a2")
    with app.app_context():  # a coordinator added a question: the survey is prepared
        prepared(world["cohort_a"], "A_CHAUD", session_event(world["cohort_a"], "S1"))
        db.session.commit()
    # Both runs find the survey unopened before either opens it.
    check_together(monkeypatch, scheduling, "_with_someone_to_ask", 2)

    def run():
        with app.app_context():
            report = run_due(S1_ENDS + timedelta(minutes=1))
            db.session.commit()
            return report

    results = in_parallel([run, run])
    assert not any(isinstance(r, BaseException) for r in results), results
    assert sorted(len(r.opened) for r in results) == [0, 1], results
    assert _recipients(outbox) == ["a1@example.org", "a2@example.org"]
    with app.app_context():
        assert db.session.scalar(select(func.count(SurveyInvitation.id))) == 2
        assert db.session.scalar(select(func.count(SurveyMailing.id))) == 1
