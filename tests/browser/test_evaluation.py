"""Évaluation in a real Chromium: answering a survey, the committee's space, its pages under axe.

The surveys are opened and the packs generated through the operations, on the test world
(cohort A starts on 2 March 2026); the clock is frozen where each survey is open.
"""

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from parcours.accounts.models import User
from parcours.cohorts.models import Cohort
from parcours.core.extensions import db
from parcours.core.time import freeze
from parcours.curricula.schema import PackKind
from parcours.evaluation.packs import operations as pack_ops
from parcours.outbox import mail
from tests.browser.test_a11y import PHONE, axe_violations, contrast, duplicate_ids, overflow
from tests.conftest import PASSWORD
from tests.evaluation.factories import prepared, session_event
from tests.evaluation.surveys.helpers import FINAL_OPENED, final_survey, respond, session_survey

pytestmark = pytest.mark.browser

#: While cohort A's identified final survey is open (from FINAL_OPENED, for 21 days).
DURING_FINAL = FINAL_OPENED + timedelta(days=1)
SATISFACTION = "Globalement, êtes-vous satisfait·e de cette session ?"


@pytest.fixture
def s1(app, world):
    """Open cohort A's S1 « à chaud » survey (a1 and a2 attended); (its id, a moment it is open)."""
    with app.test_request_context():
        mail.suppress_until_commit()
        survey = session_survey(world)
        survey_id, moment = survey.id, survey.opened_at + timedelta(hours=2)
        db.session.commit()
    return survey_id, moment


INNOVATION = "Innovation sociétale et territoriale"


@pytest.fixture
def final_answered(app, world):
    """Open the identified final survey, answered by cohort A's three catalyseurs; its id."""
    with freeze(FINAL_OPENED), app.test_request_context():
        mail.suppress_until_commit()
        survey = final_survey(world)
        for key, level in (("a1", 4), ("a1bis", 3), ("a2", 4)):
            respond(
                survey,
                {
                    "IMPACT_INNOVATION": level,
                    "IMPACT_PERFORMANCE": 3,
                    "IMPACT_CONFIANCE": 4,
                    "RECOMMANDER": ["oui"],
                    "CHANGEMENTS": f"Des alliances nouvelles ({key}).",
                },
                user_id=world[key],
            )
        survey_id = survey.id
        db.session.commit()
    return survey_id


def launch_pack(app, world) -> None:
    """Generate cohort A's launch pack (a real PDF) as its coordinator; committed."""
    with app.test_request_context():
        cohort = db.session.get(Cohort, world["cohort_a"])
        coordinator = db.session.get(User, world["coordinator"])
        pack_ops.generate_pack(cohort, PackKind.LAUNCH, by=coordinator, now=DURING_FINAL)
        db.session.commit()


def test_a_catalyseur_answers_the_a_chaud_survey_from_my_path(
    page, page_problems, log_in, screenshot, world, s1
):
    survey_id, moment = s1
    with freeze(moment):
        log_in("a1@example.org")
        page.goto(f"/cohorts/{world['cohort_a']}/my-path")
        surveys = page.locator("section[aria-labelledby=my-surveys]")
        expect(surveys).to_contain_text("Questionnaire à remplir")
        surveys.get_by_role("button", name="Répondre").click()

        expect(page).to_have_url(re.compile(rf"/questionnaires/{survey_id}$"))
        expect(page.locator("#survey-mode")).to_contain_text("Ce questionnaire est anonyme")
        expect(page.get_by_role("button", name="Enregistrer le brouillon")).to_have_count(0)
        satisfaction = page.get_by_role("group", name=re.compile(re.escape(SATISFACTION)))
        page.get_by_role("group", name=re.compile("Le format")).get_by_label("En partie").check()
        page.get_by_role("group", name="Qu'est-ce qu'il faut garder ?").get_by_label(
            "Votre réponse"
        ).fill("Les ateliers entre pairs")
        page.get_by_role("button", name="Envoyer mes réponses").click()

        # Refused: the summary comes first, focused, and links to the question left empty.
        summary = page.locator(".error-summary[role=alert]")
        expect(summary).to_be_focused()
        assert page.evaluate(
            "() => document.querySelector('.error-summary')"
            ".compareDocumentPosition(document.querySelector('fieldset')) & 4"
        ), "the error summary is not above the questions"
        link = summary.get_by_role("link")
        expect(link).to_have_text([f"{SATISFACTION} : Cette question demande une réponse."])
        expect(satisfaction).to_have_attribute("aria-invalid", "true")
        expect(satisfaction.locator(".field-error")).to_have_text(
            "Cette question demande une réponse."
        )
        link.click()
        expect(page).to_have_url(re.compile(r"#q-\d+-fieldset$"))
        expect(satisfaction).to_be_in_viewport()
        # What was typed is kept.
        expect(
            page.get_by_role("group", name=re.compile("Le format")).get_by_label("En partie")
        ).to_be_checked()
        expect(
            page.get_by_role("group", name="Qu'est-ce qu'il faut garder ?").get_by_label(
                "Votre réponse"
            )
        ).to_have_value("Les ateliers entre pairs")
        screenshot(page, "survey-refused")

        satisfaction.get_by_label("4 — Très satisfait·e").check()
        page.get_by_role("button", name="Envoyer mes réponses").click()

        expect(page).to_have_url(re.compile(rf"/cohorts/{world['cohort_a']}/my-path$"))
        expect(page.locator(".flash-success")).to_have_text("Vos réponses sont envoyées. Merci !")
        surveys = page.locator("section[aria-labelledby=my-surveys]")
        expect(surveys).to_contain_text("réponse envoyée, merci !")
        expect(surveys.get_by_role("button", name="Répondre")).to_have_count(0)
    # The refused submission comes back as a 422 document; nothing else may complain.
    assert page_problems.errors(422) == []
    assert page_problems.csp_violations() == []


