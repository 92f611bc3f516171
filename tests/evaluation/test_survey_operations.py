"""Preparing a survey copies its template; opening it invites exactly who is asked."""

import pytest
from sqlalchemy import func, select

from parcours.core.extensions import db
from parcours.evaluation.models import Survey, SurveyInvitation
from parcours.evaluation.surveys import operations as ops
from tests.evaluation.factories import (
    after,
    mark_attended,
    opened,
    prepared,
    session_event,
    with_programme,
)


def test_a_session_survey_copies_the_template_with_one_question_per_agenda_item(ctx, world):
    event = with_programme(session_event(world["cohort_a"], "S1"))
    survey = prepared(world["cohort_a"], "A_CHAUD", event)
    codes = [q.code for q in survey.questions]
    per_item = [q for q in survey.questions if q.code.startswith("UTILITE.")]
    rated = [item.id for item in event.items if item.kind != "break"]
    assert len(rated) == 2
    assert [q.agenda_item_id for q in per_item] == rated
    assert codes[0] == "SATISFACTION" and "GARDER" in codes
    assert survey.anonymous is True and survey.is_prepared()
    assert survey.title.endswith(event.title)


def test_preparing_twice_gives_the_same_survey(ctx, world):
    event = session_event(world["cohort_a"], "S1")
    first = prepared(world["cohort_a"], "A_CHAUD", event)
    second = prepared(world["cohort_a"], "A_CHAUD", event)
    assert first.id == second.id
    assert db.session.scalar(select(func.count()).select_from(Survey)) == 1


def test_a_session_survey_asks_the_catalyseurs_who_attended_only(ctx, world):
    event = session_event(world["cohort_a"], "S1")
    mark_attended(event, [world["a1"], world["a2"]])
    mark_attended(event, [world["a1bis"]], status="absent")
    survey = opened(prepared(world["cohort_a"], "A_CHAUD", event), after(event))
    invited = db.session.scalars(
        select(SurveyInvitation.user_id).where(SurveyInvitation.survey_id == survey.id)
    ).all()
    assert sorted(invited) == sorted([world["a1"], world["a2"]])
    assert survey.is_open(after(event, 2)) and not survey.is_open(survey.closes_at)


def test_opening_twice_is_refused_and_nobody_to_ask_is_refused(ctx, world):
    event = session_event(world["cohort_a"], "S1")
    survey = prepared(world["cohort_a"], "A_CHAUD", event)
    with pytest.raises(ops.SurveyRefused):
        ops.open_survey(survey, now=after(event))  # nobody attended
    mark_attended(event, [world["a1"]])
    opened(survey, after(event))
    with pytest.raises(ops.SurveyRefused):
        ops.open_survey(survey, now=after(event, 2))


def test_the_final_survey_asks_every_catalyseur_of_the_cohort(ctx, world):
    survey = opened(
        prepared(world["cohort_a"], "EVAL_FINALE"), after(session_event(world["cohort_a"], "S4"))
    )
    invited = db.session.scalars(
        select(SurveyInvitation.user_id).where(SurveyInvitation.survey_id == survey.id)
    ).all()
    assert sorted(invited) == sorted([world["a1"], world["a1bis"], world["a2"]])
    assert survey.anonymous is False


def test_a_session_without_programme_asks_its_usefulness_once(ctx, world):
    survey = prepared(world["cohort_a"], "A_CHAUD", session_event(world["cohort_a"], "S2"))
    usefulness = [q for q in survey.questions if q.code.startswith("UTILITE")]
    assert [q.code for q in usefulness] == ["UTILITE"]
    # Its help (« Une note par temps du programme de la session. ») would not be true.
    assert usefulness[0].help == ""


def test_each_agenda_item_question_keeps_the_templates_help(ctx, world):
    event = with_programme(session_event(world["cohort_a"], "S1"))
    survey = prepared(world["cohort_a"], "A_CHAUD", event)
    helps = {q.help for q in survey.questions if q.code.startswith("UTILITE.")}
    assert helps == {"Une note par temps du programme de la session."}
