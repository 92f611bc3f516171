"""Answering a survey: who may, once, anonymously or not, required questions, drafts, closing."""

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from parcours.accounts.models import User
from parcours.core.extensions import db
from parcours.core.time import freeze
from parcours.curricula.schema import QuestionKind
from parcours.evaluation.models import Survey, SurveyAnswer, SurveyInvitation, SurveyResponse
from parcours.evaluation.surveys import operations as ops
from tests.conftest import page_text
from tests.evaluation.factories import after, prepared, session_event
from tests.evaluation.surveys.helpers import FINAL_OPENED, final_survey, invitation, session_survey


@pytest.fixture
def s1(app, world):
    """Cohort A's S1 « à chaud » survey, open, a1 and a2 invited; (id, a moment it is open)."""
    with app.app_context():
        survey = session_survey(world)
        moment = survey.opened_at + timedelta(hours=2)
        survey_id = survey.id
        db.session.commit()
    with freeze(moment):
        yield survey_id


@pytest.fixture
def final(app, world):
    with app.app_context():
        survey = final_survey(world)
        survey_id = survey.id
        db.session.commit()
    with freeze(FINAL_OPENED + timedelta(days=1)):
        yield survey_id


def questions(app, survey_id):
    with app.app_context():
        return {q.code: (q.id, q.kind) for q in db.session.get(Survey, survey_id).questions}


def form_for(app, survey_id, values: dict) -> dict:
    """Return the posted form of ``values`` by question code (``CODE-declined`` etc. too)."""
    ids = questions(app, survey_id)
    data = {}
    for key, value in values.items():
        code, _sep, part = key.partition(":")
        name = f"q-{ids[code][0]}" + (f"-{part}" if part else "")
        data[name] = value
    return data


def s1_answers(app, survey_id, **extra):
    ids = questions(app, survey_id)
    utilite = [code for code in ids if code.startswith("UTILITE")]
    return form_for(
        app,
        survey_id,
        {
            "SATISFACTION": "4",
            "FORMAT": "en_partie",
            "APPORTS": ["pairs", "recul"],
            "GARDER": "Les ateliers entre pairs",
            **{code: "3" for code in utilite},
            **extra,
        },
    )


def test_anonymous_visitors_are_sent_to_login(client, s1):
    response = client.get(f"/questionnaires/{s1}")
    assert response.status_code == 302 and "/login" in response.location


@pytest.mark.parametrize("role", ["coordinator", "coach", "committee", "admin", "outsider", "b1"])
def test_only_catalyseurs_of_the_cohort_open_the_form(login_as, s1, role):
    assert login_as(role).get(f"/questionnaires/{s1}").status_code == 403


def test_a_catalyseur_not_invited_is_told_why(login_as, s1):
    response = login_as("a1bis").get(f"/questionnaires/{s1}")  # not marked present at S1
    assert response.status_code == 403
    assert "présents à la session" in page_text(response)
    assert login_as("a1bis").post(f"/questionnaires/{s1}", data={}).status_code == 403


def test_the_form_says_it_is_anonymous_and_offers_no_draft(login_as, s1):
    response = login_as("a1").get(f"/questionnaires/{s1}")
    text = page_text(response)
    assert response.status_code == 200
    assert "Ce questionnaire est anonyme : vos réponses ne sont pas reliées à votre nom" in text
    assert "Enregistrer le brouillon" not in text
    assert "Je ne souhaite pas répondre" in text


def test_an_anonymous_answer_keeps_no_link_to_its_author(app, login_as, world, s1):
    client = login_as("a1")
    response = client.post(f"/questionnaires/{s1}", data=s1_answers(app, s1))
    assert response.status_code == 302 and response.location.endswith("/my-path")
    with app.app_context():
        [row] = db.session.scalars(select(SurveyResponse).where(SurveyResponse.survey_id == s1))
        assert (row.respondent_id, row.territory_id, row.submitted_at) == (None, None, None)
        answers = {a.question.code: a for a in row.answers}
        assert answers["SATISFACTION"].number == 4
        assert answers["FORMAT"].choices == ["en_partie"]
        assert answers["APPORTS"].choices == ["pairs", "recul"]
        assert answers["GARDER"].text == "Les ateliers entre pairs"
        assert "CHANGER" not in answers  # left blank: no row
        assert invitation(s1, world["a1"]).answered is True
        assert invitation(s1, world["a2"]).answered is False
    # Answering twice is refused, on the page and on a post.
    again = client.get(f"/questionnaires/{s1}")
    assert again.status_code == 409 and "déjà répondu" in page_text(again)
    assert client.post(f"/questionnaires/{s1}", data=s1_answers(app, s1)).status_code == 409
    with app.app_context():
        count = db.session.query(SurveyResponse).filter_by(survey_id=s1).count()
        assert count == 1


