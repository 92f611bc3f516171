"""The self-assessment form without JavaScript, in the background, and once sent."""

import re
from datetime import timedelta

from sqlalchemy import func, select

from parcours.accounts.models import User
from parcours.competences import answers as ans
from parcours.competences import operations as ops
from parcours.competences.models import (
    Assessment,
    AssessmentCampaign,
    AssessmentDraft,
    AssessmentEvidence,
    AssessmentRating,
)
from parcours.core.extensions import db
from parcours.core.time import freeze
from parcours.suivi.models import FormDraft
from tests.competences import factories as f
from tests.competences.self_assessment.conftest import autosave_url, url, view_url
from tests.conftest import login, page_text
from tests.forms import form_values

COMPETENCES = 34


def _form(client, campaign_id: int):
    response = client.get(url(campaign_id))
    assert response.status_code == 200
    return form_values(response, url(campaign_id))


def _all_levels(form, level="2"):
    codes = [name.removeprefix("comment-") for name in form if name.startswith("comment-")]
    for code in codes:
        form[f"level-{code}"] = level
    return codes


def _draft(app):
    with app.app_context():
        draft = db.session.scalar(select(AssessmentDraft))
        return None if draft is None else (draft.version, ans.from_data(draft.data))


def _count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def test_the_form_has_a_fieldset_per_competence_with_every_level_labelled(login_as, t0):
    html = login_as("a1").get(url(t0)).get_data(as_text=True)
    fieldsets = re.findall(r'<fieldset class="self-assessment-competence[^"]*" id="([^"]+)"', html)
    assert len(fieldsets) == COMPETENCES
    assert html.count('<legend><span class="referential-code">') == COMPETENCES
    radios = re.findall(r'<input type="radio" id="([^"]+)" name="level-([^"]+)"', html)
    assert len(radios) == COMPETENCES * 5  # four levels and « je ne sais pas »
    for radio_id, _code in radios:
        assert f'<label for="{radio_id}">' in html, radio_id
    for field in re.findall(r'<(?:input type="(?:url|text|checkbox)"|textarea) id="([^"]+)"', html):
        assert f'<label for="{field}">' in html, field
    text = page_text(login_as("a1").get(url(t0)))
    assert "0 — Pas encore Je ne pratique pas encore cette compétence." in text
    assert "Enregistrer le brouillon" in text and "Envoyer" in text
    assert 'aria-live="polite"' in html and "js/autosave.js" in html and "<script>" not in html


def test_sharing_is_offered_to_a_binome_only(login_as, t0):
    assert "Permettre à mon binôme de voir mes réponses" in page_text(login_as("a1").get(url(t0)))
    assert "Permettre à mon binôme" not in page_text(login_as("a2").get(url(t0)))


def test_a_draft_is_saved_without_javascript_and_shown_again(app, login_as, t0):
    client = login_as("a1")
    form = _form(client, t0)
    form["level-D0.1"] = "3"
    form["level-D0.2"] = "unknown"
    form["comment-D0.1"] = "Diagnostic partagé avec la mairie"
    form["comment"] = "Premier jet"
    form["share"] = "y"
    form["action"] = "save"
    response = client.post(url(t0), data=form)
    assert response.status_code == 302
    version, answer = _draft(app)
    assert answer.rating("D0.1").level == 3 and answer.rating("D0.2").unknown
    assert answer.rating("D0.1").comment == "Diagnostic partagé avec la mairie"
    assert answer.comment == "Premier jet" and answer.share is True
    again = _form(client, t0)
    assert again["level-D0.1"] == "3" and again["level-D0.2"] == "unknown"
    assert again["comment"] == "Premier jet" and again["version"] == str(version)
    assert _count(app, Assessment) == 0


