"""The coach's appréciation, and the entry points of both viewpoints."""

import re

import pytest
from sqlalchemy import select

from parcours.accounts.models import User
from parcours.cohorts import operations as cohort_ops
from parcours.cohorts.models import Cohort, Territory
from parcours.competences import operations as ops
from parcours.competences.models import Assessment, AssessmentCampaign, Viewpoint
from parcours.competences.sections import campaign_blocks
from parcours.competences.viewpoints.forms import field_key
from parcours.core.extensions import db
from parcours.core.time import advance
from tests.competences import factories as f
from tests.conftest import ROLES, page_text

READERS_A1 = {"admin", "coordinator", "coach", "a1", "a1bis"}
READERS_A2 = {"admin", "coordinator", "a2"}


def url(campaign_id, territory_id):
    return f"/auto-evaluations/{campaign_id}/territoires/{territory_id}/appreciation"


def hidden(client, page):
    html = client.get(page).get_data(as_text=True)
    return dict(re.findall(r'name="(csrf_token|version)" type="hidden" value="([^"]*)"', html))


def domain_levels(app, campaign_id, level="2"):
    with app.test_request_context():
        campaign = db.session.get(AssessmentCampaign, campaign_id)
        items = ops.items(campaign, Viewpoint.COACH)
    return {f"level_{field_key(item.code)}": level for item in items}


def submitted(app, subject):
    with app.test_request_context():
        return db.session.scalar(select(Assessment).where(Assessment.subject == subject))


@pytest.mark.parametrize("role", ROLES)
def test_who_reads_and_who_writes_the_appraisal(login_as, world, t0, app, role):
    client = login_as(role)
    for territory, readers in (("territory_a1", READERS_A1), ("territory_a2", READERS_A2)):
        page = url(t0, world[territory])
        status = client.get(page).status_code
        assert status == (200 if role in readers else 403), (role, territory)
        if not (role == "coach" and territory == "territory_a1"):
            data = {**domain_levels(app, t0), "action": "submit"}
            assert client.post(page, data=data).status_code == 403
    assert submitted(app, f"k{world['territory_a1']}") is None


def test_anonymous_and_other_cohort(client, login_as, world, t0):
    response = client.get(url(t0, world["territory_a1"]))
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert login_as("admin").get(url(t0, world["territory_b1"])).status_code == 404


def test_draft_then_send_and_the_reference_is_a_mean_beside_it(login_as, world, t0, app, run):
    campaign = lambda: db.session.get(AssessmentCampaign, t0)  # noqa: E731
    # The binôme's consensus: D0's competences at 1, 2, 2, 3, « je ne sais pas » → mean 2.0
    run(
        lambda: f.submit_territory(
            campaign(),
            Viewpoint.CONSENSUS,
            world["territory_a1"],
            (world["a1"], world["a1bis"]),
            lambda i, item: [1, 2, 2, 3, None][i] if i < 5 else 1,
        )
    )
    coach = login_as("coach")
    page = url(t0, world["territory_a1"])
    text = page_text(coach.get(page))
    assert "Consensus du binôme — moyenne des compétences : 2,0" in text
    assert "Consensus du binôme — moyenne des compétences : 1,0" in text  # D1

    data = {**hidden(coach, page), **domain_levels(app, t0, "3"), "comment_D0": "Très bon"}
    assert coach.post(page, data={**data, "action": "save"}).status_code == 302
    assert submitted(app, f"k{world['territory_a1']}") is None
    # the binôme does not read a draft
    assert "Très bon" not in login_as("a1").get(page).get_data(as_text=True)

    data = {**hidden(coach, page), **domain_levels(app, t0, "3"), "comment_D0": "Très bon"}
    assert coach.post(page, data={**data, "action": "submit"}).status_code == 302
    sent = submitted(app, f"k{world['territory_a1']}")
    assert sent.viewpoint == "coach" and sent.submitted_by_id == world["coach"]
    with app.test_request_context():
        sent = db.session.get(Assessment, sent.id)
        assert {r.code: r.level for r in sent.ratings}["D0"] == 3  # never the mean
    text = page_text(login_as("a1").get(page))
    assert "Appréciation envoyée le" in text and "Très bon" in text
    # sent: no form, POSTs refused with a message
    response = coach.post(page, data={**data, "action": "save"})
    assert response.status_code == 400 and "déjà envoyée" in page_text(response)


def test_a_single_catalyseur_self_assessment_is_the_reference(
    login_as, world, t0, app, run, create_user
):
    coach2 = create_user("coach2@example.org", "Coach Deux")

    def setup():
        cohort = db.session.get(Cohort, world["cohort_a"])
        user = db.session.get(User, coach2)
        cohort_ops.add_member(
            cohort,
            role="coach",
            email=user.email,
            full_name=user.full_name,
            organisation="",
            invited_by=db.session.get(User, world["coordinator"]),
        )
        cohort_ops.assign_coach(db.session.get(Territory, world["territory_a2"]), user)
        f.submit_self(db.session.get(AssessmentCampaign, t0), world["a2"], lambda i, item: 3)

    run(setup)
    client = login_as("coach")  # the coach of A1 is refused on A2
    assert client.get(url(t0, world["territory_a2"])).status_code == 403
    from tests.conftest import login

    other = app.test_client()
    login(other, "coach2@example.org")
    text = page_text(other.get(url(t0, world["territory_a2"])))
    assert "Auto-évaluation de Catalyseur A2 — moyenne des compétences : 3,0" in text


