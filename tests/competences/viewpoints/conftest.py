"""A T0 campaign of cohort A, opened and answered inside its window."""

import pytest

from parcours.core.extensions import db
from parcours.core.time import freeze
from tests.competences import factories as f


@pytest.fixture
def t0(app, world):
    """The id of cohort A's T0 campaign; the clock stays inside its window for the test."""
    with app.app_context():
        when = f.inside(world["cohort_a"], "T0")
    with freeze(when):
        with app.test_request_context():
            campaign = f.open_campaign(world["cohort_a"], "T0", world["coordinator"])
            db.session.commit()
            campaign_id = campaign.id
        yield campaign_id


@pytest.fixture
def mid_window(app, world):
    """A moment inside the MID window: T0 is closed by then."""
    with app.app_context():
        return f.inside(world["cohort_a"], "MID") - f.inside(world["cohort_a"], "T0")


@pytest.fixture
def run(app):
    """Run ``fn()`` in a request context and commit: set-up through the operations."""

    def _run(fn):
        with app.test_request_context():
            result = fn()
            db.session.commit()
            return result

    return _run
