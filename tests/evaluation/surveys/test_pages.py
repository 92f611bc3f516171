"""A cohort's surveys, a survey's management, its results and its exports: who, what, errors."""

import csv
import io
import re
from datetime import timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from parcours.accounts.models import User
from parcours.core.extensions import db
from parcours.core.time import freeze
from parcours.evaluation.models import Consent, Survey, SurveyQuestion
from tests.conftest import page_text
from tests.evaluation.factories import after, prepared, session_event
from tests.evaluation.surveys.helpers import (
    FINAL_OPENED,
    final_survey,
    respond,
    session_survey,
)

REFUSED = ["coach", "a1", "a2", "coordinator_b", "b1", "outsider"]


def _commit(app, build):
    with app.app_context():
        value = build()
        db.session.commit()
        return value


@pytest.fixture
def answered_s1(app, world):
    """S1's anonymous survey with 5 responses (one a formula), closed; its id."""

    def build():
        survey = session_survey(world)
        for point, keep in (
            (4, '=HYPERLINK("x")'),
            (3, "Atelier"),
            (4, "Binômes"),
            (2, "Café"),
            (3, "Visite"),
        ):
            respond(survey, {"SATISFACTION": point, "GARDER": keep, "FORMAT": ["oui"]})
        survey.closed_at = survey.opened_at + timedelta(days=2)
        return survey.id

    return _commit(app, build)


@pytest.fixture
def few_s1(app, world):
    def build():
        survey = session_survey(world)
        for point in (4, 3):
            respond(survey, {"SATISFACTION": point, "GARDER": "Tout"})
        return survey.id

    return _commit(app, build)


# -- The cohort's surveys ---------------------------------------------------------------------


def test_the_list_shows_one_line_per_session_and_the_final_one(app, login_as, world, answered_s1):
    response = login_as("coordinator").get(f"/cohorts/{world['cohort_a']}/questionnaires")
    text = page_text(response)
    assert response.status_code == 200
    assert text.count("Questionnaire à chaud —") == 4  # S1–S4
    assert "Évaluation de fin de parcours" in text
    assert "5 réponses sur 2 invités" in text and "clos" in text
    assert text.count("Préparer") == 4  # S2–S4 and the final one
    assert f"/questionnaires/{answered_s1}/resultats" in response.get_data(as_text=True)


def test_the_committee_reads_the_list_without_actions(login_as, world, answered_s1):
    response = login_as("committee").get(f"/cohorts/{world['cohort_a']}/questionnaires")
    assert response.status_code == 200
    assert "Préparer" not in page_text(response) and "Gérer" not in page_text(response)
    assert "Résultats" in page_text(response)


@pytest.mark.parametrize("role", REFUSED)
def test_others_do_not_read_the_list(login_as, world, role):
    assert login_as(role).get(f"/cohorts/{world['cohort_a']}/questionnaires").status_code == 403


def test_anonymous_visitors_go_to_login(client, world):
    response = client.get(f"/cohorts/{world['cohort_a']}/questionnaires")
    assert response.status_code == 302 and "/login" in response.location


def test_a_curriculum_without_survey_templates_says_so(app, login_as, world, monkeypatch):
    from parcours.cohorts.models import Cohort

    monkeypatch.setattr(Cohort, "curriculum", property(lambda self: _NoSurveys(self)))
    response = login_as("coordinator").get(f"/cohorts/{world['cohort_a']}/questionnaires")
    assert "ne prévoit aucun questionnaire" in page_text(response)


class _NoSurveys:
    def __init__(self, cohort):
        self._document = cohort.curriculum_version.document

    def __getattr__(self, name):
        return [] if name == "surveys" else getattr(self._document, name)


