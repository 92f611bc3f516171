"""The error summary in a real Chromium: it takes the focus, and each link focuses its field."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_the_error_summary_takes_the_focus_and_links_to_each_field(
    page, page_problems, log_in, world
):
    log_in("coord@example.org")
    page.goto(f"/cohorts/{world['cohort_a']}/events/new")
    page.fill("input[name=title]", "")
    page.fill("input[name=start_date]", "2026-06-22")
    page.fill("input[name=start_time]", "09:30")
    page.fill("input[name=end_date]", "2026-06-22")
    page.fill("input[name=end_time]", "17:00")
    page.fill("input[name='documents-0-title']", "Programme")
    page.fill("input[name='documents-0-url']", "pas une adresse")
    with page.expect_navigation():
        page.get_by_role("button", name="Enregistrer").click()

    box = page.locator(".error-summary")
    expect(box).to_be_focused()
    expect(box.get_by_role("heading")).to_have_text("Le formulaire contient 2 erreurs")
    links = box.get_by_role("link")
    expect(links).to_have_text(
        ["Titre : Ce champ est requis.", "Documents, ligne 1 (Lien) : URL non valide."]
    )
    links.nth(1).click()
    expect(page).to_have_url(re.compile(r"#documents-0-url$"))
    expect(page.locator("#documents-0-url")).to_be_focused()
    expect(page.locator("#documents-0-url")).to_have_value("pas une adresse")
    assert page_problems.csp_violations() == []
    assert page_problems.errors(400) == []