def test_a_required_question_must_be_answered_and_the_form_keeps_what_was_typed(app, login_as, s1):
    data = s1_answers(app, s1)
    del data[f"q-{questions(app, s1)['SATISFACTION'][0]}"]
    response = login_as("a1").post(f"/questionnaires/{s1}", data=data)
    text = page_text(response)
    assert response.status_code == 422
    assert "Cette question demande une réponse." in text
    assert 'value="Les ateliers entre pairs"' not in text  # a textarea keeps it as content
    assert "Les ateliers entre pairs" in response.get_data(as_text=True)
    assert 'value="en_partie" checked' in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.query(SurveyResponse).filter_by(survey_id=s1).count() == 0


def test_declining_is_an_answer_where_it_is_offered(app, login_as, s1):
    data = s1_answers(app, s1, SATISFACTION="declined", **{"GARDER:declined": "y", "GARDER": ""})
    assert login_as("a1").post(f"/questionnaires/{s1}", data=data).status_code == 302
    with app.app_context():
        answers = {
            a.question.code: a
            for a in db.session.scalars(
                select(SurveyAnswer).join(SurveyResponse).where(SurveyResponse.survey_id == s1)
            )
        }
        assert answers["SATISFACTION"].declined and answers["SATISFACTION"].number is None
        assert answers["GARDER"].declined and answers["GARDER"].text == ""


def test_declining_where_it_is_not_offered_and_bad_values_are_refused(app, world, login_as):
    with app.app_context():
        event = session_event(world["cohort_a"], "S1")
        survey = prepared(world["cohort_a"], "A_CHAUD", event)
        ops.add_question(
            survey,
            kind=QuestionKind.SHORT_TEXT,
            text="Une idée pour S2 ?",
            allow_decline=False,
            by=db.session.get(User, world["coordinator"]),
        )
        survey = session_survey(world)  # the same survey, now opened
        survey_id, moment = survey.id, survey.opened_at + timedelta(hours=1)
        db.session.commit()
    with freeze(moment):
        client = login_as("a1")
        page = client.get(f"/questionnaires/{survey_id}").get_data(as_text=True)
        ids = questions(app, survey_id)
        assert f'name="q-{ids["C1"][0]}-declined"' not in page
        data = s1_answers(app, survey_id, **{"C1:declined": "y", "SATISFACTION": "²"})
        data[f"q-{ids['FORMAT'][0]}"] = "peut-être"
        response = client.post(f"/questionnaires/{survey_id}", data=data)
        text = page_text(response)
        assert response.status_code == 422
        assert "Cette question ne propose pas de ne pas répondre." in text
        assert "Choisissez un point de l'échelle proposée." in text
        assert "Choisissez parmi les options proposées." in text


def test_a_closed_survey_takes_no_answer(app, login_as, world, s1):
    with app.app_context():
        survey = db.session.get(Survey, s1)
        closes_at = survey.closes_at
    with freeze(closes_at):
        client = login_as("a1")
        response = client.get(f"/questionnaires/{s1}")
        assert response.status_code == 409 and "clos" in page_text(response)
        assert client.post(f"/questionnaires/{s1}", data=s1_answers(app, s1)).status_code == 409