def test_a_committee_member_downloads_a_pack_and_reads_the_survey_syntheses(
    app, page, page_problems, log_in, screenshot, world, final_answered
):
    with freeze(DURING_FINAL):
        launch_pack(app, world)
        log_in("comite@example.org")
        page.get_by_role("button", name="Espace du comité d'orientation").click()

        expect(page).to_have_url(re.compile(rf"/cohorts/{world['cohort_a']}/comite$"))
        expect(page.get_by_role("heading", level=1)).to_have_text("Espace du comité d'orientation")
        launch = page.locator("section[aria-labelledby=launch-title]")
        expect(launch.get_by_role("heading", level=2)).to_have_text("Dossier de lancement")
        button = launch.get_by_role("button", name="PDF complet")
        expect(button.locator("xpath=ancestor::form[1]")).to_have_attribute("method", "post")
        with (
            page.expect_response(re.compile(r"/telecharger/full$")) as answered,
            page.expect_download() as downloaded,
        ):
            button.click()
        response = answered.value
        assert response.status == 200
        assert response.headers["content-type"] == "application/pdf"
        assert response.headers["content-disposition"].startswith("attachment")
        download = downloaded.value
        assert download.suggested_filename.endswith(".pdf")
        with open(download.path(), "rb") as pdf:
            assert pdf.read(5) == b"%PDF-"
        screenshot(page, "committee-space")

        page.get_by_role("button", name="Synthèses des questionnaires").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Questionnaires")
        expect(page.get_by_role("button", name="Préparer")).to_have_count(0)  # read-only
        final = page.get_by_role("row", name=re.compile("Évaluation de fin de parcours"))
        final.get_by_role("link", name="Résultats").click()

        expect(page.get_by_role("heading", level=1)).to_have_text("Résultats")
        expect(page.locator("#response-rate")).to_contain_text("3 réponses sur 3 invités")
        question = page.locator("section.survey-question", has_text=INNOVATION)
        chart = question.locator("figure svg")
        expect(chart).to_be_visible()
        assert chart.evaluate("svg => svg.namespaceURI") == "http://www.w3.org/2000/svg"
        # Drawn 500 pt wide for the PDF, it grows on a wide screen so that its labels read.
        assert chart.bounding_box()["width"] >= 700
        table = question.locator("table")
        expect(table.locator("thead th")).to_have_text(["Réponse", "Nombre"])
        counts = table.locator("tbody tr td")
        expect(counts).to_have_count(4)  # one row per point of the scale
        expect(counts).to_have_text(["0", "0", "1", "2"])
        expect(page.get_by_role("link", name="Réponses (CSV)")).to_have_count(0)
        screenshot(page, "committee-survey-results")
    assert page_problems.errors() == []
    assert page_problems.csp_violations() == []