def test_a_coordinator_prepares_a_session_survey_in_advance(app, login_as, world):
    with app.app_context():
        event_id = session_event(world["cohort_a"], "S2").id
    client = login_as("coordinator")
    url = f"/cohorts/{world['cohort_a']}/questionnaires/preparer"
    response = client.post(url, data={"template": "A_CHAUD", "event": str(event_id)})
    assert response.status_code == 302 and response.location.endswith("/gestion")
    final = client.post(url, data={"template": "EVAL_FINALE"})
    assert final.status_code == 302
    with app.app_context():
        keys = set(db.session.scalars(select(Survey.key)))
        assert keys == {f"A_CHAUD@{event_id}", "EVAL_FINALE"}
    for bad in (
        {"template": "A_CHAUD"},
        {"template": "NOPE"},
        {"template": "A_CHAUD", "event": "x"},
        {"template": "EVAL_FINALE", "event": str(event_id)},
        {"template": "A_CHAUD", "event": "²"},  # a digit to isdigit(), not to int()
        {"template": "A_CHAUD", "event": "99999999999999999999"},  # beyond any id
    ):
        refused = client.post(url, data=bad)
        assert refused.status_code == 400, bad
        # A page that says why and leads back (a browser follows no redirect from a 400).
        assert "Ce questionnaire n'existe pas pour cette cohorte." in page_text(refused)
        assert f'href="/cohorts/{world["cohort_a"]}/questionnaires"' in refused.get_data(True)


@pytest.mark.parametrize("role", ["committee", *REFUSED])
def test_only_coordinators_prepare(login_as, world, role):
    url = f"/cohorts/{world['cohort_a']}/questionnaires/preparer"
    assert login_as(role).post(url, data={"template": "EVAL_FINALE"}).status_code == 403


# -- One survey: questions, opening, closing ------------------------------------------------------


@pytest.fixture
def prepared_s1(app, world):
    return _commit(
        app,
        lambda: prepared(world["cohort_a"], "A_CHAUD", session_event(world["cohort_a"], "S1")).id,
    )


def test_the_management_page_shows_mode_state_and_questions(login_as, prepared_s1):
    text = page_text(login_as("coordinator").get(f"/questionnaires/{prepared_s1}/gestion"))
    assert "anonyme — les réponses ne sont reliées à personne" in text
    assert "préparé, pas encore ouvert" in text
    assert "Globalement, êtes-vous satisfait·e de cette session ?" in text
    assert "Ajouter une question" in text and "Ouvrir maintenant" in text
    assert "Témoignage" not in text  # no testimony offered in an anonymous survey


@pytest.mark.parametrize("role", ["committee", *REFUSED])
def test_only_coordinators_manage_a_survey(login_as, prepared_s1, role):
    client = login_as(role)
    assert client.get(f"/questionnaires/{prepared_s1}/gestion").status_code == 403
    for action in ("questions", "ouvrir", "clore"):
        assert client.post(f"/questionnaires/{prepared_s1}/{action}", data={}).status_code == 403


def test_adding_a_choice_question(app, login_as, prepared_s1):
    response = login_as("coordinator").post(
        f"/questionnaires/{prepared_s1}/questions",
        data={
            "kind": "single",
            "text": "Viendrez-vous à S2 ?",
            "options": "Oui\n\nNon\n Peut-être ",
            "allow_decline": "y",
        },
    )
    assert response.status_code == 302
    with app.app_context():
        question = db.session.scalars(
            select(SurveyQuestion)
            .where(SurveyQuestion.survey_id == prepared_s1)
            .order_by(SurveyQuestion.position.desc())
        ).first()
        assert (question.code, question.kind, question.text) == (
            "C1",
            "single",
            "Viendrez-vous à S2 ?",
        )
        assert [c["label"] for c in question.choices] == ["Oui", "Non", "Peut-être"]
        assert question.allow_decline and not question.required and question.added_by_id


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"kind": "scale", "text": "Note ?", "labels": "Bas"}, "Une échelle a de 2 à 10 libellés"),
        (
            {"kind": "multiple", "text": "Quoi ?", "options": "A\nA"},
            "Deux options portent le même libellé.",
        ),
        ({"kind": "single", "text": "Quoi ?", "options": "A"}, "Un choix a de 2 à 20 options"),
        ({"kind": "short_text", "text": ""}, "Écrivez la question."),
        ({"kind": "testimony", "text": "Votre histoire"}, "N'est pas un choix valide."),
        ({"kind": "long_text", "text": "x" * 501}, "500 caractères au plus"),
    ],
)
def test_a_wrong_question_is_refused_and_keeps_what_was_typed(login_as, prepared_s1, data, message):
    response = login_as("coordinator").post(f"/questionnaires/{prepared_s1}/questions", data=data)
    assert response.status_code == 400
    text = page_text(response)
    assert message in text
    if data["text"]:
        assert data["text"][:50] in response.get_data(as_text=True)


