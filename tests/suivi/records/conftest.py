"""Records tests start from the ``world``: territory A1 (binôme a1, a1bis; coach), its meetings."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from parcours.agenda.models import Event
from parcours.core.extensions import db
from parcours.core.time import freeze
from tests.conftest import login
from tests.suivi.factories import OTHER_COACH, add_other_coach

# Cohort A started on 2 March 2026; A1's first follow-up (SUIVI1) is in late April.
NOW = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _in_june():
    """Run after A1's launch bilatérale and first follow-up, before the second."""
    with freeze(NOW):
        yield


@pytest.fixture
def meetings(app, world):
    """Return the ids of A1's per-territory events by code (BILAT, SUIVI1, SUIVI2…)."""
    with app.app_context():
        rows = db.session.execute(
            select(Event.code, Event.id).where(Event.territory_id == world["territory_a1"])
        ).all()
    return dict(rows)


@pytest.fixture
def as_role(app, login_as, world):
    """Return a function that logs in a role of the world, or ``other_coach`` (added here)."""
    with app.app_context():
        add_other_coach(world["cohort_a"])
        db.session.commit()

    def _client(role: str):
        if role == "other_coach":
            client = app.test_client()
            login(client, OTHER_COACH)
            return client
        return login_as(role)

    return _client
