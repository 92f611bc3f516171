"""Campaigns of the test world: cohort A's T0 opened, the clock inside its window."""

import pytest

from parcours.core.extensions import db
from parcours.core.time import freeze
from tests.competences.factories import inside, moment_event, open_campaign


@pytest.fixture
def t0_time(app, world):
    """A moment inside cohort A's T0 window (Monday-ish, 11:00 Paris)."""
    with app.app_context():
        return inside(world["cohort_a"], "T0")


@pytest.fixture
def t0(app, world, t0_time, outbox):
    """Cohort A's T0 campaign, opened by its coordinator; the clock frozen inside its window.

    Returns its id; the opening e-mails are cleared from ``outbox``.
    """
    with freeze(t0_time):
        with app.test_request_context():
            campaign = open_campaign(world["cohort_a"], "T0", world["coordinator"])
            db.session.commit()
            campaign_id = campaign.id
        outbox.clear()
        yield campaign_id


@pytest.fixture
def t0_event_id(app, world):
    with app.app_context():
        return moment_event(world["cohort_a"], "T0").id