def test_opening_early_then_no_more_questions_then_closing(app, login_as, world, prepared_s1):
    from tests.evaluation.factories import mark_attended

    with app.app_context():
        event = session_event(world["cohort_a"], "S1")
        nobody = login_as("coordinator").post(f"/questionnaires/{prepared_s1}/ouvrir", data={})
        assert nobody.status_code == 409 and "Personne n'est à interroger" in page_text(nobody)
        mark_attended(event, [world["a1"], world["a2"]])
        db.session.commit()
        moment = after(event)
    client = login_as("coordinator")
    with freeze(moment):
        opened = client.post(f"/questionnaires/{prepared_s1}/ouvrir", data={})
        assert opened.status_code == 302
        assert "2 personnes y sont invitées" in page_text(client.get(opened.location))
        again = client.post(f"/questionnaires/{prepared_s1}/ouvrir", data={})
        assert again.status_code == 409 and "déjà ouvert" in page_text(again)
        late = client.post(
            f"/questionnaires/{prepared_s1}/questions",
            data={"kind": "short_text", "text": "Trop tard ?"},
        )
        assert late.status_code == 409 and "ses questions ne changent plus" in page_text(late)
        closed = client.post(f"/questionnaires/{prepared_s1}/clore", data={})
        assert closed.status_code == 302
        twice = client.post(f"/questionnaires/{prepared_s1}/clore", data={})
        assert twice.status_code == 409 and "déjà clos" in page_text(twice)
    with app.app_context():
        survey = db.session.get(Survey, prepared_s1)
        assert survey.opened_by_id == world["coordinator"]
        assert survey.closed_at == moment and not survey.is_open(moment)


def test_closing_a_prepared_survey_is_refused(login_as, prepared_s1):
    response = login_as("coordinator").post(f"/questionnaires/{prepared_s1}/clore", data={})
    assert response.status_code == 409 and "pas encore ouvert" in page_text(response)


# -- Results -------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["coordinator", "committee", "admin"])
def test_the_results_show_rate_charts_means_and_sorted_texts(login_as, answered_s1, role):
    response = login_as(role).get(f"/questionnaires/{answered_s1}/resultats")
    html = response.get_data(as_text=True)
    text = page_text(response)
    assert response.status_code == 200
    assert "5 réponses sur 2 invités" in text
    assert html.count("<svg") == 2  # SATISFACTION and FORMAT: the closed questions with 5 answers
    assert "moyenne : 3,2 sur 4" in text
    assert "Très satisfait·e 2" in text  # the data table beside the chart
    assert text.index("Atelier") < text.index("Binômes") < text.index("Café")
    assert "Moins de 5 réponses à cette question" in text  # APPORTS: nobody answered it


@pytest.mark.parametrize(("locale", "rate"), [("fr", "250\N{NO-BREAK SPACE}%"), ("en", "250%")])
def test_the_response_rate_is_a_percentage_in_the_readers_language(
    app, login_as, world, answered_s1, locale, rate
):
    with app.app_context():
        db.session.get(User, world["coordinator"]).locale = locale
        db.session.commit()
    html = (
        login_as("coordinator")
        .get(f"/questionnaires/{answered_s1}/resultats")
        .get_data(as_text=True)
    )
    assert f"{rate})" in html


@pytest.mark.parametrize("role", REFUSED)
def test_others_do_not_read_results(login_as, answered_s1, role):
    assert login_as(role).get(f"/questionnaires/{answered_s1}/resultats").status_code == 403


