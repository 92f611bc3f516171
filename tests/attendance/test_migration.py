"""The evening migration: marks taken as « après-midi » follow an event that is now an evening."""

from datetime import date

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import select, text

from parcours.agenda.models import Event
from parcours.core.extensions import db
from tests.attendance.conftest import paris

# Alembic works on a connection of its own.
pytestmark = pytest.mark.commits

JUNE_10 = date(2026, 6, 10)


def _halves(user_id: int, event_id: int) -> set[tuple[str, str]]:
    rows = db.session.execute(
        select(text("half"), text("status"))
        .select_from(text("attendances"))
        .where(text("user_id = :user AND event_id = :event"))
        .params(user=user_id, event=event_id)
    )
    return set(rows)


def test_afternoon_marks_follow_their_evening_and_come_back(app, world):
    with app.app_context():
        evening, long_day = (
            db.session.scalar(
                select(Event).where(Event.cohort_id == world["cohort_a"], Event.code == code)
            )
            for code in ("S2", "S3")
        )
        evening.starts_at, evening.ends_at = (
            paris("2026-06-10", "18:30"),
            paris("2026-06-10", "21:00"),
        )
        long_day.starts_at, long_day.ends_at = (
            paris("2026-06-10", "14:00"),
            paris("2026-06-10", "21:00"),
        )
        db.session.commit()
        ids = evening.id, long_day.id
        db.session.remove()
        downgrade(revision="d4e5f6a7b8c9-1")  # when everything after 13:00 was « pm »
        # A connection of its own: the old schema has no database version to stamp.
        with db.engine.begin() as connection:
            for event_id in ids:
                connection.execute(
                    text(
                        "INSERT INTO attendances (event_id, user_id, day, half, status, comment, "
                        "self_checked_in, recorded_at, version) VALUES (:event, :user, :day, 'pm', "
                        "'late', 'train', :no, :at, 1)"
                    ),
                    {
                        "event": event_id,
                        "user": world["a1"],
                        "day": JUNE_10,
                        "no": False,
                        "at": paris("2026-06-10", "20:00").replace(tzinfo=None),
                    },
                )
        db.session.remove()
        upgrade()
        assert _halves(world["a1"], ids[0]) == {("ev", "late")}  # renamed
        assert _halves(world["a1"], ids[1]) == {("pm", "late"), ("ev", "late")}  # copied
        db.session.remove()
        downgrade(revision="d4e5f6a7b8c9-1")
        assert _halves(world["a1"], ids[0]) == {("pm", "late")}
        assert _halves(world["a1"], ids[1]) == {("pm", "late")}
        db.session.remove()  # PostgreSQL: the read's lock would hold the upgrade's ALTER
        upgrade()
