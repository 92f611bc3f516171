"""Progression: levels per domain, cohort figures and threshold, pages per role, the bilan."""

import io
import re

import pytest
from flask_login import login_user
from pypdf import PdfReader

from parcours.accounts import operations as account_ops
from parcours.accounts.models import User
from parcours.cohorts import operations as cohort_ops
from parcours.cohorts.models import Cohort
from parcours.competences import operations as ops
from parcours.competences.models import Viewpoint
from parcours.competences.progression import bilan, queries
from parcours.competences.progression.views import participant_of
from parcours.core.extensions import db
from parcours.core.time import freeze
from tests.competences import factories as f
from tests.conftest import ROLES, page_text

TERRITORY = {
    "region": "Centre-Val de Loire",
    "department": "Cher",
    "kind": "rural",
    "carrier_structure": "Asso",
    "carrier_type": "associatif",
    "status": "accepted",
    "status_reason": "",
}


def _extra_catalyseurs(world, count: int) -> list[int]:
    """Add ``count`` catalyseurs to cohort A, each on a territory of their own."""
    cohort = db.session.get(Cohort, world["cohort_a"])
    coordinator = db.session.get(User, world["coordinator"])
    ids = []
    for n in range(count):
        user, _ = account_ops.ensure_user(f"extra{n}@example.org", f"Extra {n}")
        territory = cohort_ops.add_territory(cohort, name=f"Territoire X{n}", **TERRITORY)
        cohort_ops.add_catalyseur(
            territory,
            email=user.email,
            full_name=user.full_name,
            organisation="",
            invited_by=coordinator,
        )
        ids.append(user.id)
    db.session.flush()
    return ids


def _domains(campaign):
    return campaign.cohort.curriculum.referential.domains


def _by_domain(levels):
    """level_of for factories: ``levels[domain index]`` for each competence of that domain."""

    def level_of(index, item):
        return levels[item.domain_index]

    return level_of


@pytest.fixture
def t0(app, world, ctx):
    with freeze(f.inside(world["cohort_a"], "T0")):
        yield f.open_campaign(world["cohort_a"], "T0", world["coordinator"])


def _domain_index(campaign):
    index = {}
    for n, domain in enumerate(_domains(campaign)):
        for competence in domain.competences:
            index[competence.code] = n
    return index


def test_domain_level_is_the_mean_of_its_competences_without_unknowns(world, t0):
    index = _domain_index(t0)
    first_domain = _domains(t0)[0]
    codes = [c.code for c in first_domain.competences]

    def level_of(i, item):
        if index[item.code] == 0:
            # 3, 0, then « je ne sais pas » for the rest: mean of 3 and 0
            return {codes[0]: 3, codes[1]: 0}.get(item.code)
        if index[item.code] == 1:
            return None  # every answer « je ne sais pas »: no level
        return 2

    f.submit_self(t0, world["a1"], level_of)
    cohort = t0.cohort
    levels = queries.domain_levels(cohort, Viewpoint.SELF)
    row = levels[("T0", f"u{world['a1']}")]
    assert row[first_domain.code] == 1.5
    assert row[_domains(t0)[1].code] is None
    assert all(row[d.code] == 2.0 for d in _domains(t0)[2:])
    assert set(levels) == {("T0", f"u{world['a1']}")}


def test_the_current_revision_counts_not_the_first(world, t0):
    first = f.submit_self(t0, world["a1"], lambda i, item: 1)
    coordinator = db.session.get(User, world["coordinator"])
    draft = ops.reopen(first, by=coordinator)
    answer = f.levels_answer(t0, Viewpoint.SELF, lambda i, item: 3)
    a1 = db.session.get(User, world["a1"])
    draft = ops.save_draft(t0, Viewpoint.SELF, draft.territory, a1.id, answer, by=a1)
    ops.submit(draft, by=a1)
    row = queries.domain_levels(t0.cohort, Viewpoint.SELF)[("T0", f"u{world['a1']}")]
    assert set(row.values()) == {3.0}
    (detail,) = queries.answer_details(t0.cohort, Viewpoint.SELF, [f"u{world['a1']}"])
    assert set(detail.levels.values()) == {3}


