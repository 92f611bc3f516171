"""The binôme's consensus: who reads and writes it, sharing, confirming, conflicts."""

import re

import pytest
from sqlalchemy import select

from parcours.accounts.models import User
from parcours.cohorts.models import Territory
from parcours.competences import answers as ans
from parcours.competences import operations as ops
from parcours.competences.models import (
    Assessment,
    AssessmentCampaign,
    AssessmentDraft,
    Viewpoint,
)
from parcours.competences.viewpoints.forms import field_key
from parcours.core.extensions import db
from parcours.core.time import advance
from tests.competences import factories as f
from tests.conftest import ROLES, page_text

WRITERS = {"a1", "a1bis"}
READERS = WRITERS | {"admin", "coordinator", "coach"}


def url(campaign_id, territory_id, suffix=""):
    return f"/auto-evaluations/{campaign_id}/territoires/{territory_id}/consensus{suffix}"


def csrf(client, page):
    html = client.get(page).get_data(as_text=True)
    return dict(re.findall(r'name="(csrf_token|version)" type="hidden" value="([^"]*)"', html))


def items(app, campaign_id):
    with app.test_request_context():
        return ops.items(db.session.get(AssessmentCampaign, campaign_id), Viewpoint.CONSENSUS)


def form_data(app, campaign_id, level="2", **extra):
    data = {f"level_{field_key(item.code)}": level for item in items(app, campaign_id)}
    return {**data, **extra}


def post_form(client, page, data, action=""):
    hidden = csrf(client, page)
    return client.post(page + action, data={**hidden, **data})


def consensus_draft(app, campaign_id, territory_id):
    with app.test_request_context():
        return db.session.scalar(
            select(AssessmentDraft).where(
                AssessmentDraft.campaign_id == campaign_id,
                AssessmentDraft.subject == f"t{territory_id}",
            )
        )


@pytest.mark.parametrize("role", ROLES)
def test_who_reads_and_who_writes_the_consensus(login_as, world, t0, app, role):
    client = login_as(role)
    page = url(t0, world["territory_a1"])
    status = client.get(page).status_code
    assert status == (200 if role in READERS else 403), role
    # A POST without the right comes back 403 before reading anything (no CSRF needed to see it).
    if role not in WRITERS:
        assert client.post(page, data=form_data(app, t0)).status_code == 403
        assert client.post(page + "/confirmer", data={}).status_code == 403
    assert consensus_draft(app, t0, world["territory_a1"]) is None


def test_anonymous_is_sent_to_login(client, world, t0):
    for method in (client.get, client.post):
        response = method(url(t0, world["territory_a1"]))
        assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_single_catalyseur_has_no_consensus(login_as, world, t0):
    client = login_as("a2")
    assert client.get(url(t0, world["territory_a2"])).status_code == 403
    assert client.post(url(t0, world["territory_a2"]), data={}).status_code == 403


def test_a_territory_of_another_cohort_or_unknown_campaign_is_not_found(login_as, world, t0):
    client = login_as("admin")
    assert client.get(url(t0, world["territory_b1"])).status_code == 404
    assert client.get(url(999999, world["territory_a1"])).status_code == 404


def test_the_team_sees_a_draft_only_as_a_state(login_as, world, t0, app):
    page = url(t0, world["territory_a1"])
    a1 = login_as("a1")
    data = form_data(app, t0, comment="Un consensus encore secret")
    assert post_form(a1, page, data).status_code == 302
    response = login_as("coordinator").get(page)
    assert "Le binôme rédige son consensus" in page_text(response)
    assert "Un consensus encore secret" not in response.get_data(as_text=True)
    assert f'action="{page}"' not in response.get_data(as_text=True)


def _self_draft(app, campaign_id, user_id, territory_id, *, share, comment):
    with app.test_request_context():
        campaign = db.session.get(AssessmentCampaign, campaign_id)
        territory = db.session.get(Territory, territory_id)
        answer = f.levels_answer(campaign, Viewpoint.SELF, lambda i, item: 3)
        first = ops.items(campaign, Viewpoint.SELF)[0].code
        answer.ratings[first].comment = comment
        answer.share = share
        ops.save_draft(
            campaign, Viewpoint.SELF, territory, user_id, answer, by=db.session.get(User, user_id)
        )
        db.session.commit()


@pytest.mark.parametrize("share", [False, True])
def test_the_partners_answers_show_only_if_shared(login_as, world, t0, app, share):
    _self_draft(
        app, t0, world["a1bis"], world["territory_a1"], share=share, comment="Note de A1 bis"
    )
    _self_draft(app, t0, world["a1"], world["territory_a1"], share=False, comment="Ma propre note")
    html = login_as("a1").get(url(t0, world["territory_a1"])).get_data(as_text=True)
    text = page_text(login_as("a1").get(url(t0, world["territory_a1"])))
    assert "Ma propre note" in html  # one's own answer, always
    assert ("Note de A1 bis" in html) is share
    assert ("Catalyseur A1 bis :" in text) is share
    assert ("Votre binôme n'a pas partagé ses réponses." in text) is not share


def test_a_submitted_shared_self_assessment_shows_beside_the_consensus(
    login_as, world, t0, app, run
):
    run(lambda: f.submit_self(db.session.get(AssessmentCampaign, t0), world["a1bis"], share=True))
    text = page_text(login_as("a1").get(url(t0, world["territory_a1"])))
    assert "Catalyseur A1 bis : 2 · De plus en plus pratiqué" in text
    # and a1bis, who did not get a1's share, does not see a1's (none yet) nor a made-up one
    text = page_text(login_as("a1bis").get(url(t0, world["territory_a1"])))
    assert "Votre binôme n'a pas partagé ses réponses." in text


