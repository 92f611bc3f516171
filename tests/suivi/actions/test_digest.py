"""The weekly digest of late items: Monday morning, Paris time, once per week and per owner."""

import threading
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from parcours import jobs
from parcours.core.extensions import db
from parcours.core.time import freeze
from parcours.jobs import claims
from parcours.jobs.cli import build_scheduler
from parcours.jobs.models import JobRun
from parcours.outbox.models import OutboxMessage
from parcours.suivi.actions import notifications
from parcours.suivi.actions.operations import ActionRow
from parcours.suivi.models import ActionItem
from tests.suivi.factories import TEAM_SECRET, add_items, add_record

# Monday 11 May 2026, 08:00 in Paris (UTC+2).
MONDAY_8AM = datetime(2026, 5, 11, 6, 0, tzinfo=UTC)


def _late_items(app, world):
    """a1 has two late items, the coach one, a1bis one done and one due later."""
    with freeze(datetime(2026, 4, 9, 8, 0, tzinfo=UTC)), app.app_context():
        record = add_record(world["territory_a1"], world["coach"])
        add_items(
            record,
            world["coach"],
            [
                ActionRow("Relancer la mairie", world["a1"], date(2026, 4, 30)),
                ActionRow("Écrire au département", world["a1"], date(2026, 5, 8)),
                ActionRow("Envoyer la grille", world["coach"], date(2026, 5, 10)),
                ActionRow("Réserver la salle", world["a1bis"], date(2026, 4, 20), done=True),
                ActionRow("Préparer le forum", world["a1bis"], date(2026, 5, 11)),
                ActionRow("Sans date", world["a1bis"]),
            ],
        )
        db.session.commit()


def _digests(outbox):
    return {m.to: m for m in outbox if "en retard cette semaine" in m.subject}


def test_the_digest_goes_on_monday_morning_once_per_week(app, world, outbox):
    _late_items(app, world)
    outbox.clear()
    for moment in (MONDAY_8AM - timedelta(days=1), MONDAY_8AM - timedelta(minutes=1)):
        with freeze(moment):
            assert jobs.send_action_digest(app) is None, moment  # Sunday, Monday 07:59
    with freeze(MONDAY_8AM):
        assert jobs.send_action_digest(app) == 2
        assert jobs.send_action_digest(app) is None, "done for the week"
    for later in (timedelta(hours=3), timedelta(hours=15), timedelta(days=3)):
        with freeze(MONDAY_8AM + later):
            assert jobs.send_action_digest(app) is None, later
    digests = _digests(outbox)
    assert sorted(digests) == ["a1@example.org", "coach@example.org"]
    mine = digests["a1@example.org"]
    assert mine.subject == "Vos 2 actions en retard cette semaine"
    assert "Relancer la mairie" in mine.body and "11 jours de retard" in mine.body
    assert "Écrire au département" in mine.body and "3 jours de retard" in mine.body
    assert f"/cohorts/{world['cohort_a']}/my-path" in mine.body
    assert TEAM_SECRET not in mine.body
    coach = digests["coach@example.org"]
    assert coach.subject == "Votre action en retard cette semaine"
    assert "Envoyer la grille" in coach.body and "1 jour de retard" in coach.body
    assert f"/cohorts/{world['cohort_a']}/my-territories" in coach.body
    # The next Monday, what is still late goes out again.
    outbox.clear()
    with freeze(MONDAY_8AM + timedelta(weeks=1)):
        assert jobs.send_action_digest(app) == 3  # a1bis's forum is late by then
    assert sorted(_digests(outbox)) == ["a1@example.org", "a1bis@example.org", "coach@example.org"]
    with app.app_context():
        assert db.session.scalars(select(JobRun.slot).order_by(JobRun.slot)).all() == [
            "2026-W20",
            "2026-W21",
        ]


