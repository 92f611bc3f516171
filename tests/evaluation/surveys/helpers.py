"""Surveys for the page tests: opened through the operations, answers written as rows."""

from datetime import UTC, datetime

from parcours.core.extensions import db
from parcours.evaluation.models import SurveyAnswer, SurveyInvitation, SurveyResponse
from tests.evaluation.factories import after, mark_attended, opened, prepared, session_event

#: When the identified (final) survey is opened in tests; its window is 21 days.
FINAL_OPENED = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)
NOW = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)


def respond(survey, answers: dict, *, user_id=None, territory_id=None, submitted=True):
    """Write one response with ``answers`` by question code; flushed.

    A value is a scale point (int), a list of choice codes, a text, "DECLINED", or
    (text, consent) for a testimony. A response of an invited person marks them answered.
    """
    response = SurveyResponse(
        survey_id=survey.id,
        respondent_id=user_id,
        territory_id=territory_id,
        submitted_at=NOW if (submitted and not survey.anonymous) else None,
    )
    db.session.add(response)
    db.session.flush()
    by_code = {q.code: q for q in survey.questions}
    for code, value in answers.items():
        answer = SurveyAnswer(response_id=response.id, question_id=by_code[code].id)
        if value == "DECLINED":
            answer.declined = True
        elif isinstance(value, int):
            answer.number = value
        elif isinstance(value, list):
            answer.choices = value
        elif isinstance(value, tuple):
            answer.text, answer.consent = value[0], value[1].value
        else:
            answer.text = value
        db.session.add(answer)
    db.session.flush()
    return response


def session_survey(world, people=None, *, code="S1"):
    """Open cohort A's « à chaud » survey of ``code``, attended by ``people`` (a1, a2)."""
    event = session_event(world["cohort_a"], code)
    mark_attended(event, [world["a1"], world["a2"]] if people is None else people)
    return opened(prepared(world["cohort_a"], "A_CHAUD", event), after(event))


def final_survey(world):
    """Open cohort A's identified final survey at FINAL_OPENED (every catalyseur invited)."""
    return opened(prepared(world["cohort_a"], "EVAL_FINALE"), FINAL_OPENED)


def invitation(survey_id, user_id) -> SurveyInvitation | None:
    return (
        db.session.query(SurveyInvitation)
        .filter_by(survey_id=survey_id, user_id=user_id)
        .one_or_none()
    )