def test_confirm_flow_change_after_confirm_and_submission(login_as, world, t0, app):
    page = url(t0, world["territory_a1"])
    a1, a1bis = login_as("a1"), login_as("a1bis")
    assert post_form(a1, page, form_data(app, t0)).status_code == 302
    assert post_form(a1, page, {}, "/confirmer").status_code == 302
    text = page_text(a1bis.get(page))
    assert "Confirmé par Catalyseur A1, en attente de Catalyseur A1 bis." in text
    # A confirming partner cannot confirm twice
    assert post_form(a1, page, {}, "/confirmer").status_code == 400

    # a1bis changes a level: the confirmation goes, and the page says so
    response = post_form(a1bis, page, form_data(app, t0, level="3"))
    assert response.status_code == 302
    assert "la confirmation de Catalyseur A1 est levée" in page_text(a1bis.get(page))
    assert consensus_draft(app, t0, world["territory_a1"]).confirmed_by_id is None

    # Saving the same content again does not clear a confirmation
    assert post_form(a1bis, page, {}, "/confirmer").status_code == 302
    assert post_form(a1bis, page, form_data(app, t0, level="3")).status_code == 302
    assert consensus_draft(app, t0, world["territory_a1"]).confirmed_by_id == world["a1bis"]

    assert post_form(a1, page, {}, "/confirmer").status_code == 302
    with app.test_request_context():
        done = db.session.scalar(select(Assessment).where(Assessment.viewpoint == "consensus"))
        assert done.confirmed_by_id == world["a1bis"] and done.submitted_by_id == world["a1"]
        assert {r.level for r in done.ratings} == {3}
    text = page_text(a1.get(page))
    assert "confirmé par Catalyseur A1 bis et Catalyseur A1" in text
    assert f'action="{page}"' not in a1.get(page).get_data(as_text=True)  # no form
    # then POSTs are refused with a message, nothing written
    response = post_form(a1, page, form_data(app, t0, level="1"))
    assert response.status_code == 400
    assert "déjà envoyée" in page_text(response)
    assert consensus_draft(app, t0, world["territory_a1"]) is None
    # the coach (team) reads the submitted consensus
    assert "3 · Tout à fait ancré" in page_text(login_as("coach").get(page))


def test_confirming_a_stale_version_is_a_conflict(login_as, world, t0, app):
    page = url(t0, world["territory_a1"])
    a1, a1bis = login_as("a1"), login_as("a1bis")
    post_form(a1, page, form_data(app, t0))
    seen = csrf(a1bis, page)  # a1bis reads this version…
    post_form(a1, page, form_data(app, t0, level="0"))  # …a1 changes it meanwhile
    response = a1bis.post(page + "/confirmer", data=seen)
    assert response.status_code == 409
    assert "Le consensus a changé depuis que vous l'avez lu" in page_text(response)
    assert consensus_draft(app, t0, world["territory_a1"]).confirmed_by_id is None


def test_two_partners_saving_at_once_get_the_conflict_page(login_as, world, t0, app):
    page = url(t0, world["territory_a1"])
    a1, a1bis = login_as("a1"), login_as("a1bis")
    post_form(a1, page, form_data(app, t0))
    seen = csrf(a1bis, page)
    post_form(a1, page, form_data(app, t0, level="1"))
    first = items(app, t0)[0]
    response = a1bis.post(page, data={**seen, **form_data(app, t0, level="3")})
    assert response.status_code == 409
    text = page_text(response)
    assert "Quelqu'un d'autre a enregistré une modification" in text
    # per competence: what I typed, then what is stored
    assert (
        f"{first.code} · {first.label} Tout à fait ancré — je peux le transmettre Cela commence"
        in text
    )
    html = response.get_data(as_text=True)
    key = field_key(first.code)
    assert re.search(rf'checked[^>]*name="level_{key}"[^>]*value="3"', html), "typed kept"
    stored = ans.from_data(consensus_draft(app, t0, world["territory_a1"]).data)
    assert {r.level for r in stored.ratings.values()} == {1}


def test_bad_input_is_a_400_not_a_500(login_as, world, t0, app):
    page = url(t0, world["territory_a1"])
    a1 = login_as("a1")
    first = field_key(items(app, t0)[0].code)
    response = post_form(a1, page, {f"level_{first}": "9"})
    assert response.status_code == 400
    response = post_form(a1, page, {f"comment_{first}": "x" * (ans.COMMENT_MAX + 1)})
    assert response.status_code == 400
    # confirming an incomplete draft: AnswerRefused, as a message
    assert post_form(a1, page, {f"level_{first}": "1"}).status_code == 302
    response = post_form(a1, page, {}, "/confirmer")
    assert response.status_code == 400 and "Il manque" in page_text(response)
    assert consensus_draft(app, t0, world["territory_a1"]).confirmed_by_id is None


def test_a_closed_campaign_takes_no_consensus(login_as, world, t0, app, mid_window):
    page = url(t0, world["territory_a1"])
    a1 = login_as("a1")
    hidden = csrf(a1, page)
    advance(mid_window)
    response = a1.get(page)
    assert "Cette campagne est close" in page_text(response)
    assert f'action="{page}"' not in response.get_data(as_text=True)
    response = a1.post(page, data={**hidden, **form_data(app, t0)})
    assert response.status_code == 400 and "Cette campagne est close" in page_text(response)
    assert consensus_draft(app, t0, world["territory_a1"]) is None
