"""The self-assessment's tests: cohort A's T0 campaign open (and B's), time inside T0."""

from datetime import date

import pytest

from parcours.accounts.models import User
from parcours.cohorts.models import Territory
from parcours.cohorts.permissions import membership
from parcours.competences import operations as ops
from parcours.competences.models import AssessmentCampaign, Viewpoint
from parcours.core.extensions import db
from parcours.core.time import freeze
from parcours.outbox import mail
from parcours.suivi.journal import operations as journal_ops
from parcours.suivi.journal.operations import EntryDraft
from parcours.suivi.models import JournalVisibility
from tests.competences import factories as f
from tests.conftest import ROLES  # noqa: F401  (the tests of this folder take it from here)


@pytest.fixture
def t0_time(app, world):
    with app.app_context():
        return f.inside(world["cohort_a"], "T0")


@pytest.fixture
def campaigns(app, world, t0_time):
    """Open cohort A's and cohort B's T0 campaigns; the test runs inside A's T0 window."""
    with freeze(t0_time):
        with app.test_request_context():
            mail.suppress_until_commit()
            ids = {
                "a": f.open_campaign(world["cohort_a"], "T0", world["coordinator"]).id,
                "b": f.open_campaign(world["cohort_b"], "T0", world["coordinator_b"]).id,
            }
            db.session.commit()
        yield ids


@pytest.fixture
def t0(campaigns):
    return campaigns["a"]


def url(campaign_id: int) -> str:
    return f"/auto-evaluations/{campaign_id}/moi"


def autosave_url(campaign_id: int) -> str:
    return f"/auto-evaluations/{campaign_id}/moi/brouillon"


def view_url(campaign_id: int, user_id: int) -> str:
    return f"/auto-evaluations/{campaign_id}/participants/{user_id}"


@pytest.fixture
def submit(app, world):
    """Return a function submitting a role's self-assessment (every level 2 by default)."""

    def _submit(
        campaign_id: int, role: str = "a1", level_of=lambda i, item: 2, *, share=False, comment=""
    ):
        with app.test_request_context():
            campaign = db.session.get(AssessmentCampaign, campaign_id)
            user = db.session.get(User, world[role])
            territory = membership(user, campaign.cohort_id).territory
            answer = f.levels_answer(campaign, Viewpoint.SELF, level_of)
            answer.share, answer.comment = share, comment
            draft = ops.save_draft(campaign, Viewpoint.SELF, territory, user.id, answer, by=user)
            assessment = ops.submit(draft, by=user)
            db.session.commit()
            return assessment.id

    return _submit


@pytest.fixture
def write_entry(app, world):
    """Return a function that writes a journal entry tagged with competences; its id."""

    def _write(territory="territory_a1", author="a1", competences=("D0.1",), title="Atelier"):
        with app.test_request_context():
            mail.suppress_until_commit()
            entry = journal_ops.create_entry(
                db.session.get(Territory, world[territory]),
                EntryDraft(
                    written_on=date(2026, 3, 20),
                    title=title,
                    what_we_did="Nous avons réuni les acteurs.",
                    what_we_learned="",
                    what_we_try_next="",
                    visibility=JournalVisibility.COACH,
                    thematics=(),
                    competences=tuple(competences),
                ),
                db.session.get(User, world[author]),
            )
            db.session.commit()
            return entry.id

    return _write