def test_results_of_fewer_than_five_anonymous_answers_are_hidden(login_as, few_s1):
    response = login_as("coordinator").get(f"/questionnaires/{few_s1}/resultats")
    text = page_text(response)
    assert "2 réponses sur 2 invités" in text
    assert "ses résultats sont masqués" in text
    assert "<svg" not in response.get_data(as_text=True) and "Tout" not in text.split("masqués")[1]


def test_an_identified_survey_lists_texts_without_names_and_named_testimonies(app, login_as, world):
    def build():
        survey = final_survey(world)
        respond(
            survey,
            {"CHANGEMENTS": "Un tiers-lieu est né", "TEMOIGNAGE": ("Un déclic", Consent.NAMED)},
            user_id=world["a1"],
            territory_id=world["territory_a1"],
        )
        respond(
            survey,
            {"CHANGEMENTS": "Rien encore", "TEMOIGNAGE": ("Secret", Consent.REFUSED)},
            user_id=world["a2"],
            territory_id=world["territory_a2"],
        )
        return survey.id

    survey_id = _commit(app, build)
    with freeze(FINAL_OPENED + timedelta(days=2)):
        text = page_text(login_as("committee").get(f"/questionnaires/{survey_id}/resultats"))
    assert "Un tiers-lieu est né" in text and "Rien encore" in text
    assert "Catalyseur A2" not in text and "Secret" not in text
    assert "Un déclic — Catalyseur A1" in text


# -- Exports -------------------------------------------------------------------------------------