def test_median_and_quartiles_on_a_known_set():
    fig = queries.figure([1, 2, 3, 4, 5], 5)
    assert (fig.count, fig.q1, fig.median, fig.q3) == (5, 2, 3, 4)
    fig = queries.figure([0, 1, 1, 2, 3, 3], 5)
    assert (fig.q1, fig.median, fig.q3) == (1, 1.5, 2.75)
    hidden = queries.figure([1, 2, 3, 4], 5)
    assert hidden.hidden and hidden.count == 4 and hidden.median is None


def test_cohort_figures_hide_below_the_threshold_and_follow_the_configuration(app, world, t0):
    extra = _extra_catalyseurs(world, 3)
    for n, user_id in enumerate([world["a1"], world["a1bis"], world["a2"], *extra]):
        f.submit_self(t0, user_id, lambda i, item, n=n: n % 4)
    code = _domains(t0)[0].code
    four = queries.cohort_figures(t0.cohort)  # 6 answers
    assert four.answers["T0"] == 6 and four.participants == 6
    fig = four.figures["T0"][code]
    # levels 0, 1, 2, 3, 0, 1
    assert (fig.count, fig.median, fig.q1, fig.q3) == (6, 1, 0.25, 1.75)
    app.config["PARCOURS_COHORT_MIN_ANSWERS"] = 7
    try:
        assert queries.cohort_figures(t0.cohort).figures["T0"][code].hidden
    finally:
        app.config["PARCOURS_COHORT_MIN_ANSWERS"] = 5


def test_four_answers_are_hidden_five_are_shown(world, t0):
    extra = _extra_catalyseurs(world, 2)
    people = [world["a1"], world["a1bis"], world["a2"], *extra]
    for user_id in people[:4]:
        f.submit_self(t0, user_id)
    code = _domains(t0)[0].code
    assert queries.cohort_figures(t0.cohort).figures["T0"][code].hidden
    f.submit_self(t0, people[4])
    fig = queries.cohort_figures(t0.cohort).figures["T0"][code]
    assert not fig.hidden and fig.count == 5 and fig.median == 2


def test_progress_names_the_largest_progress_and_stagnation():
    order = [queries.Moment("T0", "a"), queries.Moment("MID", "b"), queries.Moment("END", "c")]
    series = {
        "T0": {"D1": 1.0, "D2": 2.0, "D3": None},
        "MID": {"D1": 1.5, "D2": 2.0, "D3": 1.0},
        "END": {"D1": 3.0, "D2": 1.5, "D3": 2.0},
    }
    progress = queries.progress(order, series)
    assert (progress.first, progress.last) == ("T0", "END")
    assert progress.changes == {"D1": 2.0, "D2": -0.5, "D3": None}
    assert progress.largest == ("D1",) and progress.stagnant == ("D2",)
    assert queries.progress(order, {"T0": series["T0"]}).largest == ()


# -- Pages ------------------------------------------------------------------------------------


@pytest.fixture
def answered(app, world):
    """T0 self-assessments of a1, a1bis and a2 and MID of a1 (shared at MID only); the T0
    consensus and the MID coach appréciation of territory A1; committed for the test clients."""
    with app.test_request_context():
        with freeze(f.inside(world["cohort_a"], "T0")):
            t0 = f.open_campaign(world["cohort_a"], "T0", world["coordinator"])
            f.submit_self(t0, world["a1"], lambda i, item: 1)
            f.submit_self(t0, world["a1bis"], lambda i, item: 2)
            f.submit_self(t0, world["a2"], lambda i, item: 0)
            f.submit_territory(
                t0, Viewpoint.CONSENSUS, world["territory_a1"], (world["a1"], world["a1bis"])
            )
        with freeze(f.inside(world["cohort_a"], "MID")):
            mid = f.open_campaign(world["cohort_a"], "MID", world["coordinator"])
            f.submit_territory(mid, Viewpoint.COACH, world["territory_a1"], (world["coach"],))
            f.submit_self(mid, world["a1"], lambda i, item: 3, share=True)
        db.session.commit()
    return world


