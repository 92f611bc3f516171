"""The scheduler opens each moment on its date and reminds the late ones, each exactly once."""

import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from parcours import jobs
from parcours.competences import operations as ops
from parcours.competences.models import AssessmentCampaign, CampaignMailing
from parcours.core.extensions import db
from parcours.core.time import freeze
from parcours.jobs.cli import build_scheduler
from parcours.outbox.models import OutboxMessage
from tests.competences.factories import moment_event, submit_self

# T0 of cohort A: from Monday 23 March 2026 to Sunday 12 April 2026 (Paris).
T0_OPENS = datetime(2026, 3, 23, 8, 0, tzinfo=UTC)  # 09:00 in Paris
THREE_DAYS_BEFORE = datetime(2026, 4, 9, 6, 0, tzinfo=UTC)  # 08:00 in Paris (UTC+2)
LAST_DAY = datetime(2026, 4, 12, 7, 30, tzinfo=UTC)


def _reminders(outbox):
    return sorted(m.to for m in outbox if "Rappel" in m.subject or "Dernier jour" in m.subject)


def test_the_scheduler_opens_t0_on_its_date_once(app, world, outbox):
    with freeze(T0_OPENS - timedelta(days=1)):
        assert jobs.send_campaign_mail(app) == 0
    with freeze(T0_OPENS):
        assert jobs.send_campaign_mail(app) == 3
        assert jobs.send_campaign_mail(app) is None  # the slot is done
    with freeze(T0_OPENS + timedelta(hours=1)):
        assert jobs.send_campaign_mail(app) == 0  # already open, already announced
    assert sorted(m.to for m in outbox) == ["a1@example.org", "a1bis@example.org", "a2@example.org"]
    with app.app_context():
        campaign = db.session.scalars(select(AssessmentCampaign)).one()
        assert (campaign.moment_code, campaign.opened_by_id) == ("T0", None)


def _t0_with_answers(app, world):
    """T0 open; a1 has answered, a1bis's answer was reopened, a2 has not started."""
    with freeze(T0_OPENS), app.test_request_context():
        campaign, _ = ops.open_campaign(moment_event(world["cohort_a"], "T0"), by=None)
        submit_self(campaign, world["a1"])
        answer = submit_self(campaign, world["a1bis"])
        from parcours.accounts.models import User

        ops.reopen(answer, by=db.session.get(User, world["coordinator"]))
        db.session.commit()
        return campaign.id


def test_reminders_go_three_days_before_and_on_the_last_day_to_the_late_only(app, world, outbox):
    _t0_with_answers(app, world)
    outbox.clear()
    for moment in (
        THREE_DAYS_BEFORE - timedelta(days=1),
        THREE_DAYS_BEFORE - timedelta(minutes=1),  # 07:59 in Paris: not yet
    ):
        with freeze(moment):
            assert jobs.send_campaign_mail(app) == 0, moment
    with freeze(THREE_DAYS_BEFORE):
        assert jobs.send_campaign_mail(app) == 2
    with freeze(THREE_DAYS_BEFORE + timedelta(hours=2)):
        assert jobs.send_campaign_mail(app) == 0  # that reminder is out
    assert _reminders(outbox) == ["a1bis@example.org", "a2@example.org"]
    reopened = next(m for m in outbox if m.to == "a1bis@example.org")
    assert "La coordination a rouvert votre réponse" in reopened.body
    assert "au plus tard le 12 avril 2026" in reopened.body
    outbox.clear()
    with freeze(LAST_DAY):
        assert jobs.send_campaign_mail(app) == 2
    assert _reminders(outbox) == ["a1bis@example.org", "a2@example.org"]
    assert all(m.subject.startswith("Dernier jour") for m in outbox)
    outbox.clear()
    with freeze(LAST_DAY + timedelta(days=1)):
        assert jobs.send_campaign_mail(app) == 0  # closed
    assert outbox == []


def test_a_reminder_run_again_queues_nobody_twice(app, world, outbox):
    from parcours.competences.campaigns import operations as campaign_ops
    from parcours.competences.models import MailingKind

    campaign_id = _t0_with_answers(app, world)
    with freeze(THREE_DAYS_BEFORE), app.test_request_context():
        campaign = db.session.get(AssessmentCampaign, campaign_id)
        day = THREE_DAYS_BEFORE.date()
        assert campaign_ops.remind(campaign, MailingKind.BEFORE_CLOSE, day) == 2
        db.session.commit()
        assert campaign_ops.remind(campaign, MailingKind.BEFORE_CLOSE, day) is None
        # Whoever sends the same mailing again (a claim lost half-way) queues no second e-mail.
        from parcours.competences.campaigns import notifications, queries

        late = [s.user for s in queries.participant_statuses(campaign) if s.late]
        assert notifications.reminded(campaign, late, "before_close", day, set()) == 0


def test_the_scheduler_tries_campaigns_within_a_lease(app):
    scheduler = build_scheduler(app, threading.Event())
    assert scheduler.get_job("campaigns").trigger.interval <= timedelta(
        seconds=app.config["PARCOURS_JOB_LEASE_SECONDS"]
    )


@pytest.mark.commits  # two schedulers, each in its own thread with its own connection
def test_two_schedulers_open_and_remind_once(app, world, outbox):
    from tests.parallel import in_parallel

    with freeze(T0_OPENS):
        results = in_parallel([lambda: jobs.send_campaign_mail(app)] * 2)
    assert sorted(results, key=lambda r: r is None) == [3, None], results
    outbox.clear()
    with freeze(THREE_DAYS_BEFORE):
        results = in_parallel([lambda: jobs.send_campaign_mail(app)] * 2)
    assert sorted(results, key=lambda r: r is None) == [3, None], results
    assert _reminders(outbox) == ["a1@example.org", "a1bis@example.org", "a2@example.org"]
    with app.app_context():
        assert db.session.scalar(select(func.count(CampaignMailing.id))) == 2
        assert db.session.scalar(select(func.count(OutboxMessage.id))) == 6
