"""Drafting, submitting, confirming and reopening answers, and what stays as submitted."""

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from parcours.accounts.models import User
from parcours.cohorts.models import Territory
from parcours.competences import answers as ans
from parcours.competences import operations as ops
from parcours.competences.models import (
    Assessment,
    AssessmentDraft,
    AssessmentRating,
    Viewpoint,
)
from parcours.core.extensions import db
from parcours.core.kept import KeptAsWritten, rewriting
from parcours.core.time import freeze
from tests.competences import factories as f


@pytest.fixture
def t0(app, world, ctx):
    with freeze(f.inside(world["cohort_a"], "T0")):
        yield f.open_campaign(world["cohort_a"], "T0", world["coordinator"])


def test_opening_twice_opens_once(world, t0):
    campaign, opened = ops.open_campaign(t0.event, by=None)
    assert campaign.id == t0.id and opened is False
    assert t0.opened_by_id == world["coordinator"]


def test_draft_then_submit_freezes_every_item(world, t0):
    a1 = db.session.get(User, world["a1"])
    territory = db.session.get(Territory, world["territory_a1"])
    items = ops.items(t0, Viewpoint.SELF)
    answer = f.levels_answer(t0, Viewpoint.SELF, lambda i, item: None if i == 0 else i % 4)
    answer.ratings[items[1].code].comment = "Je co-anime le comité local"
    draft = ops.save_draft(t0, Viewpoint.SELF, territory, a1.id, answer, by=a1)
    assert ans.from_data(draft.data).rating(items[1].code).comment == "Je co-anime le comité local"

    assessment = ops.submit(draft, by=a1)

    assert assessment.revision == 1 and assessment.subject == f"u{a1.id}"
    levels = {r.code: r.level for r in assessment.ratings}
    assert len(levels) == len(items)
    assert levels[items[0].code] is None  # « je ne sais pas »
    assert levels[items[5].code] == 5 % 4
    assert db.session.scalar(select(AssessmentDraft.id)) is None


def test_incomplete_answer_is_refused(world, t0):
    a1 = db.session.get(User, world["a1"])
    territory = db.session.get(Territory, world["territory_a1"])
    answer = f.levels_answer(t0, Viewpoint.SELF, lambda i, item: 1 if i else None)
    first = ops.items(t0, Viewpoint.SELF)[0].code
    answer.ratings[first] = ans.RatingInput()
    draft = ops.save_draft(t0, Viewpoint.SELF, territory, a1.id, answer, by=a1)
    with pytest.raises(ans.AnswerRefused, match="Il manque 1"):
        ops.submit(draft, by=a1)


def test_level_outside_scale_and_unknown_code_are_refused(world, t0):
    a1 = db.session.get(User, world["a1"])
    territory = db.session.get(Territory, world["territory_a1"])
    first = ops.items(t0, Viewpoint.SELF)[0].code
    with pytest.raises(ans.AnswerRefused):
        ops.save_draft(
            t0,
            Viewpoint.SELF,
            territory,
            a1.id,
            ans.AnswerInput(ratings={first: ans.RatingInput(level=ops.scale_max(t0) + 1)}),
            by=a1,
        )
    with pytest.raises(ans.AnswerRefused):
        ops.save_draft(
            t0,
            Viewpoint.SELF,
            territory,
            a1.id,
            ans.AnswerInput(ratings={"NOPE": ans.RatingInput(level=1)}),
            by=a1,
        )


def test_submitted_answer_cannot_be_changed_in_the_orm(world, t0):
    assessment = f.submit_self(t0, world["a1"])
    rating = assessment.ratings[0]
    rating.level = 0
    with pytest.raises(KeptAsWritten):
        db.session.flush()
    db.session.rollback()


def test_submitted_answer_cannot_be_deleted_in_the_orm(world, t0):
    assessment = f.submit_self(t0, world["a1"])
    db.session.delete(assessment.ratings[0])
    with pytest.raises(KeptAsWritten):
        db.session.flush()
    db.session.rollback()


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE assessment_ratings SET level = 0",
        "DELETE FROM assessment_ratings",
        "UPDATE assessments SET comment = 'changé'",
        "DELETE FROM assessments",
    ],
)
def test_the_database_refuses_changing_submitted_rows(world, t0, statement):
    f.submit_self(t0, world["a1"])
    db.session.flush()
    with pytest.raises(DBAPIError, match="kept as written"), db.session.begin_nested():
        db.session.execute(text(statement))


def test_rewriting_lets_an_erasure_through(world, t0):
    assessment = f.submit_self(t0, world["a1"])
    with rewriting():
        db.session.execute(
            text(
                "UPDATE assessment_ratings SET comment = 'contenu supprimé'"
                " WHERE assessment_id = :id"
            ),
            {"id": assessment.id},
        )
    comments = db.session.scalars(
        select(AssessmentRating.comment).where(AssessmentRating.assessment_id == assessment.id)
    ).all()
    assert set(comments) == {"contenu supprimé"}
    with pytest.raises(DBAPIError), db.session.begin_nested():
        db.session.execute(text("UPDATE assessment_ratings SET comment = 'encore'"))


