"""Campaign pages and actions, for every role of ``world``: who may, who may not, and no leak."""

import pytest
from sqlalchemy import func, select

from parcours.competences.models import (
    AssessmentCampaign,
    AssessmentDraft,
    CampaignMailing,
)
from parcours.core.extensions import db
from parcours.core.time import freeze
from tests.competences.factories import moment_event, submit_self
from tests.conftest import ROLES, page_text

SEERS = {"admin", "coordinator", "coach", "a1", "a1bis", "a2"}
RUNNERS = {"admin", "coordinator"}


@pytest.mark.parametrize("role", ROLES)
def test_the_list_is_read_by_the_cohort_but_not_its_committee(login_as, world, role, t0, t0_time):
    with freeze(t0_time):
        client = login_as(role)
        response = client.get(f"/cohorts/{world['cohort_a']}/auto-evaluations")
        assert response.status_code == (200 if role in SEERS else 403), role
        text = page_text(response)
        if role in SEERS:
            assert "ouverte jusqu'au" in text
            assert "à venir" in text  # MID and END
            assert "0 sur 3" in text  # three catalyseurs in cohort A, none has answered
            assert ("Ouvrir maintenant" in text) is (role in RUNNERS)
        else:
            assert "Auto-évaluations" not in text


@pytest.mark.parametrize("role", ROLES)
def test_cohort_b_list_is_its_own(login_as, world, role):
    status = login_as(role).get(f"/cohorts/{world['cohort_b']}/auto-evaluations").status_code
    assert status == (200 if role in {"admin", "coordinator_b", "b1"} else 403), role


@pytest.mark.parametrize("role", ROLES)
def test_the_campaign_page_and_its_follow_up(app, login_as, world, role, t0, t0_time):
    with freeze(t0_time):
        with app.test_request_context():
            submit_self(db.session.get(AssessmentCampaign, t0), world["a2"])
            db.session.commit()
        response = login_as(role).get(f"/auto-evaluations/{t0}")
    assert response.status_code == (200 if role in SEERS else 403), role
    text = page_text(response)
    if role in RUNNERS:
        assert "Suivi de la campagne" in text
        assert "1 envoyée sur 3 · 0 brouillon · 0 rouverte · 2 pas commencées" in text
        assert "Catalyseur A2 envoyée version 1" in text
        assert "Catalyseur A1 pas commencée" in text
        assert "Prolonger" in text and "Clore maintenant" in text
    else:
        assert "Suivi de la campagne" not in text
        assert "Prolonger" not in text
        if role != "a2":
            assert "Catalyseur A2" not in text  # nobody else learns who has answered


def test_anonymous_visitors_are_sent_to_login(client, world, t0, t0_event_id):
    urls = [
        ("get", f"/cohorts/{world['cohort_a']}/auto-evaluations"),
        ("get", f"/auto-evaluations/{t0}"),
        ("post", f"/cohorts/{world['cohort_a']}/auto-evaluations/{t0_event_id}/ouvrir"),
        ("post", f"/auto-evaluations/{t0}/prolonger"),
        ("post", f"/auto-evaluations/{t0}/clore"),
        ("post", f"/auto-evaluations/{t0}/relancer"),
        ("post", f"/auto-evaluations/{t0}/reponses/1/rouvrir"),
    ]
    for method, url in urls:
        response = getattr(client, method)(url)
        assert response.status_code == 302, url
        assert "/login" in response.headers["Location"]


def test_unknown_objects_are_not_found(app, login_as, world, t0, t0_event_id):
    client = login_as("admin")
    assert client.get("/auto-evaluations/999999").status_code == 404
    assert client.get("/cohorts/999999/auto-evaluations").status_code == 404
    # T0 of cohort A is not a moment of cohort B.
    wrong = f"/cohorts/{world['cohort_b']}/auto-evaluations/{t0_event_id}/ouvrir"
    assert client.post(wrong).status_code == 404
    assert client.post(f"/auto-evaluations/{t0}/reponses/999999/rouvrir").status_code == 404


def _mailings(app, campaign_id):
    with app.app_context():
        return db.session.scalar(
            select(func.count(CampaignMailing.id)).where(CampaignMailing.campaign_id == campaign_id)
        )


@pytest.mark.parametrize("role", sorted(set(ROLES) - RUNNERS))
def test_only_coordinators_act_on_a_campaign(app, login_as, world, role, t0, t0_time, outbox):
    with freeze(t0_time):
        with app.test_request_context():
            campaign = db.session.get(AssessmentCampaign, t0)
            answer_id = submit_self(campaign, world["a1"]).id
            version, ends_at = campaign.version, campaign.event.ends_at
            mid_event = moment_event(world["cohort_a"], "MID").id
            db.session.commit()
        before = _mailings(app, t0)
        client = login_as(role)
        posts = [
            (f"/cohorts/{world['cohort_a']}/auto-evaluations/{mid_event}/ouvrir", {}),
            (f"/auto-evaluations/{t0}/prolonger", {"version": version, "last_day": "2026-05-30"}),
            (f"/auto-evaluations/{t0}/clore", {"version": version}),
            (f"/auto-evaluations/{t0}/relancer", {}),
            (f"/auto-evaluations/{t0}/reponses/{answer_id}/rouvrir", {}),
        ]
        for url, data in posts:
            assert client.post(url, data=data).status_code == 403, (role, url)
        with app.app_context():
            mid = db.session.scalar(
                select(AssessmentCampaign.id).where(AssessmentCampaign.moment_code == "MID")
            )
            assert mid is None
            campaign = db.session.get(AssessmentCampaign, t0)
            assert (campaign.version, campaign.event.ends_at, campaign.closed_at) == (
                version,
                ends_at,
                None,
            )
            assert db.session.scalar(select(func.count(AssessmentDraft.id))) == 0
    assert _mailings(app, t0) == before
    assert outbox == []