def test_a_week_another_scheduler_holds_sends_nothing_and_a_retry_no_second_digest(
    app, world, outbox
):
    _late_items(app, world)
    outbox.clear()
    with freeze(MONDAY_8AM):
        with app.app_context():
            assert claims.claim_slot("action-digest", "2026-W20")  # another process, running
            db.session.commit()
        assert jobs.send_action_digest(app) is None
        with app.app_context():
            # Whoever runs the week again (a slot taken over after its claimer died half-way)
            # queues no second digest for the same owners.
            assert notifications.send_weekly_digest("2026-W20") == 2
            db.session.commit()
            assert notifications.send_weekly_digest("2026-W20") == 0
            db.session.commit()
    assert len(_digests(outbox)) == 2


def test_ticked_items_and_deleted_records_leave_the_digest(app, world, outbox):
    _late_items(app, world)
    with app.app_context():
        for item in db.session.scalars(
            select(ActionItem).where(ActionItem.owner_id == world["a1"])
        ):
            item.done_at = MONDAY_8AM
        coach_item = db.session.scalar(
            select(ActionItem).where(ActionItem.owner_id == world["coach"])
        )
        coach_item.record.deleted_at = MONDAY_8AM
        db.session.commit()
    outbox.clear()
    with freeze(MONDAY_8AM):
        assert jobs.send_action_digest(app) == 0
    assert _digests(outbox) == {}


def test_the_digest_speaks_each_owner_language(app, world, outbox):
    from parcours.accounts.models import User

    _late_items(app, world)
    with app.app_context():
        db.session.get(User, world["a1"]).locale = "en"
        db.session.commit()
    outbox.clear()
    with freeze(MONDAY_8AM):
        jobs.send_action_digest(app)
    english = next(m for m in outbox if m.to == "a1@example.org")
    french = next(m for m in outbox if m.to == "coach@example.org")
    assert english.body.startswith("Hello Catalyseur A1,")
    assert french.body.startswith("Bonjour Coach A,")


def test_the_scheduler_tries_the_digest_within_a_lease(app):
    scheduler = build_scheduler(app, threading.Event())
    assert scheduler.get_job("action-digest").trigger.interval <= timedelta(
        seconds=app.config["PARCOURS_JOB_LEASE_SECONDS"]
    )


def test_the_week_is_read_on_the_paris_clock():
    assert jobs.digest_week(MONDAY_8AM, "Europe/Paris") == "2026-W20"
    # 05:59 UTC is 07:59 in Paris: not yet. 21:59 UTC is 23:59 in Paris: still Monday there.
    assert jobs.digest_week(datetime(2026, 5, 11, 5, 59, tzinfo=UTC), "Europe/Paris") is None
    assert jobs.digest_week(datetime(2026, 5, 11, 21, 59, tzinfo=UTC), "Europe/Paris") == "2026-W20"
    # 22:00 UTC on Monday is Tuesday in Paris: too late for that week.
    assert jobs.digest_week(datetime(2026, 5, 11, 22, 0, tzinfo=UTC), "Europe/Paris") is None
    assert jobs.digest_week(datetime(2027, 1, 4, 7, 0, tzinfo=UTC), "Europe/Paris") == "2027-W01"


@pytest.mark.commits  # two schedulers, each in its own thread with its own connection
def test_two_schedulers_at_the_same_moment_send_one_digest_per_owner(app, world, outbox):
    from tests.parallel import in_parallel

    _late_items(app, world)
    outbox.clear()
    with freeze(MONDAY_8AM):
        results = in_parallel([lambda: jobs.send_action_digest(app)] * 2)
    assert sorted(results, key=lambda r: r is None) == [2, None], results
    assert sorted(m.to for m in _digests(outbox).values()) == [
        "a1@example.org",
        "coach@example.org",
    ]
    assert len([m for m in outbox if "en retard cette semaine" in m.subject]) == 2
    with app.app_context():
        assert (
            db.session.scalar(
                select(func.count(OutboxMessage.id)).where(
                    OutboxMessage.dedup_key.like("action-digest:2026-W20:%")
                )
            )
            == 2
        )