def test_the_background_save_answers_json_with_the_new_version(app, login_as, t0):
    client = login_as("a1")
    form = _form(client, t0)
    form["level-D0.1"] = "1"
    first = client.post(autosave_url(t0), data=form)
    assert first.status_code == 200
    body = first.get_json()
    assert re.fullmatch(r"Brouillon enregistré à \d\d:\d\d", body["message"])
    assert body["version"] == _draft(app)[0]
    form["version"] = str(body["version"])
    form["level-D0.1"] = "2"
    second = client.post(autosave_url(t0), data=form).get_json()
    assert second["version"] == body["version"] + 1
    assert _draft(app)[1].rating("D0.1").level == 2


def test_a_second_tab_meets_a_conflict_not_an_overwrite(app, login_as, t0):
    client = login_as("a1")
    stale = _form(client, t0)  # the first tab, rendered before any draft
    fresh = dict(stale)
    fresh["level-D0.1"] = "3"
    assert client.post(autosave_url(t0), data=fresh).status_code == 200
    stale["level-D0.1"] = "0"
    refused = client.post(autosave_url(t0), data=stale)
    assert refused.status_code == 409 and "entre-temps" in refused.get_json()["error"]
    stale["action"] = "save"
    page = client.post(url(t0), data=stale)
    assert page.status_code == 409
    text = page_text(page)
    assert "Quelqu'un d'autre a enregistré une modification entre-temps" in text
    assert "0 — Pas encore" in text  # what this tab typed, beside what is stored
    kept = form_values(page, url(t0))
    assert kept["level-D0.1"] == "0", "the form keeps what was typed"
    assert kept["version"] == str(_draft(app)[0]), "and now carries the stored version"
    assert _draft(app)[1].rating("D0.1").level == 3, "nothing overwritten"
    assert client.post(url(t0), data=kept).status_code == 302, "saving again is deliberate"
    assert _draft(app)[1].rating("D0.1").level == 0


def test_an_incomplete_submission_keeps_everything_and_says_what_is_missing(app, login_as, t0):
    client = login_as("a1")
    form = _form(client, t0)
    codes = _all_levels(form)
    del form[f"level-{codes[3]}"]
    form["comment-D0.1"] = "Texte précieux"
    form["comment"] = "Ensemble"
    form["action"] = "submit"
    response = client.post(url(t0), data=form)
    assert response.status_code == 422
    text = page_text(response)
    assert "Il manque 1 réponse(s)" in text
    assert f"Sans réponse : {codes[3]}" in text
    kept = form_values(response, url(t0))
    assert kept["comment-D0.1"] == "Texte précieux" and kept["comment"] == "Ensemble"
    assert kept[f"level-{codes[0]}"] == "2" and f"level-{codes[3]}" not in kept
    assert _count(app, Assessment) == 0


def test_a_submitted_answer_is_read_only_and_a_post_is_refused(app, login_as, world, t0):
    client = login_as("a1")
    form = _form(client, t0)
    _all_levels(form, "3")
    form["level-D0.2"] = "unknown"
    form["comment-D0.1"] = "Je co-anime le comité local"
    form["action"] = "submit"
    assert client.post(url(t0), data=form).status_code == 302
    assert _count(app, Assessment) == 1 and _count(app, AssessmentDraft) == 0
    page = client.get(url(t0))
    text = page_text(page)
    assert "Envoyée le" in text and "Version 1, envoyée le" in text
    assert "D0.1 Je sais identifier" in text and "3 — Tout à fait ancré" in text
    assert "Je co-anime le comité local" in text and "Je ne sais pas" in text
    assert 'type="radio"' not in page.get_data(as_text=True)
    for target in (url(t0), autosave_url(t0)):
        refused = client.post(target, data=form)
        assert refused.status_code == 409
    assert "déjà envoyée" in page_text(client.post(url(t0), data=form))
    assert _count(app, Assessment) == 1 and _count(app, AssessmentDraft) == 0