def test_the_csv_has_no_author_no_id_rows_by_content_and_guarded_formulas(
    app, login_as, answered_s1
):
    response = login_as("coordinator").get(f"/questionnaires/{answered_s1}/reponses.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    content = response.get_data().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(content), delimiter=";"))
    header, body = rows[0], rows[1:]
    assert header[0].startswith("SATISFACTION — ")
    assert not any(word in " ".join(header) for word in ("Répondant", "Territoire", "Envoyé"))
    assert len(body) == 5 and body == sorted(body)
    garder = header.index(next(h for h in header if h.startswith("GARDER")))
    assert '\'=HYPERLINK("x")' in [row[garder] for row in body]
    assert "Catalyseur" not in content


def test_the_xlsx_opens_and_holds_the_same_rows(login_as, answered_s1):
    response = login_as("admin").get(f"/questionnaires/{answered_s1}/reponses.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.get_data())).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 6 and rows[0][0].startswith("SATISFACTION")
    assert sorted(r[0] for r in rows[1:]) == [2, 3, 3, 4, 4]
    formula = next(c for row in sheet.iter_rows() for c in row if c.value == '=HYPERLINK("x")')
    assert formula.data_type == "s"


def test_an_identified_export_names_respondents(app, login_as, world):
    def build():
        survey = final_survey(world)
        respond(
            survey,
            {"IMPACT_INNOVATION": 3, "TEMOIGNAGE": ("Un déclic", Consent.ANONYMOUS)},
            user_id=world["a2"],
            territory_id=world["territory_a2"],
        )
        respond(
            survey,
            {"IMPACT_INNOVATION": "DECLINED"},
            user_id=world["a1"],
            territory_id=world["territory_a1"],
        )
        respond(
            survey, {"IMPACT_INNOVATION": 1}, user_id=world["a1bis"], submitted=False
        )  # a draft
        return survey.id

    survey_id = _commit(app, build)
    response = login_as("coordinator").get(f"/questionnaires/{survey_id}/reponses.csv")
    rows = list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:3] == ["Répondant·e", "Territoire", "Envoyé le"]
    assert [r[0] for r in rows[1:]] == ["Catalyseur A1", "Catalyseur A2"]
    assert rows[1][3] == "Je ne souhaite pas répondre" and rows[2][3] == "3"
    assert "Publiable de façon anonyme" in rows[2]


def test_an_export_of_fewer_than_five_anonymous_answers_is_refused(login_as, few_s1):
    for extension in ("csv", "xlsx"):
        response = login_as("coordinator").get(f"/questionnaires/{few_s1}/reponses.{extension}")
        assert response.status_code == 409
        assert "moins de 5 réponses" in page_text(response)


@pytest.mark.parametrize("role", ["committee", *REFUSED])
def test_only_coordinators_export(login_as, answered_s1, role):
    assert login_as(role).get(f"/questionnaires/{answered_s1}/reponses.csv").status_code == 403


def test_an_unknown_format_is_not_found(login_as, answered_s1):
    assert (
        login_as("coordinator").get(f"/questionnaires/{answered_s1}/reponses.pdf").status_code
        == 404
    )


@pytest.fixture
def open_s1(app, world):
    """S1's anonymous survey with 5 responses, still open; its id and a moment inside it."""

    def build():
        survey = session_survey(world)
        for point in (4, 3, 4, 2, 3):
            respond(survey, {"SATISFACTION": point, "GARDER": f"Réponse {point}"})
        return survey.id, survey.opened_at + timedelta(days=1)

    return _commit(app, build)


def test_an_open_anonymous_survey_shows_and_exports_nothing_until_it_closes(app, login_as, open_s1):
    survey_id, inside = open_s1
    coordinator = login_as("coordinator")
    with freeze(inside):
        page = coordinator.get(f"/questionnaires/{survey_id}/resultats")
        exported = coordinator.get(f"/questionnaires/{survey_id}/reponses.csv")
    text = page_text(page)
    assert page.status_code == 200
    assert "ses résultats paraissent à sa clôture" in text
    assert "Réponse 4" not in text and "<svg" not in page.get_data(as_text=True)
    assert "reponses.csv" not in page.get_data(as_text=True)  # no link to a refused export
    assert exported.status_code == 409 and "encore ouvert" in page_text(exported)
    with app.app_context():
        closes_at = db.session.get(Survey, survey_id).closes_at
    with freeze(closes_at + timedelta(minutes=1)):
        page = coordinator.get(f"/questionnaires/{survey_id}/resultats")
        exported = coordinator.get(f"/questionnaires/{survey_id}/reponses.csv")
    assert "Réponse 4" in page_text(page) and exported.status_code == 200


def test_the_management_page_offers_exports_only_when_they_would_be_given(app, login_as, open_s1):
    survey_id, inside = open_s1
    coordinator = login_as("coordinator")
    with freeze(inside):
        page = coordinator.get(f"/questionnaires/{survey_id}/gestion")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "reponses.csv" not in html and "reponses.xlsx" not in html
    assert "s'exporteront à sa clôture" in page_text(page)
    with app.app_context():
        closes_at = db.session.get(Survey, survey_id).closes_at
    with freeze(closes_at + timedelta(minutes=1)):
        page = coordinator.get(f"/questionnaires/{survey_id}/gestion")
        offered = [
            coordinator.get(f"/questionnaires/{survey_id}/reponses.{extension}").status_code
            for extension in ("csv", "xlsx")
        ]
    html = page.get_data(as_text=True)
    assert "reponses.csv" in html and "reponses.xlsx" in html and offered == [200, 200]
    assert "s'exporteront" not in page_text(page)


def test_the_management_page_of_too_few_anonymous_answers_says_why_there_is_no_export(
    login_as, few_s1
):
    page = login_as("coordinator").get(f"/questionnaires/{few_s1}/gestion")
    assert "reponses.csv" not in page.get_data(as_text=True)
    assert "Moins de 5 réponses" in page_text(page)


def test_the_list_shows_the_mode_a_survey_was_prepared_in(app, login_as, world, prepared_s1):
    # Prepared from a curriculum version where « à chaud » was named; the cohort's version
    # now says anonymous: the survey keeps the mode it was prepared in.
    with app.app_context():
        db.session.get(Survey, prepared_s1).anonymous = False
        db.session.commit()
    page = login_as("coordinator").get(f"/cohorts/{world['cohort_a']}/questionnaires")
    rows = re.findall(r"<tr>(.*?)</tr>", page.get_data(as_text=True), re.S)
    s1 = next(row for row in rows if "Session 1 " in row)
    assert "nominatif" in s1 and "anonyme" not in s1
    s2 = next(row for row in rows if "Session 2 " in row)
    assert "anonyme" in s2  # not prepared yet: the template's mode
