"""The demo's self-assessments: what the competences' pages and charts need to show."""

from collections import Counter

import pytest
from sqlalchemy import func, select

from parcours.accounts.models import User
from parcours.competences import operations as ops
from parcours.competences.models import (
    Assessment,
    AssessmentCampaign,
    AssessmentDraft,
    AssessmentEvidence,
    AssessmentRating,
    Viewpoint,
)
from parcours.competences.queries import is_current
from parcours.core.extensions import db
from parcours.core.time import now_utc
from tests.demo import CURRENT

PASSWORD = "demo-password-for-tests"


@pytest.fixture
def demo(app):
    result = app.test_cli_runner().invoke(args=["demo", "--password", PASSWORD])
    assert result.exit_code == 0, result.output
    with app.test_request_context():
        cohort = db.session.scalar(CURRENT)
        campaigns = {
            c.moment_code: c
            for c in db.session.scalars(
                select(AssessmentCampaign).where(AssessmentCampaign.cohort_id == cohort.id)
            )
        }
        yield cohort, campaigns


def _answers(campaign, viewpoint):
    return db.session.scalars(
        select(Assessment).where(
            Assessment.campaign_id == campaign.id, Assessment.viewpoint == viewpoint, is_current()
        )
    ).all()


def test_t0_and_mid_are_past_and_opened_by_the_coordinator_and_the_scheduler(demo):
    _cohort, campaigns = demo
    assert set(campaigns) == {"T0", "MID"}
    coordinator = db.session.scalar(select(User).where(User.email.like("%coordination%")))
    assert campaigns["T0"].opened_by_id is not None and campaigns["MID"].opened_by_id is None
    assert coordinator is None or campaigns["T0"].opened_by_id == coordinator.id
    for campaign in campaigns.values():
        assert not campaign.is_open(now_utc())
        rows = db.session.scalars(
            select(Assessment.submitted_at).where(Assessment.campaign_id == campaign.id)
        ).all()
        event = campaign.event
        assert rows and all(event.starts_at <= at < event.ends_at for at in rows)


def test_most_catalyseurs_answered_both_with_drafts_and_one_silence_at_mid(demo):
    cohort, campaigns = demo
    catalyseurs = {m.user_id for t in cohort.territories for m in t.catalyseurs}
    t0 = {a.participant_id for a in _answers(campaigns["T0"], "self")}
    mid = {a.participant_id for a in _answers(campaigns["MID"], "self")}
    assert t0 == catalyseurs
    drafts = db.session.scalars(
        select(AssessmentDraft).where(
            AssessmentDraft.campaign_id == campaigns["MID"].id, AssessmentDraft.viewpoint == "self"
        )
    ).all()
    unsent = {d.participant_id for d in drafts if d.revises_id is None}
    assert len(unsent) == 2 and not unsent & mid
    silent = catalyseurs - mid - unsent
    assert len(silent) == 1
    assert len(mid) >= len(catalyseurs) - 3 and len(mid) > len(catalyseurs) / 2


def test_levels_progress_with_stagnation_a_decline_unknowns_comments_and_evidence(demo):
    _cohort, campaigns = demo
    levels = {}
    for code in ("T0", "MID"):
        for assessment in _answers(campaigns[code], "self"):
            for rating in assessment.ratings:
                levels.setdefault((assessment.participant_id, rating.code), {})[code] = rating.level
    pairs = [v for v in levels.values() if v.get("T0") is not None and v.get("MID") is not None]
    moves = Counter((v["MID"] > v["T0"]) - (v["MID"] < v["T0"]) for v in pairs)
    assert moves[1] > moves[0] > moves[-1] > 0  # progress mostly, some flat, a decline
    ratings = db.session.scalars(select(AssessmentRating)).all()
    unknown = [r for r in ratings if r.level is None]
    assert 0 < len(unknown) < len(ratings) / 10
    assert sum(1 for r in ratings if r.comment) >= 20
    evidence = db.session.scalars(select(AssessmentEvidence)).all()
    assert evidence and all(e.kind == "journal" and e.title for e in evidence)


def test_binomes_agreed_consensus_one_awaits_its_second_confirmation(demo):
    cohort, campaigns = demo
    binomes = [t for t in cohort.territories if len(t.catalyseurs) == 2]
    for code in ("T0", "MID"):
        consensus = _answers(campaigns[code], "consensus")
        assert 0 < len(consensus) < len(binomes) or code == "MID"
        for answer in consensus:
            partners = {m.user_id for m in answer.territory.catalyseurs}
            assert {answer.confirmed_by_id, answer.submitted_by_id} == partners
    waiting = db.session.scalars(
        select(AssessmentDraft).where(AssessmentDraft.viewpoint == "consensus")
    ).all()
    assert len(waiting) == 1 and waiting[0].confirmed_by_id is not None
    assert waiting[0].campaign_id == campaigns["MID"].id


def test_coaches_appraised_most_territories(demo):
    cohort, campaigns = demo
    accepted = [t for t in cohort.territories if t.status == "accepted"]
    for code in ("T0", "MID"):
        appraisals = _answers(campaigns[code], "coach")
        assert len(accepted) / 2 < len(appraisals) < len(accepted)
        for answer in appraisals:
            assert answer.submitted_by_id == answer.territory.coach_id
            assert len(answer.ratings) == len(ops.items(campaigns[code], Viewpoint.COACH))


def test_camille_finds_her_mid_answer_reopened_and_may_fill_it_in(demo):
    _cohort, campaigns = demo
    camille = db.session.scalar(select(User).where(User.email.like("camille.martin@%")))
    mine = db.session.scalars(
        select(Assessment).where(Assessment.participant_id == camille.id)
    ).all()
    assert {a.moment_code for a in (x.campaign for x in mine)} == {"T0", "MID"}
    draft = db.session.scalar(
        select(AssessmentDraft).where(AssessmentDraft.participant_id == camille.id)
    )
    assert draft is not None and draft.campaign_id == campaigns["MID"].id
    assert draft.revises.revision == 1 and draft.reopened_by_id == campaigns["T0"].opened_by_id
    assert ops.may_write(campaigns["MID"], draft)  # though the window has closed
    assert db.session.scalar(select(func.count(AssessmentDraft.id))) == 4


def test_the_demo_builds_again_over_its_submitted_answers(app):
    runner = app.test_cli_runner()
    for _ in range(2):  # the second reset empties the kept tables too
        result = runner.invoke(args=["demo", "--password", PASSWORD])
        assert result.exit_code == 0, result.output
    with app.app_context():
        # The promotion in progress has opened T0 and MID; the past one, all three.
        assert db.session.scalar(select(func.count(AssessmentCampaign.id))) == 2 + 3
