"""The demo's surveys: S1's closed with results to show, S2's open and waiting for Camille."""

import pytest
from sqlalchemy import select

from parcours.core.extensions import db
from parcours.core.time import now_utc
from parcours.evaluation.models import Survey, SurveyInvitation, SurveyResponse
from parcours.evaluation.surveys.results import survey_results
from tests.conftest import login, page_text
from tests.demo import CURRENT

PASSWORD = "demo-password-for-tests"
CAMILLE = "camille.martin@demo.parcours.example"


@pytest.fixture
def demo(app):
    result = app.test_cli_runner().invoke(args=["demo", "--password", PASSWORD])
    assert result.exit_code == 0, result.output
    with app.test_request_context():
        from parcours.agenda.models import Event

        cohort = db.session.scalar(CURRENT)
        built = dict(
            db.session.execute(
                select(Event.code, Survey).join(Survey, Survey.event_id == Event.id)
            ).all()
        )
        yield cohort, {code: survey.id for code, survey in built.items()}


def test_s1_is_closed_with_enough_answers_for_its_results(app, demo):
    _cohort, surveys = demo
    with app.test_request_context():
        s1 = db.session.get(Survey, surveys["S1"])
        assert s1.opened_at is not None and not s1.is_open(now_utc())
        assert s1.opened_by_id is None  # the scheduler
        result = survey_results([s1.id])[s1.id]
        assert result.responses >= 5 and not result.hidden
        assert result.responses == result.invited
        satisfaction = next(q for q in result.questions if q.code == "SATISFACTION")
        assert sum(c.count for c in satisfaction.counts) == result.responses
        garder = next(q for q in result.questions if q.code == "GARDER")
        assert garder.texts and all(t[0].isupper() for t in garder.texts)
        respondents = db.session.scalars(
            select(SurveyResponse.respondent_id).where(SurveyResponse.survey_id == s1.id)
        ).all()
        assert set(respondents) == {None}


def test_s2_is_open_and_camille_is_invited_but_has_not_answered(app, demo):
    cohort, surveys = demo
    with app.test_request_context():
        s2 = db.session.get(Survey, surveys["S2"])
        assert s2.is_open(now_utc())
        rows = db.session.execute(
            select(SurveyInvitation.answered, SurveyInvitation.user_id).where(
                SurveyInvitation.survey_id == s2.id
            )
        ).all()
        from parcours.accounts.models import User

        camille = db.session.scalar(select(User).where(User.email == CAMILLE))
        answered = {user_id: flag for flag, user_id in rows}
        assert answered.pop(camille.id) is False
        assert answered and all(answered.values())
    client = app.test_client()
    login(client, CAMILLE, PASSWORD)
    page = client.get(f"/cohorts/{cohort.id}/my-path")
    assert "Questionnaire à remplir" in page_text(page)
    assert client.get(f"/questionnaires/{surveys['S2']}").status_code == 200