def test_second_draft_after_submission_is_refused(world, t0):
    f.submit_self(t0, world["a1"])
    a1 = db.session.get(User, world["a1"])
    territory = db.session.get(Territory, world["territory_a1"])
    with pytest.raises(ans.AnswerRefused, match="déjà envoyée"):
        ops.save_draft(t0, Viewpoint.SELF, territory, a1.id, ans.AnswerInput(), by=a1)


def test_reopening_makes_a_new_revision_and_keeps_the_first(world, t0):
    first = f.submit_self(t0, world["a1"], lambda i, item: 1)
    coordinator = db.session.get(User, world["coordinator"])
    draft = ops.reopen(first, by=coordinator)
    assert draft.revises_id == first.id
    assert ans.from_data(draft.data).rating(first.ratings[0].code).level == 1
    with pytest.raises(ans.AnswerRefused, match="déjà rouverte"):
        ops.reopen(first, by=coordinator)

    a1 = db.session.get(User, world["a1"])
    answer = ans.from_data(draft.data)
    answer.ratings[first.ratings[0].code] = ans.RatingInput(level=3)
    ops.save_draft(t0, Viewpoint.SELF, draft.territory, a1.id, answer, by=a1)
    second = ops.submit(draft, by=a1)

    assert second.revision == 2 and second.reopened_by_id == coordinator.id
    revisions = db.session.scalars(
        select(Assessment).where(Assessment.subject == first.subject).order_by(Assessment.revision)
    ).all()
    assert [r.revision for r in revisions] == [1, 2]
    assert revisions[0].ratings[0].level == 1 and revisions[1].ratings[0].level == 3
    with pytest.raises(ans.AnswerRefused, match="dernière version"):
        ops.reopen(first, by=coordinator)


def test_a_closed_campaign_refuses_drafts_but_not_a_reopened_revision(world, t0):
    first = f.submit_self(t0, world["a1"])
    with freeze(t0.event.ends_at):
        a2 = db.session.get(User, world["a2"])
        territory = db.session.get(Territory, world["territory_a2"])
        with pytest.raises(ans.AnswerRefused, match="close"):
            ops.save_draft(t0, Viewpoint.SELF, territory, a2.id, ans.AnswerInput(), by=a2)
        draft = ops.reopen(first, by=db.session.get(User, world["coordinator"]))
        assert ops.submit(draft, by=db.session.get(User, world["a1"])).revision == 2


def test_consensus_needs_both_partners_and_a_change_resets_confirmation(world, t0):
    a1, a1bis = (db.session.get(User, world[k]) for k in ("a1", "a1bis"))
    territory = db.session.get(Territory, world["territory_a1"])
    answer = f.levels_answer(t0, Viewpoint.CONSENSUS, lambda i, item: 2)
    draft = ops.save_draft(t0, Viewpoint.CONSENSUS, territory, None, answer, by=a1)
    assert ops.confirm_consensus(draft, by=a1) is None
    with pytest.raises(ans.AnswerRefused, match="déjà confirmé"):
        ops.confirm_consensus(draft, by=a1)

    changed = f.levels_answer(t0, Viewpoint.CONSENSUS, lambda i, item: 3)
    ops.save_draft(t0, Viewpoint.CONSENSUS, territory, None, changed, by=a1bis)
    assert draft.confirmed_by_id is None  # a1 confirmed other levels

    assert ops.confirm_consensus(draft, by=a1bis) is None
    consensus = ops.confirm_consensus(draft, by=a1)
    assert consensus.viewpoint == "consensus" and consensus.participant_id is None
    assert consensus.confirmed_by_id == a1bis.id and consensus.submitted_by_id == a1.id
    assert {r.level for r in consensus.ratings} == {3}


def test_coach_rates_domains(world, t0):
    appraisal = f.submit_territory(t0, Viewpoint.COACH, world["territory_a1"], (world["coach"],))
    domains = [d.code for d in t0.cohort.curriculum.referential.domains]
    assert [r.code for r in appraisal.ratings] == domains


def test_consensus_and_coach_appraisal_of_one_territory_are_two_answers(world, t0):
    consensus = f.submit_territory(
        t0, Viewpoint.CONSENSUS, world["territory_a1"], (world["a1"], world["a1bis"])
    )
    appraisal = f.submit_territory(t0, Viewpoint.COACH, world["territory_a1"], (world["coach"],))
    assert consensus.subject != appraisal.subject
    assert consensus.revision == appraisal.revision == 1