def _urls(world):
    a = world["cohort_a"]
    return {
        "mine": f"/cohorts/{a}/progression",
        "a1": f"/cohorts/{a}/participants/{world['a1']}/progression",
        "a1bis": f"/cohorts/{a}/participants/{world['a1bis']}/progression",
        "a2": f"/cohorts/{a}/participants/{world['a2']}/progression",
        "territory_a1": f"/territoires/{world['territory_a1']}/progression",
        "territory_a2": f"/territoires/{world['territory_a2']}/progression",
        "cohort": f"/cohorts/{a}/progression/cohorte",
        "my_bilan": f"/cohorts/{a}/bilan.pdf",
        "a1_bilan": f"/cohorts/{a}/participants/{world['a1']}/bilan.pdf",
    }


TEAM = {"admin", "coordinator"}
ALLOWED = {
    "mine": {"a1", "a1bis", "a2"},
    "my_bilan": {"a1", "a1bis", "a2"},
    # a1 shared their MID answer: a1bis, their partner, may read it
    "a1": TEAM | {"coach", "a1", "a1bis"},
    "a1_bilan": TEAM | {"coach", "a1", "a1bis"},
    "a1bis": TEAM | {"coach", "a1bis"},
    "a2": TEAM | {"a2"},
    "territory_a1": TEAM | {"coach", "a1", "a1bis"},
    "territory_a2": TEAM | {"a2"},
    "cohort": TEAM | {"coach", "committee", "a1", "a1bis", "a2"},
}


@pytest.mark.parametrize("role", ROLES)
def test_every_page_answers_each_role_as_who_sees_what_says(login_as, answered, role):
    client = login_as(role)
    for name, url in _urls(answered).items():
        status = client.get(url).status_code
        expected = 200 if role in ALLOWED[name] else 403
        assert status == expected, f"{role} on {name}: {status}, expected {expected}"


def test_anonymous_visitors_go_to_login_and_unknown_objects_are_not_found(
    client, login_as, answered
):
    for url in _urls(answered).values():
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"]
    admin = login_as("admin")
    a = answered["cohort_a"]
    assert admin.get(f"/cohorts/{a}/participants/{answered['b1']}/progression").status_code == 404
    assert admin.get(f"/cohorts/{a}/participants/{answered['coach']}/bilan.pdf").status_code == 404
    assert admin.get("/territoires/999999/progression").status_code == 404
    assert admin.get("/cohorts/999999/progression/cohorte").status_code == 404


def test_my_page_has_the_radar_its_table_and_the_competences(login_as, answered):
    response = login_as("a1").get(_urls(answered)["mine"])
    html = response.get_data(as_text=True)
    assert "<svg" in html and 'role="img"' in html and "<title>" in html and "<desc>" in html
    text = page_text(response)
    assert "Auto-évaluation initiale" in text and "Auto-évaluation à mi-parcours" in text
    assert "Niveau par compétence" in text
    # 3 answers at T0, below the threshold: the cohort's figure is not shown
    assert "trop peu de réponses" in text
    assert "Plus forte progression" in text
    for name in ("Catalyseur A1 bis", "Catalyseur A2"):
        assert name not in text


def test_the_partner_sees_only_the_shared_moment(login_as, answered):
    text = page_text(login_as("a1bis").get(_urls(answered)["a1"]))
    assert "Auto-évaluation à mi-parcours" in text
    assert "Auto-évaluation initiale" not in text
    territory = page_text(login_as("a1bis").get(_urls(answered)["territory_a1"]))
    assert "Consensus du binôme" in territory and "Appréciation de l'accompagnateur" in territory
    assert "Catalyseur A1" in territory