def test_incomplete_or_bad_appraisal_is_a_400(login_as, world, t0, app):
    coach = login_as("coach")
    page = url(t0, world["territory_a1"])
    response = coach.post(page, data={**hidden(coach, page), "level_D0": "2", "action": "submit"})
    assert response.status_code == 400 and "Il manque" in page_text(response)
    response = coach.post(page, data={**hidden(coach, page), "level_D0": "x", "action": "save"})
    assert response.status_code == 400
    assert submitted(app, f"k{world['territory_a1']}") is None


def test_closed_campaign_takes_no_appraisal(login_as, world, t0, app, mid_window):
    coach = login_as("coach")
    page = url(t0, world["territory_a1"])
    data = {**hidden(coach, page), **domain_levels(app, t0), "action": "save"}
    advance(mid_window)
    assert "Cette campagne est close" in page_text(coach.get(page))
    response = coach.post(page, data=data)
    assert response.status_code == 400 and "close" in page_text(response)


def test_the_consensus_and_the_appraisal_are_two_answers(world, t0, app, run):
    """One territory, both viewpoints drafted: neither takes the other's place."""
    campaign = lambda: db.session.get(AssessmentCampaign, t0)  # noqa: E731
    run(
        lambda: f.submit_territory(
            campaign(), Viewpoint.COACH, world["territory_a1"], (world["coach"],)
        )
    )
    run(
        lambda: f.submit_territory(
            campaign(), Viewpoint.CONSENSUS, world["territory_a1"], (world["a1"], world["a1bis"])
        )
    )
    with app.test_request_context():
        rows = db.session.scalars(select(Assessment.viewpoint).order_by(Assessment.id)).all()
    assert rows == ["coach", "consensus"]


# -- Entry points -------------------------------------------------------------------------


def _blocks(app, t0, user_id):
    with app.test_request_context():
        from flask_login import login_user

        user = db.session.get(User, user_id)
        login_user(user)
        return "\n".join(campaign_blocks(db.session.get(AssessmentCampaign, t0), user))


def test_the_campaign_page_blocks(world, t0, app):
    assert "Rédiger le consensus à deux" in _blocks(app, t0, world["a1"])
    assert "il n'y a pas de consensus de binôme" in _blocks(app, t0, world["a2"])
    coach = _blocks(app, t0, world["coach"])
    assert "Territoire A1" in coach and "Territoire A2" not in coach
    assert "Catalyseur A1 bis : Pas commencé" in coach
    for role in ("committee", "outsider", "b1", "coordinator_b"):
        # Other features may give them blocks (the cohort's figures): none of these two.
        assert "viewpoint-block" not in _blocks(app, t0, world[role]), role


def test_my_path_and_my_territories_list_what_is_to_do(login_as, world, t0, app, run):
    path = f"/cohorts/{world['cohort_a']}/my-path"
    assert "Consensus à convenir avec votre binôme" in page_text(login_as("a1").get(path))
    assert "Consensus à convenir" not in page_text(login_as("a2").get(path))
    mine = f"/cohorts/{world['cohort_a']}/my-territories"
    assert "Appréciations à enregistrer Territoire A1" in page_text(login_as("coach").get(mine))
    run(
        lambda: f.submit_territory(
            db.session.get(AssessmentCampaign, t0),
            Viewpoint.COACH,
            world["territory_a1"],
            (world["coach"],),
        )
    )
    assert "Appréciations à enregistrer" not in page_text(login_as("coach").get(mine))


def test_query_counts_do_not_grow(login_as, world, t0, app, run, query_counter):
    a1, coach = login_as("a1"), login_as("coach")
    pages = [
        (a1, f"/auto-evaluations/{t0}/territoires/{world['territory_a1']}/consensus"),
        (coach, url(t0, world["territory_a1"])),
        (a1, f"/cohorts/{world['cohort_a']}/my-path"),
        (coach, f"/cohorts/{world['cohort_a']}/my-territories"),
    ]

    def counts():
        found = []
        for client, page in pages:
            client.get(page)  # warm
            with query_counter:
                assert client.get(page).status_code == 200
            found.append(query_counter.count)
        return found

    campaign = lambda: db.session.get(AssessmentCampaign, t0)  # noqa: E731
    run(lambda: f.submit_self(campaign(), world["a1bis"], share=True))
    before = counts()
    run(lambda: f.submit_self(campaign(), world["a1"]))
    run(lambda: f.submit_self(campaign(), world["a2"]))
    assert counts() == before
