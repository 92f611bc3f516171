"""The referential's page and its Moodle file, for every role of ``world``."""

import csv
import io
import tomllib
from datetime import date

import pytest

from parcours.accounts.models import User
from parcours.cohorts import operations as cohort_ops
from parcours.cohorts.models import Cohort
from parcours.core.extensions import db
from parcours.curricula.loader import load_document, parse_file
from parcours.curricula.models import CurriculumVersion
from parcours.curricula.schema import CurriculumDocument
from tests.conftest import CURRICULUM, ROLES, SISTER_CURRICULUM, page_text

READERS = {
    "cohort_a": {"admin", "coordinator", "coach", "committee", "a1", "a1bis", "a2"},
    "cohort_b": {"admin", "coordinator_b", "b1"},
}
SHIPPED = tomllib.loads(CURRICULUM.read_text(encoding="utf-8"))["referential"]
MOODLE_HEADER = [
    "Parent ID number",
    "ID number",
    "Short name",
    "Description",
    "Description format",
    "Scale values",
    "Scale configuration",
    "Rule type (optional)",
    "Rule outcome (optional)",
    "Rule config (optional)",
    "Cross-referenced competency ID numbers",
    "Exported ID (optional)",
    "Is framework",
    "Taxonomy",
]


def _urls(world, cohort: str) -> list[str]:
    base = f"/cohorts/{world[cohort]}/referentiel"
    return [base, f"{base}.csv"]


@pytest.mark.parametrize("role", ROLES)
def test_the_referential_is_read_by_everyone_in_the_cohort_and_nobody_else(login_as, world, role):
    client = login_as(role)
    for cohort, readers in READERS.items():
        for url in _urls(world, cohort):
            status = client.get(url).status_code
            expected = 200 if role in readers else 403
            assert status == expected, f"{role} on {url}: {status}, expected {expected}"


def test_anonymous_visitors_are_sent_to_login(client, world):
    for url in _urls(world, "cohort_a"):
        response = client.get(url)
        assert response.status_code == 302
        assert "/login" in response.headers["Location"]


def test_an_unknown_cohort_is_not_found(login_as, world):
    client = login_as("admin")
    assert client.get("/cohorts/999999/referentiel").status_code == 404
    assert client.get("/cohorts/999999/referentiel.csv").status_code == 404


def test_the_page_shows_the_whole_referential_of_the_cohort(login_as, world):
    response = login_as("a1").get(f"/cohorts/{world['cohort_a']}/referentiel")
    text = page_text(response)
    html = response.get_data(as_text=True)
    assert SHIPPED["name"] in text
    assert "8 domaines et 34 compétences, chacune évaluée sur une échelle de 4 niveaux" in text
    competences = [c for d in SHIPPED["domains"] for c in d["competences"]]
    assert len(competences) == 34
    for level in SHIPPED["levels"]:
        assert f"{level['value']} {level['label']} {level['description']}" in text
    for domain in SHIPPED["domains"]:
        # One entry of the table of contents per domain, pointing at its section.
        assert f'href="#domaine-{domain["code"]}"' in html
        assert f'id="domaine-{domain["code"]}"' in html
        assert f"{domain['code']} {domain['name']}" in text
        for competence in domain["competences"]:
            assert f"{competence['code']} {competence['label']}" in text
            assert competence["description"] in text
    assert text.count("Je sais") >= 30
    # Back to where a catalyseur starts.
    assert f'href="/cohorts/{world["cohort_a"]}/my-path"' in html


@pytest.mark.parametrize(
    ("role", "back"),
    [("coordinator", ""), ("committee", "/comite"), ("coach", "/my-territories"), ("admin", "")],
)
def test_the_page_leads_back_to_where_each_role_starts(login_as, world, role, back):
    html = login_as(role).get(f"/cohorts/{world['cohort_a']}/referentiel").get_data(as_text=True)
    assert f'href="/cohorts/{world["cohort_a"]}{back}"' in html


def test_the_page_prints_without_the_site_around_it(client, login_as, world):
    html = login_as("coach").get(f"/cohorts/{world['cohort_a']}/referentiel").get_data(as_text=True)
    assert 'href="/static/css/print.css" media="print"' in html
    # « Imprimer » needs the script (the CSP allows no inline one): hidden until it runs.
    assert '<button type="button" class="secondary" data-print hidden>Imprimer</button>' in html
    assert '<script src="/static/js/print.js" defer></script>' in html
    assert 'class="actions no-print"' in html
    assert html.count('class="referential-competence"') == 34
    assert html.count('class="referential-domain"') == 8
    assert "<script>" not in html and " onclick=" not in html
    css = _static(client, "/static/css/print.css")
    hidden = "header.container, footer.container, .skip-link, .flash, .no-print { display: none"
    assert hidden in css
    assert ".referential-competence { break-inside: avoid;" in css
    assert ".referential-scale, .referential-domain { break-inside: avoid-page;" in css
    script = _static(client, "/static/js/print.js")
    assert "window.print()" in script


def _static(client, url: str) -> str:
    response = client.get(url)
    try:
        assert response.status_code == 200, url
        return response.get_data(as_text=True)
    finally:
        response.close()


