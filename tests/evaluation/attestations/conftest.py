"""Cohort A of the test world, taken to its end: attendance, self-assessments, and after.

Catalyseur a1 attended S1 (both half-days), S2 (the morning), their territory's first
follow-up (SUIVI1) and S3's first day (late in the afternoon, which counts); a2 attended S1.
a1 self-assessed at T0 (D0.1-D0.3 rated, the rest « je ne sais pas ») and at END (D0.1 and
D1.1 rated). S4 ends on 28 October 2026, the END window closes on 12 November 2026 at
00:00 Paris time: ``AFTER`` is the next morning.
"""

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from parcours.agenda.models import Event
from parcours.attendance.halfdays import half_days
from parcours.attendance.models import Attendance
from parcours.core.extensions import db
from parcours.core.time import freeze
from tests.competences.factories import inside, open_campaign, submit_self

#: The first morning attestations may be issued, and a moment before it.
AFTER = datetime(2026, 11, 12, 9, 0, tzinfo=UTC)
BEFORE = datetime(2026, 11, 11, 9, 0, tzinfo=UTC)  # END still open, S4 over


def event(cohort_id: int, code: str, territory_id: int | None = None) -> Event:
    query = select(Event).where(Event.cohort_id == cohort_id, Event.code == code)
    if territory_id is not None:
        query = query.where(Event.territory_id == territory_id)
    return db.session.scalars(query).one()


def attend(meeting: Event, user_id: int, picks=None, status="present") -> None:
    """Record ``user_id`` on the half-days of ``meeting`` whose index is in ``picks``."""
    for index, slot in enumerate(half_days(meeting)):
        if picks is None or index in picks:
            db.session.add(
                Attendance(
                    event_id=meeting.id,
                    user_id=user_id,
                    day=slot.day,
                    half=slot.half,
                    status=status,
                )
            )
    db.session.flush()


@pytest.fixture
def finished(app, world):
    """Cohort A with a1's and a2's attendance and a1's self-assessments (module docstring).

    Built in a request context of its own and committed, so that pages see it (the test's
    transaction still rolls it back); tests of operations ask for ``ctx`` as well.
    """
    with app.test_request_context():
        _finish(world)
    return world


def _finish(world) -> None:
    cohort_id = world["cohort_a"]
    s1 = event(cohort_id, "S1")
    s1.thematics = ["T1", "T2"]
    attend(s1, world["a1"])
    attend(s1, world["a2"])
    attend(event(cohort_id, "S2"), world["a1"], picks={0})
    attend(event(cohort_id, "S2"), world["a1"], picks={1}, status="absent")
    attend(event(cohort_id, "SUIVI1", world["territory_a1"]), world["a1"])
    s3 = event(cohort_id, "S3")
    attend(s3, world["a1"], picks={0})
    attend(s3, world["a1"], picks={1}, status="late")
    with freeze(inside(cohort_id, "T0")):
        submit_self(
            open_campaign(cohort_id, "T0", world["coordinator"]),
            world["a1"],
            lambda index, item: 2 if index < 3 else None,
        )
    with freeze(inside(cohort_id, "END")):
        submit_self(
            open_campaign(cohort_id, "END", world["coordinator"]),
            world["a1"],
            lambda index, item: 1 if index in (0, 5) else None,
        )
    db.session.commit()