def test_a_closed_campaign_takes_no_answer(app, login_as, world, t0):
    client = login_as("a1")
    form = _form(client, t0)
    form["level-D0.1"] = "2"
    with app.app_context():
        campaign = db.session.get(AssessmentCampaign, t0)
        with freeze(campaign.event.ends_at + timedelta(minutes=1)):
            assert "Cette campagne est close" in page_text(client.get(url(t0)))
            for target in (url(t0), autosave_url(t0)):
                assert client.post(target, data=form).status_code == 409
    assert _count(app, AssessmentDraft) == 0


def test_evidence_comes_from_my_readable_entries_only(app, login_as, world, t0, write_entry):
    mine = write_entry(title="Atelier des acteurs")
    other = write_entry(territory="territory_a2", author="a2", title="Chez A2")
    client = login_as("a1")
    page = client.get(url(t0))
    text = page_text(page)
    assert "Atelier des acteurs (carnet, 20 mars 2026)" in text and "Chez A2" not in text
    form = form_values(page, url(t0))
    form["evidence-D0.1"] = f"journal:{mine}"
    form["link_url-D0.1"] = "https://example.org/compte-rendu"
    form["link_title-D0.1"] = "Compte rendu public"
    form["action"] = "save"
    assert client.post(url(t0), data=form).status_code == 302
    evidence = _draft(app)[1].rating("D0.1").evidence
    assert [(e.kind, e.id, e.title) for e in evidence] == [
        ("journal", mine, "Atelier des acteurs (carnet, 20 mars 2026)"),
        ("link", None, "Compte rendu public"),
    ]
    version = _draft(app)[0]
    for forged in (f"journal:{other}", "visit:1", f"journal:{mine}x"):
        attempt = _form(client, t0)
        attempt["evidence-D0.1"] = forged
        attempt["action"] = "save"
        response = client.post(url(t0), data=attempt)
        assert response.status_code == 422, forged
        assert "cette preuve ne fait pas partie" in page_text(response)
    assert _draft(app)[0] == version, "nothing saved"


def test_a_free_link_must_be_a_web_address(app, login_as, t0):
    client = login_as("a1")
    for bad in ("javascript:alert(1)", "example.org", "https://", "ftp://example.org"):
        form = _form(client, t0)
        form["link_url-D0.1"] = bad
        form["comment"] = "gardé"
        form["action"] = "save"
        response = client.post(url(t0), data=form)
        assert response.status_code == 422, bad
        assert "le lien doit être une adresse web complète" in page_text(response)
        assert form_values(response, url(t0))["link_url-D0.1"] == bad
        json = client.post(autosave_url(t0), data=form)
        assert json.status_code == 422 and "adresse web" in json.get_json()["error"]
    assert _count(app, AssessmentDraft) == 0


def test_the_previous_moments_level_is_shown_beside_each_competence(
    app, login_as, world, t0, submit
):
    submit(t0, "a1", lambda i, item: None if i == 1 else 3 if i == 0 else 1)
    with app.test_request_context():
        mid_time = f.inside(world["cohort_a"], "MID")
    with freeze(mid_time):
        with app.test_request_context():
            mid = f.open_campaign(world["cohort_a"], "MID", world["coordinator"])
            db.session.commit()
            mid_id, t0_title = mid.id, db.session.get(AssessmentCampaign, t0).title
        text = page_text(login_as("a1").get(url(mid_id)))
        assert f"À « {t0_title} » : 3 — Tout à fait ancré" in text
        assert f"À « {t0_title} » : Je ne sais pas" in text
        assert text.count(f"À « {t0_title} » :") == COMPETENCES
        assert f"À « {t0_title} »" not in page_text(login_as("a2").get(url(mid_id)))
    assert f"À « {t0_title} »" not in page_text(login_as("a2").get(url(t0)))