@pytest.mark.parametrize(
    ("role", "page"),
    [
        ("coordinator", ""),
        ("committee", ""),
        ("admin", ""),
        ("a1", "/my-path"),
        ("coach", "/my-territories"),
    ],
)
def test_every_role_finds_the_referential_from_its_first_page(login_as, world, role, page):
    response = login_as(role).get(f"/cohorts/{world['cohort_a']}{page}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert f'href="/cohorts/{world["cohort_a"]}/referentiel"' in html
    assert "Référentiel de compétences" in page_text(response)
    assert "8 domaines, 34 compétences" in page_text(response)


def test_the_territory_page_does_not_repeat_the_link(login_as, world):
    response = login_as("coordinator").get(f"/territories/{world['territory_a1']}")
    assert "/referentiel" not in response.get_data(as_text=True)


def test_the_moodle_file_is_the_cohorts_referential(login_as, world):
    response = login_as("committee").get(f"/cohorts/{world['cohort_a']}/referentiel.csv")
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == (
        "attachment; filename=referentiel-co-construction-territoriale-v1-moodle.csv"
    )
    assert response.headers["Cache-Control"] == "private, no-store"
    body = response.get_data()
    assert not body.startswith(b"\xef\xbb\xbf")  # as Moodle writes it: UTF-8, no BOM
    rows = list(csv.reader(io.StringIO(body.decode("utf-8"))))
    assert rows[0] == MOODLE_HEADER
    assert rows[1][1:3] == ["co-construction-territoriale-v1", SHIPPED["name"]]
    assert rows[1][12] == "1"
    assert [row[1] for row in rows[2:]] == [
        code
        for domain in SHIPPED["domains"]
        for code in [domain["code"], *(c["code"] for c in domain["competences"])]
    ]


def _cohort_on(app, world, document: CurriculumDocument) -> int:
    with app.test_request_context():
        version = load_document(document, "variante.toml").version
        cohort = cohort_ops.create_cohort(
            version=db.session.get(CurriculumVersion, version.id),
            name="Cohorte variante",
            start_date=date(2026, 10, 5),
            created_by=db.session.get(User, world["admin"]),
        )
        db.session.commit()
        return cohort.id


def _variant(path=CURRICULUM, **referential) -> CurriculumDocument:
    data = parse_file(path).model_dump(mode="json")
    data["programme"]["slug"] = "variante"
    data["referential"].update(referential)
    return CurriculumDocument.model_validate(data)


def test_a_scale_moodle_cannot_hold_is_explained_not_downloaded(app, login_as, world):
    levels = [
        {"value": 0, "label": "Pas encore, ou à peine"},
        {"value": 1, "label": "Acquis"},
    ]
    cohort_id = _cohort_on(app, world, _variant(levels=levels))
    client = login_as("admin")
    response = client.get(f"/cohorts/{cohort_id}/referentiel.csv")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/cohorts/{cohort_id}/referentiel")
    text = page_text(client.get(response.headers["Location"]))
    assert "Le niveau « Pas encore, ou à peine » contient une virgule" in text


def test_a_cohort_keeps_the_referential_of_the_version_it_started_with(app, login_as, world):
    # The programme's file changes after cohort A started: a new version, for new cohorts.
    changed = _variant(name="Référentiel révisé")
    data = changed.model_dump(mode="json")
    data["programme"]["slug"] = "co-construction-territoriale"
    newer = _cohort_on(app, world, CurriculumDocument.model_validate(data))
    client = login_as("admin")
    old = page_text(client.get(f"/cohorts/{world['cohort_a']}/referentiel"))
    assert SHIPPED["name"] in old and "Référentiel révisé" not in old
    assert "programme « Co-construction territoriale », version 1" in old
    new = page_text(client.get(f"/cohorts/{newer}/referentiel"))
    assert "Référentiel révisé" in new
    assert "programme « Co-construction territoriale », version 2" in new
    response = client.get(f"/cohorts/{newer}/referentiel.csv")
    assert "co-construction-territoriale-v2-moodle.csv" in response.headers["Content-Disposition"]


def _grow(app, world, count: int) -> None:
    """Add ``count`` territories, each with a catalyseur, to cohort A."""
    with app.test_request_context():
        cohort = db.session.get(Cohort, world["cohort_a"])
        coordinator = db.session.get(User, world["coordinator"])
        for n in range(count):
            territory = cohort_ops.add_territory(
                cohort,
                name=f"Territoire en plus {n}",
                region="Bretagne",
                department="Finistère",
                kind="rural",
                carrier_structure="Asso",
                carrier_type="associatif",
                status="accepted",
                status_reason="",
            )
            cohort_ops.add_catalyseur(
                territory,
                email=f"plus{n}@example.org",
                full_name=f"Catalyseur en plus {n}",
                organisation="",
                invited_by=coordinator,
            )
        db.session.commit()


def test_the_page_costs_the_same_queries_whatever_the_cohort_and_its_referential(
    app, login_as, world, query_counter
):
    client = login_as("coordinator")
    url = f"/cohorts/{world['cohort_a']}/referentiel"
    client.get(url)  # the curriculum's document is parsed once per process

    def count(target: str) -> int:
        with query_counter:
            assert client.get(target).status_code == 200
        return query_counter.count

    small = count(url)
    _grow(app, world, 6)
    assert count(url) == small
    assert count(f"{url}.csv") == small
    # A cohort of another programme, with a smaller referential: no more, no less.
    sister = _cohort_on(app, world, _variant(SISTER_CURRICULUM))
    admin = login_as("admin")
    admin.get(f"/cohorts/{sister}/referentiel")
    with query_counter:
        assert admin.get(f"/cohorts/{sister}/referentiel").status_code == 200
    assert query_counter.count == small
    assert small <= 4
