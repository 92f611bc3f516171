"""End-to-end journeys in a real Chromium: log in, dashboards, « Mon parcours », forms, phone."""

import re

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser

S1_TITLE = "Session 1 — Panorama des partenariats et fragilités territoriales"


def test_coordinator_sees_the_cohort_dashboard(page, page_problems, log_in, screenshot, world):
    log_in("coord@example.org")

    expect(page).to_have_url(re.compile(r"/$"))
    cohort_card = page.locator("article", has=page.get_by_role("heading", name="Cohorte A"))
    expect(cohort_card).to_be_visible()
    cohort_card.get_by_role("button", name="Tableau de bord").click()

    expect(page).to_have_url(re.compile(rf"/cohorts/{world['cohort_a']}$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Cohorte A")
    territories = page.locator("section[aria-labelledby=territories]")
    expect(territories.get_by_role("link", name="Territoire A1")).to_be_visible()
    expect(territories.get_by_role("link", name="Territoire A2")).to_be_visible()
    expect(page.get_by_role("heading", name="Calendrier du parcours")).to_be_visible()
    expect(page.locator("section[aria-labelledby=timeline]")).to_contain_text(S1_TITLE)
    # Both stylesheets loaded under the CSP: Pico's variables and app.css's override.
    root_style = "name => getComputedStyle(document.documentElement).getPropertyValue(name)"
    assert page.evaluate(root_style, "--pico-font-family").strip()
    assert page.evaluate(root_style, "--pico-font-size").strip() == "100%"
    screenshot(page, "dashboard")

    assert page_problems.csp_violations() == []
    assert page_problems.errors() == []


def test_catalyseur_sees_my_path_and_not_other_cohorts(
    page, page_problems, log_in, screenshot, world
):
    log_in("a1@example.org")

    expect(page.locator("main")).to_contain_text("Cohorte A")
    expect(page.locator("main")).not_to_contain_text("Cohorte B")
    page.get_by_role("button", name="Mon parcours").click()

    expect(page).to_have_url(re.compile(rf"/cohorts/{world['cohort_a']}/my-path$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Mon parcours")
    mine = page.locator("article[aria-labelledby=my-territory]")
    expect(mine).to_contain_text("Territoire A1")
    expect(page.locator("article[aria-labelledby=my-partner]")).to_contain_text("Catalyseur A1 bis")
    expect(page.locator("article[aria-labelledby=my-coach]")).to_contain_text("Coach A")
    peers = page.locator("section[aria-labelledby=peers]")
    expect(peers).to_contain_text("Territoire A2")
    expect(peers).not_to_contain_text("Territoire A1")
    expect(page.locator("main")).not_to_contain_text("Cohorte B")
    screenshot(page, "my-path")
    assert page_problems.errors() == []

    response = page.goto(f"/cohorts/{world['cohort_a']}")
    assert response is not None and response.status == 403
    expect(page.get_by_role("heading", level=1)).to_contain_text("Accès refusé")
    assert page_problems.errors(403) == []


def test_coordinator_adds_a_territory_then_logs_out(page, page_problems, log_in, world):
    log_in("coord@example.org")
    page.goto(f"/cohorts/{world['cohort_a']}")
    page.get_by_role("button", name="Ajouter un territoire").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Nouveau territoire")

    page.get_by_label("Nom du territoire").fill("Territoire A3")
    page.get_by_label("Région").fill("Bretagne")
    page.get_by_label("Statut de la sollicitation").select_option("refused")
    page.get_by_role("button", name="Enregistrer").click()

    summary = page.locator(".error-summary[role=alert]")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("link")).to_have_text(
        ["Motif (refus ou retrait) : Indiquez le motif du refus."]
    )
    reason = page.get_by_label("Motif (refus ou retrait)")
    expect(reason).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#status_reason-error")).to_have_text("Indiquez le motif du refus.")
    expect(page.get_by_label("Nom du territoire")).to_have_value("Territoire A3")
    expect(page.get_by_label("Région")).to_have_value("Bretagne")
    expect(page.get_by_label("Statut de la sollicitation")).to_have_value("refused")

    reason.fill("Pas de structure porteuse disponible cette année.")
    page.get_by_role("button", name="Enregistrer").click()

    expect(page).to_have_url(re.compile(r"/territories/\d+$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Territoire A3")
    expect(page.locator(".flash-success")).to_contain_text("Territoire A3")
    expect(page.locator("main")).to_contain_text("Pas de structure porteuse disponible")

    page.get_by_role("button", name="Se déconnecter").click()
    expect(page).to_have_url(re.compile(r"/login$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Connexion")
    expect(page.locator(".flash-info")).to_have_text("Vous êtes déconnecté.")
    # Logged out for real: the dashboard sends back to the login page.
    page.goto(f"/cohorts/{world['cohort_a']}")
    expect(page).to_have_url(re.compile(r"/login"))

    # The refused submission comes back as a 400 document; nothing else may complain.
    assert page_problems.errors(400) == []
    assert page_problems.csp_violations() == []


PHONE = {"width": 390, "height": 844}


@pytest.fixture
def phone(browser, live_server, page_problems):
    """A page in a phone-sized context (iPhone 12-ish: 390×844, touch)."""
    context = browser.new_context(
        base_url=live_server,
        locale="fr-FR",
        viewport=PHONE,
        is_mobile=True,
        has_touch=True,
        device_scale_factor=3,
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    page_problems.watch(page)
    yield page
    context.close()
    assert page_problems.exceptions == []
    assert page_problems.server_errors == []
    assert page_problems.errors() == []


def horizontal_scroll(page) -> int:
    """How many pixels the page is wider than the phone's screen."""
    return page.evaluate("document.scrollingElement.scrollWidth") - PHONE["width"]


def test_login_page_fits_a_phone(phone, screenshot):
    phone.goto("/login")
    expect(phone.get_by_role("heading", level=1)).to_have_text("Connexion")
    assert horizontal_scroll(phone) <= 0
    expect(phone.get_by_role("button", name="Se connecter")).to_be_in_viewport()
    screenshot(phone, "login-phone")


def test_dashboards_fit_a_phone(phone, world):
    """Wide tables scroll inside their own box; the page itself never scrolls sideways."""
    for email, path in (
        ("coord@example.org", f"/cohorts/{world['cohort_a']}"),
        ("a1@example.org", f"/cohorts/{world['cohort_a']}/my-path"),
    ):
        phone.goto("/login")
        phone.fill("input[name=email]", email)
        phone.fill("input[name=password]", PASSWORD)
        with phone.expect_navigation():
            phone.get_by_role("button", name="Se connecter").click()
        phone.goto(path)
        expect(phone.get_by_role("heading", level=1)).to_be_visible()
        assert horizontal_scroll(phone) <= 0, path
        phone.get_by_role("button", name="Se déconnecter").click()
        expect(phone).to_have_url(re.compile(r"/login$"))