def test_the_committee_sees_no_name_and_no_individual_level(login_as, answered, app):
    app.config["PARCOURS_COHORT_MIN_ANSWERS"] = 3
    try:
        text = page_text(login_as("committee").get(_urls(answered)["cohort"]))
    finally:
        app.config["PARCOURS_COHORT_MIN_ANSWERS"] = 5
    for name in ("Catalyseur A1", "Territoire A1", "Territoire A2", "Catalyseur A2"):
        assert name not in text
    # T0 levels 1, 2, 0: the median 1 is shown, never a person's 0 or 2 as such
    assert "3 réponses sur 3" in text
    assert "1 (" in text
    # The spread follows the median's own brackets without a second pair around it.
    assert re.search(r"1 \([^)]*\) · écart \d", text), text
    assert not re.search(r"\) \(\d", text)


def test_page_query_counts_do_not_grow_with_the_data(app, login_as, answered, query_counter):
    client = login_as("coordinator")
    urls = _urls(answered)
    pages = [urls["a1"], urls["territory_a1"], urls["cohort"]]

    def counts():
        result = []
        for url in pages:
            with query_counter:
                assert client.get(url).status_code == 200
            result.append(query_counter.count)
        return result

    before = counts()
    with app.test_request_context():
        extra = _extra_catalyseurs(answered, 6)
        with freeze(f.inside(answered["cohort_a"], "MID")):
            mid = db.session.get(Cohort, answered["cohort_a"])
            campaign = next(c for c in [f.open_campaign(mid.id, "MID")])
            for user_id in extra:
                f.submit_self(campaign, user_id)
        db.session.commit()
    assert counts() == before


def test_the_bilan_data_and_pdf(app, login_as, answered):
    with app.test_request_context():
        cohort = db.session.get(Cohort, answered["cohort_a"])
        a1 = db.session.get(User, answered["a1"])
        login_user(a1)
        data = bilan.gather(cohort, participant_of(cohort, a1.id), a1)
    assert data.person == "Catalyseur A1" and data.territory == "Territoire A1"
    assert data.moments == ("Auto-évaluation initiale", "Auto-évaluation à mi-parcours")
    assert len(data.rows) == 34
    assert all(
        row.cells[0].startswith("1 (") and row.cells[1].startswith("3 (") for row in data.rows
    )
    assert all(median == "trop peu de réponses" for _m, _d, _o, median, _s in data.position)
    assert len(data.largest) == 8

    response = login_as("a1").get(_urls(answered)["my_bilan"])
    assert response.mimetype == "application/pdf"
    assert "bilan-competences" in response.headers["Content-Disposition"]
    reader = PdfReader(io.BytesIO(response.data))
    text = " ".join(" ".join(page.extract_text() for page in reader.pages).split())
    assert "Mon bilan de compétences" in text and "Catalyseur A1" in text
    assert "trop peu de réponses" in text and "Auto-évaluation à mi-parcours" in text
    fonts = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            descriptor = font.get_object().get("/FontDescriptor")
            if descriptor is None:
                descendant = font.get_object()["/DescendantFonts"][0].get_object()
                descriptor = descendant["/FontDescriptor"]
            fonts.add("/FontFile2" in descriptor.get_object())
    assert fonts == {True}


def test_the_territory_page_draws_the_coach_appraisal(login_as, answered):
    """The coach's appréciation has a subject of its own: its radar is not the consensus's."""
    html = page_text_of(login_as("coordinator"), answered)
    coach = html.split("Appréciation de l'accompagnateur", 1)[1].split("</section>", 1)[0]
    consensus = html.split("Consensus du binôme", 1)[1].split("</section>", 1)[0]
    assert "mi-parcours" in coach and "initiale" not in coach
    assert "initiale" in consensus and "mi-parcours" not in consensus


def page_text_of(client, world) -> str:
    response = client.get(f"/territoires/{world['territory_a1']}/progression")
    assert response.status_code == 200
    return response.get_data(as_text=True)