def test_an_identified_survey_keeps_a_draft_then_sends_it_with_its_author(
    app, login_as, world, final
):
    client = login_as("a1")
    page = client.get(f"/questionnaires/{final}")
    assert "Ce questionnaire est nominatif" in page_text(page)
    assert "Enregistrer le brouillon" in page_text(page)
    draft = form_for(app, final, {"IMPACT_INNOVATION": "2", "CHANGEMENTS": "Un tiers-lieu"})
    response = client.post(f"/questionnaires/{final}", data={**draft, "action": "draft"})
    assert response.status_code == 302
    with app.app_context():
        row = db.session.query(SurveyResponse).filter_by(survey_id=final).one()
        assert (row.respondent_id, row.submitted_at) == (world["a1"], None)
        assert invitation(final, world["a1"]).answered is False
    shown = client.get(f"/questionnaires/{final}").get_data(as_text=True)
    assert "Un tiers-lieu" in shown and "Votre brouillon est affiché" in shown
    # Sending needs the required impacts and the testimony's consent.
    sent = {**draft, "action": "submit"}
    sent.update(form_for(app, final, {"TEMOIGNAGE": "Une belle alliance"}))
    refused = client.post(f"/questionnaires/{final}", data=sent)
    assert refused.status_code == 422
    assert "Dites si votre témoignage peut être publié" in page_text(refused)
    # Two questions missing, each named in the summary and at its field.
    assert page_text(refused).count("Cette question demande une réponse.") == 4
    sent.update(
        form_for(
            app,
            final,
            {"IMPACT_PERFORMANCE": "3", "IMPACT_CONFIANCE": "4", "TEMOIGNAGE:consent": "named"},
        )
    )
    assert client.post(f"/questionnaires/{final}", data=sent).status_code == 302
    with app.app_context():
        row = db.session.query(SurveyResponse).filter_by(survey_id=final).one()
        assert row.respondent_id == world["a1"] and row.territory_id == world["territory_a1"]
        assert row.submitted_at == FINAL_OPENED + timedelta(days=1)
        answers = {a.question.code: a for a in row.answers}
        assert answers["TEMOIGNAGE"].consent == "named"
        assert answers["IMPACT_INNOVATION"].number == 2
        assert invitation(final, world["a1"]).answered is True
    assert client.get(f"/questionnaires/{final}").status_code == 409


def test_a_second_sending_at_the_same_time_fails_at_flush(app, world, ctx):
    survey = session_survey(world)
    a1 = db.session.get(User, world["a1"])
    with freeze(survey.opened_at + timedelta(hours=1)):
        read = ops.invitation_of(survey, a1)  # as the first request read it
        assert read.answered is False and read.version == 1
        table = SurveyInvitation.__table__
        db.session.connection().execute(  # the other request sent meanwhile
            table.update()
            .where(table.c.survey_id == survey.id, table.c.user_id == a1.id)
            .values(answered=True, version=table.c.version + 1)
        )
        with pytest.raises(StaleDataError):
            ops.answer_survey(survey, a1, [], now=survey.opened_at, territory_id=None)


def test_a_lost_race_answers_409_not_500(app, login_as, s1, monkeypatch):
    def lost(*args, **kwargs):
        raise StaleDataError("the other request sent first")

    monkeypatch.setattr(ops, "answer_survey", lost)
    response = login_as("a1").post(f"/questionnaires/{s1}", data=s1_answers(app, s1))
    assert response.status_code == 409 and "déjà répondu" in page_text(response)


def test_an_anonymous_survey_refuses_a_draft_operation(world, ctx):
    survey = session_survey(world)
    a1 = db.session.get(User, world["a1"])
    with pytest.raises(ops.SurveyRefused):
        ops.answer_survey(
            survey,
            a1,
            [],
            now=after(session_event(world["cohort_a"], "S1"), 2),
            territory_id=None,
            draft=True,
        )


def test_a_draft_reads_in_as_many_queries_whatever_its_answers(app, login_as, final, query_counter):
    client = login_as("a1")

    def draft_page_queries(answers: dict) -> int:
        draft = form_for(app, final, answers)
        assert client.post(f"/questionnaires/{final}", data={**draft, "action": "draft"})
        with query_counter:
            assert client.get(f"/questionnaires/{final}").status_code == 200
        return query_counter.count

    few = draft_page_queries({"IMPACT_INNOVATION": "2"})
    many = draft_page_queries(
        {
            "IMPACT_INNOVATION": "2",
            "IMPACT_PERFORMANCE": "3",
            "IMPACT_CONFIANCE": "4",
            "CHANGEMENTS": "Un tiers-lieu",
            "DEPLOIEMENT": "Plus de sessions",
        }
    )
    assert many == few
