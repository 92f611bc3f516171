"""Every role's main pages on a phone (390 px) and under axe-core, on the demo cohort.

The demo is the fullest cohort there is (12 territories, binômes, a timed programme, attendance
taken): long names, wide programme tables and attendance figures are where pages overflow.
One phone-sized context per role visits its pages in turn; every problem of every page is
collected, so that one run names them all.
"""

import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from parcours.core.extensions import db

pytestmark = pytest.mark.browser

PASSWORD = "demo-password-for-browser-tests"
PHONE = {"width": 390, "height": 844}
AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
#: WCAG 2.1 levels A and AA; « best practices » are advice, not conformance.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
AXE_FAILING_IMPACTS = {"serious", "critical"}
DOMAIN = "demo.parcours.example"


@dataclass(frozen=True)
class Demo:
    """The demo's ids the pages are built from."""

    cohort: int
    territory: int  # Camille Martin's, followed by Paul Renard
    ines_territory: int  # Inès Haddad's: she represents it alone
    session: int  # S1: held, with a timed programme and attendance taken
    committee: int  # the first Comité d'orientation: its members are listed on it
    follow_up: int  # one of Camille Martin's territory's follow-ups


@pytest.fixture
def demo(app, live_server) -> Demo:
    """Build the demo on the live server's database (it commits for real)."""
    from parcours.accounts.models import User
    from parcours.agenda.models import Event
    from parcours.cohorts.models import Cohort, Membership

    result = app.test_cli_runner().invoke(args=["demo", "--password", PASSWORD])
    assert result.exit_code == 0, result.output
    with app.app_context():
        cohort = db.session.scalar(select(Cohort))

        def territory_of(local: str) -> int:
            return db.session.scalar(
                select(Membership.territory_id)
                .join(Membership.user)
                .where(User.email == f"{local}@{DOMAIN}")
            )

        territory_id = territory_of("camille.martin")

        def first(*where) -> int:
            return db.session.scalar(
                select(Event.id)
                .where(Event.cohort_id == cohort.id, *where)
                .order_by(Event.starts_at)
            )

        return Demo(
            cohort=cohort.id,
            territory=territory_id,
            ines_territory=territory_of("ines.haddad"),
            session=first(Event.code == "S1"),
            committee=first(Event.kind == "committee"),
            follow_up=first(Event.kind == "follow_up", Event.territory_id == territory_id),
        )


def pages_of(role: str, d: Demo) -> list[str]:
    """The main pages of ``role`` in the demo cohort."""
    cohort = f"/cohorts/{d.cohort}"
    if role == "admin":  # the coordinator's pages, less those that only repeat them
        return ["/", cohort, f"{cohort}/members"]
    if role == "coordination":
        return [
            "/",
            cohort,
            f"/territories/{d.territory}",
            f"{cohort}/calendar",
            f"/events/{d.session}",
            f"/events/{d.session}/edit",
            f"{cohort}/events/new",
            f"/events/{d.session}/attendance",
            f"{cohort}/attendance",
            f"{cohort}/members",
            "/agenda",
        ]
    if role == "paul.renard":  # coach
        return [
            "/",
            f"{cohort}/my-territories",
            f"/territories/{d.territory}",
            f"{cohort}/calendar",
            f"/events/{d.follow_up}",
            f"/events/{d.follow_up}/edit",
            f"/territories/{d.territory}/events/new",
            "/agenda",
        ]
    if role == "bernard.lemoine":  # Comité d'orientation
        return [
            "/",
            cohort,
            f"/events/{d.committee}",
            f"{cohort}/attendance",
            f"{cohort}/referentiel",
            "/agenda",
        ]
    # catalyseurs
    territory = d.ines_territory if role == "ines.haddad" else d.territory
    return [
        "/",
        f"{cohort}/my-path",
        f"/territories/{territory}",
        f"{cohort}/calendar",
        f"/events/{d.session}",
        f"{cohort}/referentiel",
        "/agenda",
    ]


#: Boxes that may not scroll sideways on a phone, where a scroll would hide what matters
#: (peers' names, cut off at the screen's edge).
NOT_SCROLLED = {"/my-path": "section[aria-labelledby=peers] .table-wrap"}


def cut_off(page, path: str) -> str | None:
    """Say whether a box of ``NOT_SCROLLED`` hides part of its content sideways."""
    for suffix, selector in NOT_SCROLLED.items():
        if path.endswith(suffix):
            box = page.locator(selector)
            hidden = box.evaluate("e => e.scrollWidth - e.clientWidth")
            if hidden > 0:
                return f"{selector} hides {hidden} px of its content sideways"
    return None