#: Each chart's first label colour and the ground it is drawn on (its own, else the page's).
CHART_LABELS = """() => [...document.querySelectorAll('svg.chart')].map(svg => {
    const ground = [svg, document.body, document.documentElement]
        .map(n => getComputedStyle(n).backgroundColor)
        .find(c => c !== 'rgba(0, 0, 0, 0)') || 'rgb(255, 255, 255)';
    return [getComputedStyle(svg.querySelector('text')).fill, ground]; })"""


def unreadable_charts(page) -> list[str]:
    """Name the charts whose labels fall under 4.5:1 on their ground (axe skips SVG text)."""
    return [
        f"chart labels {fill} on {ground}"
        for fill, ground in page.evaluate(CHART_LABELS)
        if contrast(fill, ground) < 4.5
    ]


def problems_of(page, name: str) -> list[str]:
    """What the project's accessibility check finds on ``page``: overflow, axe, duplicate ids."""
    found = [f"{name}: {problem}" for problem in (overflow(page),) if problem]
    found += [f"{name}: {problem}" for problem in unreadable_charts(page)]
    found += [f"{name}: {v}" for v in axe_violations(page)]
    found += [f"{name}: id « {i} » used twice" for i in duplicate_ids(page)]
    return found


def submit_empty(page) -> str:
    page.get_by_role("button", name="Envoyer mes réponses").click()
    expect(page.locator(".error-summary")).to_be_focused()
    return "refused"


def check_pages(browser, live_server, page_problems, email, paths, scheme) -> list[str]:
    """Visit ``paths`` as ``email`` on a phone in ``scheme``; return every problem found.

    A path may come with an action (``(path, act)``): the page is checked again after it.
    """
    context = browser.new_context(
        color_scheme=scheme,
        base_url=live_server,
        locale="fr-FR",
        timezone_id="Europe/Paris",
        viewport=PHONE,
        is_mobile=True,
        has_touch=True,
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    page_problems.watch(page)
    problems = []
    try:
        page.goto("/login")
        page.fill("input[name=email]", email)
        page.fill("input[name=password]", PASSWORD)
        with page.expect_navigation():
            page.get_by_role("button", name="Se connecter").click()
        assert "/login" not in page.url
        for path in paths:
            path, act = path if isinstance(path, tuple) else (path, None)
            response = page.goto(path)
            assert response is not None and response.status == 200, (path, response.status)
            expect(page.get_by_role("heading", level=1)).to_be_visible()
            problems += problems_of(page, f"{email} {path}")
            if act is not None:
                problems += problems_of(page, f"{email} {path} ({act(page)})")
    finally:
        context.close()
    return problems


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_evaluation_pages_fit_a_phone_and_pass_axe(
    app, browser, live_server, page_problems, world, s1, final_answered, scheme
):
    s1_id, s1_open = s1
    cohort = f"/cohorts/{world['cohort_a']}"
    with app.test_request_context():
        s2_id = prepared(world["cohort_a"], "A_CHAUD", session_event(world["cohort_a"], "S2")).id
        db.session.commit()
    problems = []
    with freeze(s1_open):
        problems += check_pages(
            browser,
            live_server,
            page_problems,
            "a1@example.org",
            [f"{cohort}/my-path", (f"/questionnaires/{s1_id}", submit_empty)],
            scheme,
        )
    with freeze(DURING_FINAL):
        launch_pack(app, world)
        coordinator_pages = [
            f"{cohort}/questionnaires",
            f"/questionnaires/{s2_id}/gestion",  # prepared: the question form
            f"/questionnaires/{final_answered}/gestion",  # open
            f"/questionnaires/{final_answered}/resultats",  # charts and their tables
            f"/questionnaires/{s1_id}/resultats",  # anonymous, too few answers: hidden
            f"{cohort}/comite/dossiers",
        ]
        committee_pages = [
            f"{cohort}/comite",
            f"{cohort}/questionnaires",
            f"/questionnaires/{final_answered}/resultats",
        ]
        for email, paths in (
            ("coord@example.org", coordinator_pages),
            ("comite@example.org", committee_pages),
        ):
            problems += check_pages(browser, live_server, page_problems, email, paths, scheme)
    assert not problems, "\n".join(problems)
    assert page_problems.exceptions == []
    assert page_problems.server_errors == []
    assert page_problems.errors(422) == []