def test_a_reopened_answer_is_a_form_again_and_its_history_names_who_reopened(
    app, login_as, world, t0, submit
):
    first = submit(t0, "a1")
    with app.test_request_context():
        ops.reopen(db.session.get(Assessment, first), by=db.session.get(User, world["coordinator"]))
        db.session.commit()
    client = login_as("a1")
    form = _form(client, t0)
    assert form["level-D0.1"] == "2", "the reopened draft holds what was sent"
    form["level-D0.1"] = "3"
    form["action"] = "submit"
    assert client.post(url(t0), data=form).status_code == 302
    text = page_text(client.get(view_url(t0, world["a1"])))
    assert "Version 2, envoyée le" in text
    assert "après réouverture par Coordination A" in text and "Version 1, envoyée le" in text
    assert _count(app, Assessment) == 2


def test_a_form_posted_after_the_session_expired_comes_back_after_login(app, login_as, t0):
    form = _form(login_as("a1"), t0)
    form["comment"] = "Une longue réflexion " * 50
    form["level-D0.1"] = "1"
    expired = app.test_client()
    response = expired.post(url(t0), data=form)
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert _count(app, FormDraft) == 1 and _count(app, AssessmentDraft) == 0
    assert "Une longue réflexion" not in page_text(login_as("a1bis").get(url(t0)))
    login(expired, "a1@example.org")
    page = expired.get(url(t0))
    assert "affiché à nouveau" in page_text(page)
    restored = form_values(page, url(t0))
    assert restored["comment"].strip() == form["comment"].strip()
    assert restored["level-D0.1"] == "1"
    restored["action"] = "save"
    assert expired.post(url(t0), data=restored).status_code == 302
    assert _draft(app)[1].rating("D0.1").level == 1
    assert _count(app, FormDraft) == 0, "saved: forgotten"


def test_a_background_save_after_the_session_expired_is_kept_too(app, login_as, t0):
    form = _form(login_as("a1"), t0)
    form["comment"] = "Tapé pendant la pause"
    response = app.test_client().post(autosave_url(t0), data=form)
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert _count(app, FormDraft) == 1


def test_submitted_ratings_and_evidence_are_the_form_s(app, login_as, world, t0, write_entry):
    entry = write_entry(title="Atelier")
    client = login_as("a2")
    entry_a2 = write_entry(territory="territory_a2", author="a2", title="Diagnostic A2")
    form = _form(client, t0)
    _all_levels(form, "1")
    form["evidence-D0.1"] = f"journal:{entry_a2}"
    form["action"] = "submit"
    assert client.post(url(t0), data=form).status_code == 302
    with app.app_context():
        assert db.session.scalar(select(func.count(AssessmentRating.id))) == COMPETENCES
        row = db.session.scalar(select(AssessmentEvidence))
        assert row.journal_entry_id == entry_a2 and row.journal_entry_id != entry
        assert row.title.startswith("Diagnostic A2")


def test_both_saves_need_the_forms_token(app, login_as, t0, monkeypatch):
    client = login_as("a1")
    form = _form(client, t0)
    form["level-D0.1"] = "2"
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    forged = {key: value for key, value in form.items() if key != "draft_token"}
    for target in (url(t0), autosave_url(t0)):
        assert client.post(target, data=forged).status_code == 400, target
    assert _count(app, AssessmentDraft) == 0 and _count(app, FormDraft) == 0
    # A token of an earlier session (logged in again since, in another tab): the text is
    # kept for its author and the form opens again with it, as the suivi forms do.
    stale = client.post(url(t0), data=form)
    assert stale.status_code == 302 and stale.headers["Location"].endswith(url(t0))
    assert _count(app, AssessmentDraft) == 0 and _count(app, FormDraft) == 1
    page = client.get(url(t0))
    form = form_values(page, url(t0))
    assert form["csrf_token"], "the form carries its token"
    form["level-D0.1"] = "2"
    saved = client.post(autosave_url(t0), data=form)
    assert saved.status_code == 200 and _count(app, AssessmentDraft) == 1
