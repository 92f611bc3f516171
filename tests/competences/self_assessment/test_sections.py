"""Where a catalyseur finds their self-assessment, and what each page costs in queries."""

from sqlalchemy import select

from parcours.accounts.models import User
from parcours.competences import operations as ops
from parcours.competences.models import Assessment, AssessmentCampaign
from parcours.competences.sections import campaign_blocks
from parcours.core.extensions import db
from tests.competences.self_assessment.conftest import ROLES, url, view_url
from tests.conftest import page_text
from tests.forms import form_values


def _blocks(app, world, campaign_id: int, role: str) -> str:
    with app.test_request_context():
        campaign = db.session.get(AssessmentCampaign, campaign_id)
        viewer = db.session.get(User, world[role])
        return " ".join(block.striptags() for block in campaign_blocks(campaign, viewer))


def test_the_campaign_page_tells_a_participant_where_their_answer_stands(
    app, login_as, world, t0, submit
):
    assert "Commencer" in _blocks(app, world, t0, "a1")
    client = login_as("a1")
    form = form_values(client.get(url(t0)), url(t0))
    form["level-D0.1"] = "1"
    form["action"] = "save"
    client.post(url(t0), data=form)
    assert "Reprendre le brouillon" in _blocks(app, world, t0, "a1")
    assert "Commencer" in _blocks(app, world, t0, "a1bis")
    submit(t0, "a2")
    assert "Voir ma réponse" in _blocks(app, world, t0, "a2")
    for role in set(ROLES) - {"a1", "a1bis", "a2"}:
        assert "Mon auto-évaluation" not in _blocks(app, world, t0, role), role


def test_my_path_lists_the_open_campaigns_with_their_close_date(
    login_as, world, campaigns, t0, submit
):
    path = f"/cohorts/{world['cohort_a']}/my-path"
    text = page_text(login_as("a1").get(path))
    assert "Auto-évaluations en cours" in text and "ouverte jusqu'au" in text
    assert "Commencer" in text
    assert f'href="{url(t0)}"' in login_as("a1").get(path).get_data(as_text=True)
    submit(t0, "a1")
    assert "Voir ma réponse" in page_text(login_as("a1").get(path))
    theirs = login_as("b1").get(f"/cohorts/{world['cohort_b']}/my-path").get_data(as_text=True)
    assert f'href="{url(campaigns["b"])}"' in theirs and f'href="{url(t0)}"' not in theirs


def _queries(client, query_counter, target: str) -> int:
    with query_counter:
        response = client.get(target)
    assert response.status_code == 200, target
    return query_counter.count


def test_pages_keep_their_query_count_as_answers_and_entries_grow(
    app, login_as, world, t0, submit, write_entry, query_counter
):
    a1, a1bis = login_as("a1"), login_as("a1bis")
    path = f"/cohorts/{world['cohort_a']}/my-path"
    form = form_values(a1.get(url(t0)), url(t0))
    form["level-D0.1"] = "1"
    form["action"] = "save"
    a1.post(url(t0), data=form)
    write_entry(competences=("D0.1",))
    small = {
        "form": _queries(a1, query_counter, url(t0)),
        "path": _queries(a1, query_counter, path),
    }
    for index in range(12):
        write_entry(competences=("D0.1", "D0.2", "D1.1"), title=f"Entrée {index}")
    form = form_values(a1.get(url(t0)), url(t0))
    codes = [name.removeprefix("comment-") for name in form if name.startswith("comment-")]
    for code in codes:
        form[f"level-{code}"] = "2"
        form[f"comment-{code}"] = "Commentaire"
    form.setlist("evidence-D0.2", form_values(a1.get(url(t0)), url(t0)).getlist("evidence-D0.2"))
    form["action"] = "save"
    assert a1.post(url(t0), data=form).status_code == 302
    large = {
        "form": _queries(a1, query_counter, url(t0)),
        "path": _queries(a1, query_counter, path),
    }
    assert large == small

    submit(t0, "a1bis", share=True)
    one = _queries(a1bis, query_counter, url(t0))
    viewed = _queries(login_as("coordinator"), query_counter, view_url(t0, world["a1bis"]))
    with app.test_request_context():
        for _ in range(3):
            latest = db.session.scalar(select(Assessment).order_by(Assessment.id.desc()).limit(1))
            draft = ops.reopen(latest, by=db.session.get(User, world["coordinator"]))
            ops.submit(draft, by=db.session.get(User, world["a1bis"]))
        db.session.commit()
    assert _queries(a1bis, query_counter, url(t0)) == one
    assert _queries(login_as("coordinator"), query_counter, view_url(t0, world["a1bis"])) == viewed
    print(f"queries: {large}, own answer {one}, coordinator's view {viewed}")
    assert max(*large.values(), one, viewed) <= 15