def overflow(page) -> str | None:
    """Say how far the document is wider than the phone, and which elements stick out."""
    width = page.evaluate("document.scrollingElement.scrollWidth")
    if width <= PHONE["width"]:
        return None
    culprits = page.evaluate(
        """limit => {
            const scrolls = e => ['auto', 'scroll'].includes(getComputedStyle(e).overflowX);
            const inScroller = e => { for (let p = e.parentElement; p; p = p.parentElement) {
                if (scrolls(p)) return true; } return false; };
            return [...document.querySelectorAll('body *')]
            .filter(e => e.getBoundingClientRect().right > limit && !inScroller(e))
            .filter(e => !e.parentElement
                         || e.parentElement.getBoundingClientRect().right <= limit)
            .slice(0, 5)
            .map(e => `${e.tagName.toLowerCase()}.${[...e.classList].join('.')}`
                      + ` (${Math.round(e.getBoundingClientRect().right)} px)`)}""",
        PHONE["width"],
    )
    return f"{width} px wide, sticking out: {', '.join(culprits) or 'outside main'}"


def duplicate_ids(page) -> list[str]:
    """Return the ids used twice: a label or aria reference then finds the wrong element.

    Hidden inputs are left out: nothing refers to them (each form's CSRF token is one).
    """
    return page.evaluate(
        """() => { const seen = new Map();
            for (const e of document.querySelectorAll('[id]:not(input[type=hidden])'))
                seen.set(e.id, (seen.get(e.id) || 0) + 1);
            return [...seen].filter(([, n]) => n > 1).map(([id]) => id); }"""
    )


def axe_violations(page) -> list[str]:
    """Run axe-core on ``page``; return its serious and critical WCAG 2.1 A/AA violations."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        # Evaluated through the DevTools protocol: the page's CSP (no inline script) allows it.
        page.evaluate(AXE.read_text(encoding="utf-8"))
    results = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS
    )
    found = []
    for violation in results["violations"]:
        if violation["impact"] in AXE_FAILING_IMPACTS:
            targets = [" ".join(map(str, node["target"])) for node in violation["nodes"][:3]]
            found.append(f"{violation['id']} ({violation['impact']}): {'; '.join(targets)}")
    return found


#: Each role in the light scheme; the one who sees the most pages in the dark one too, as
#: Pico follows the phone's setting.
ROLES = [
    ("admin", "light"),
    ("coordination", "light"),
    ("coordination", "dark"),
    ("paul.renard", "light"),
    ("bernard.lemoine", "light"),
    ("camille.martin", "light"),
    ("ines.haddad", "light"),
]


@pytest.mark.parametrize(("role", "scheme"), ROLES)
def test_main_pages_fit_a_phone_and_pass_axe(
    browser, live_server, page_problems, demo, role, scheme
):
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
    try:
        page.goto("/login")
        page.fill("input[name=email]", f"{role}@{DOMAIN}")
        page.fill("input[name=password]", PASSWORD)
        with page.expect_navigation():
            page.get_by_role("button", name="Se connecter").click()
        assert "/login" not in page.url
        problems = []
        for path in pages_of(role, demo):
            response = page.goto(path)
            assert response is not None and response.status == 200, (path, response.status)
            expect(page.get_by_role("heading", level=1)).to_be_visible()
            for problem in (overflow(page), cut_off(page, path)):
                if problem:
                    problems.append(f"{path}: {problem}")
            problems.extend(f"{path}: {v}" for v in axe_violations(page))
            problems.extend(f"{path}: id « {i} » used twice" for i in duplicate_ids(page))
    finally:
        context.close()
    assert not problems, "\n".join(problems)
    assert page_problems.exceptions == []
    assert page_problems.server_errors == []
    assert page_problems.errors() == []


def _luminance(rgb: str) -> float:
    """Relative luminance (WCAG 2.1) of a computed colour such as ``rgb(11, 79, 156)``."""
    channels = [int(c) / 255 for c in re.findall(r"\d+", rgb)[:3]]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(first: str, second: str) -> float:
    light, dark = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


FOCUS_RING = """e => { const s = getComputedStyle(e);
    return {style: s.outlineStyle, width: parseFloat(s.outlineWidth), color: s.outlineColor,
            offset: parseFloat(s.outlineOffset),
            page: [document.body, document.documentElement]
                .map(n => getComputedStyle(n).backgroundColor)
                .find(c => c !== 'rgba(0, 0, 0, 0)') || 'rgb(255, 255, 255)'}; }"""


def test_keyboard_focus_on_dark_buttons_is_a_visible_ring(page, log_in, world):
    """Pico's faint halo vanished on dark buttons: a solid ring at 3:1 (WCAG 2.4.7, 1.4.11)."""

    def ring_of(button) -> dict:
        page.keyboard.press("Tab")  # keyboard use: the browser shows :focus-visible
        button.focus()
        return button.evaluate(FOCUS_RING)

    page.goto("/login")
    rings = [ring_of(page.get_by_role("button", name="Se connecter"))]  # primary
    log_in("a1@example.org")
    page.goto(f"/cohorts/{world['cohort_a']}/my-path")
    rings.append(ring_of(page.get_by_role("link", name="Mon agenda").last))  # secondary
    for ring in rings:
        assert ring["style"] == "solid" and ring["width"] >= 2, ring
        assert ring["offset"] > 0, ring  # drawn on the page, not on the button's own colour
        assert contrast(ring["color"], ring["page"]) >= 3, ring
