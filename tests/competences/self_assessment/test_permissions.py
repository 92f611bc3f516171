"""Who opens the self-assessment form, saves in the background, and reads an answer."""

import pytest
from sqlalchemy import func, select

from parcours.competences.models import AssessmentDraft
from parcours.core.extensions import db
from tests.competences.self_assessment.conftest import ROLES, autosave_url, url, view_url

#: Who answers each cohort's campaign: its catalyseurs only.
ANSWERERS = {"a": {"a1", "a1bis", "a2"}, "b": {"b1"}}
SECRET = "Mon commentaire très personnel"


@pytest.mark.parametrize("role", ROLES)
def test_only_the_cohorts_catalyseurs_open_their_form(login_as, campaigns, role):
    client = login_as(role)
    for cohort, campaign_id in campaigns.items():
        status = client.get(url(campaign_id)).status_code
        expected = 200 if role in ANSWERERS[cohort] else 403
        assert status == expected, f"{role} on {cohort}: {status}"


@pytest.mark.parametrize("role", ROLES)
def test_only_catalyseurs_save_and_a_refusal_writes_nothing(app, login_as, campaigns, role):
    client = login_as(role)
    for cohort, campaign_id in campaigns.items():
        data = {"comment": "Brouillon", "version": ""}
        saved = client.post(autosave_url(campaign_id), data=data)
        if role in ANSWERERS[cohort]:
            assert saved.status_code == 200, f"{role}: {saved.status_code}"
            data["version"] = saved.get_json()["version"]
        else:
            assert saved.status_code == 403, f"{role}: {saved.status_code}"
            assert saved.get_json() is None, "a refusal says nothing of the form"
        expected = 302 if role in ANSWERERS[cohort] else 403
        assert client.post(url(campaign_id), data=data).status_code == expected, role
    with app.app_context():
        drafts = db.session.scalar(select(func.count(AssessmentDraft.id)))
    assert drafts == (1 if role in ANSWERERS["a"] | ANSWERERS["b"] else 0)


def test_anonymous_visitors_are_sent_to_login(client, world, t0):
    for target in (url(t0), view_url(t0, world["a1"])):
        response = client.get(target)
        assert response.status_code == 302 and "/login" in response.headers["Location"]
    for target in (url(t0), autosave_url(t0)):
        response = client.post(target, data={"comment": "x"})
        assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_an_unknown_campaign_is_not_found(login_as, world, t0):
    client = login_as("a1")
    assert client.get(url(999999)).status_code == 404
    assert client.post(autosave_url(999999)).status_code == 404
    assert client.get(view_url(999999, world["a1"])).status_code == 404


#: Who reads a1's answer (territory A1, coached by ``coach``), shared or not with a1bis.
READ_A1 = {"a1", "admin", "coordinator", "coach"}


@pytest.mark.parametrize("shared", [False, True])
@pytest.mark.parametrize("role", ROLES)
def test_an_answer_is_read_by_its_author_the_team_and_the_partner_if_shared(
    login_as, world, t0, submit, role, shared
):
    submit(t0, "a1", share=shared, comment=SECRET)
    response = login_as(role).get(view_url(t0, world["a1"]))
    readers = READ_A1 | ({"a1bis"} if shared else set())
    expected = 200 if role in readers else 403
    assert response.status_code == expected, role
    assert (SECRET in response.get_data(as_text=True)) is (expected == 200)


@pytest.mark.parametrize("role", ROLES)
def test_a2s_answer_is_not_the_coach_of_a1s_to_read(login_as, world, t0, submit, role):
    submit(t0, "a2", share=True, comment=SECRET)
    response = login_as(role).get(view_url(t0, world["a2"]))
    expected = 200 if role in {"a2", "admin", "coordinator"} else 403
    assert response.status_code == expected, role
    assert (SECRET in response.get_data(as_text=True)) is (expected == 200)


def test_someone_not_a_participant_of_the_cohort_is_not_found(login_as, world, t0):
    client = login_as("coordinator")
    for other in ("b1", "coach", "committee", "outsider"):
        assert client.get(view_url(t0, world[other])).status_code == 404, other
    assert client.get(view_url(t0, 999999)).status_code == 404
