"""« Mon parcours » lists my survey invitations; the overview links to the surveys; the survey
pages keep their number of queries as answers and surveys grow."""

from datetime import timedelta

import pytest

from parcours.core.extensions import db
from parcours.core.time import freeze
from tests.conftest import page_text
from tests.evaluation.surveys.helpers import final_survey, respond, session_survey


def test_my_path_lists_the_survey_to_fill_in_then_says_it_is_answered(app, login_as, world):
    with app.app_context():
        survey = session_survey(world)
        survey_id, moment = survey.id, survey.opened_at + timedelta(hours=1)
        db.session.commit()
    with freeze(moment):
        url = f"/cohorts/{world['cohort_a']}/my-path"
        page = login_as("a1").get(url)
        text = page_text(page)
        assert "Questionnaire à remplir, jusqu'au" in text
        assert f"/questionnaires/{survey_id}" in page.get_data(as_text=True)
        assert "Questionnaire à remplir" not in page_text(login_as("a1bis").get(url))
        with app.app_context():
            from tests.evaluation.surveys.helpers import invitation

            invitation(survey_id, world["a1"]).answered = True
            db.session.commit()
        assert "réponse envoyée, merci" in page_text(login_as("a1").get(url))


def test_the_overview_links_to_the_surveys_for_coordinators_and_committee(login_as, world):
    url = f"/cohorts/{world['cohort_a']}"
    for role in ("coordinator", "committee"):
        page = login_as(role).get(url)
        assert f"/cohorts/{world['cohort_a']}/questionnaires" in page.get_data(as_text=True)


def _count(client, query_counter, url) -> int:
    with query_counter:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return query_counter.count


@pytest.mark.parametrize("role", ["coordinator", "committee"])
def test_the_survey_pages_keep_their_query_count(app, login_as, world, query_counter, role):
    with app.app_context():
        s1 = session_survey(world, [world["a1"]])
        final = final_survey(world)
        ids = (s1.id, final.id)
        for i in range(5):
            respond(s1, {"SATISFACTION": 1 + i % 4, "GARDER": f"g{i}", "FORMAT": ["oui"]})
        db.session.commit()
    client = login_as(role)
    pages = [
        f"/cohorts/{world['cohort_a']}/questionnaires",
        f"/questionnaires/{ids[0]}/resultats",
        f"/questionnaires/{ids[1]}/resultats",
    ]
    if role == "coordinator":
        pages += [f"/questionnaires/{ids[0]}/gestion", f"/questionnaires/{ids[0]}/reponses.csv"]
    small = {url: _count(client, query_counter, url) for url in pages}
    with app.app_context():
        from parcours.evaluation.models import Survey

        s1 = db.session.get(Survey, ids[0])
        final = db.session.get(Survey, ids[1])
        for i in range(20):
            respond(s1, {"SATISFACTION": 1 + i % 4, "GARDER": f"t{i}", "APPORTS": ["pairs"]})
        for key in ("a1", "a1bis", "a2"):
            respond(final, {"IMPACT_INNOVATION": 2, "CHANGEMENTS": "x"}, user_id=world[key])
        session_survey(world, [world["a1"]], code="S2")
        db.session.commit()
    large = {url: _count(client, query_counter, url) for url in pages}
    assert large == small
    # The export's audit entry is one INSERT more than the pages, and the database's new
    # version (parcours.core.changes) another: the entry is committed.
    assert max(large.values()) <= (12 if role == "coordinator" else 10), large


def test_my_path_keeps_its_query_count_with_more_invitations(app, login_as, world, query_counter):
    with app.app_context():
        survey = session_survey(world)
        moment = survey.opened_at + timedelta(hours=1)
        db.session.commit()
    url = f"/cohorts/{world['cohort_a']}/my-path"
    with freeze(moment):
        client = login_as("a1")
        one = _count(client, query_counter, url)
        with app.app_context():
            for code in ("S2", "S3"):
                session_survey(world, code=code)
            final_survey(world)
            db.session.commit()
        assert _count(client, query_counter, url) == one
