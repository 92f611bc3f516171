"""The ratings exports: who may download them, and what the CSV and the workbook hold."""

import csv
import io
from datetime import datetime

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from parcours.accounts.models import User
from parcours.cohorts.models import Cohort, Territory
from parcours.competences import operations as ops
from parcours.competences.exports import queries
from parcours.competences.models import (
    Assessment,
    AssessmentCampaign,
    AssessmentRating,
    Viewpoint,
)
from parcours.competences.queries import is_current
from parcours.competences.sections import campaign_blocks
from parcours.core.extensions import db
from parcours.core.time import PARIS, freeze
from tests.competences import factories as f
from tests.conftest import ROLES

EXPORTERS = {"cohort_a": {"admin", "coordinator"}, "cohort_b": {"admin", "coordinator_b"}}
INJECTED = '=HYPERLINK("http://exemple.invalid";"clic")'
COMMENT = "Je co-anime le comité local ; « pas encore seule »\nsuite"


def _level(index, item):
    return None if index == 0 else index % 4


@pytest.fixture
def answered(app, world):
    """T0 answered from every viewpoint in cohort A, then MID: a1 reopened once (revision 2)."""
    with app.test_request_context():
        return _answer(world)


def _answer(world) -> dict[str, int]:
    cohort = world["cohort_a"]
    with freeze(f.inside(cohort, "T0")):
        t0 = f.open_campaign(cohort, "T0", world["coordinator"])
        a1 = db.session.get(User, world["a1"])
        territory = db.session.get(Territory, world["territory_a1"])
        answer = f.levels_answer(t0, Viewpoint.SELF, _level)
        items = ops.items(t0, Viewpoint.SELF)
        answer.ratings[items[1].code].comment = COMMENT
        answer.ratings[items[2].code].comment = INJECTED
        ops.submit(ops.save_draft(t0, Viewpoint.SELF, territory, a1.id, answer, by=a1), by=a1)
        f.submit_self(t0, world["a1bis"], lambda i, item: 3)
        f.submit_self(t0, world["a2"], lambda i, item: 1)
        f.submit_territory(
            t0, Viewpoint.CONSENSUS, world["territory_a1"], (world["a1"], world["a1bis"])
        )
        f.submit_territory(
            t0, Viewpoint.COACH, world["territory_a1"], (world["coach"],), lambda i, item: i % 4
        )
    with freeze(f.inside(cohort, "MID")):
        mid = f.open_campaign(cohort, "MID", None)
        first = f.submit_self(mid, world["a1"], lambda i, item: 1)
        draft = ops.reopen(first, by=db.session.get(User, world["coordinator"]))
        answer = f.levels_answer(mid, Viewpoint.SELF, lambda i, item: 2)
        ops.submit(ops.save_draft(mid, Viewpoint.SELF, territory, a1.id, answer, by=a1), by=a1)
        assert draft.id is not None
    db.session.commit()  # on the test's connection, rolled back with it
    return {"t0": t0.id, "mid": mid.id}


def _urls(world, answered) -> dict[str, list[str]]:
    urls = {"cohort_a": [], "cohort_b": []}
    for fmt in ("csv", "xlsx"):
        urls["cohort_a"] += [
            f"/auto-evaluations/{answered['t0']}/export.{fmt}",
            f"/cohorts/{world['cohort_a']}/auto-evaluations/export.{fmt}",
        ]
        urls["cohort_b"].append(f"/cohorts/{world['cohort_b']}/auto-evaluations/export.{fmt}")
    return urls


def _csv(response) -> list[dict]:
    text = response.get_data().decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text, newline=""), delimiter=";"))


def _expected(campaign_ids) -> list[tuple]:
    """What the database holds: (viewpoint, subject, code, level or -1, revision), current only."""
    rows = db.session.execute(
        select(
            Assessment.viewpoint,
            Assessment.subject,
            AssessmentRating.code,
            AssessmentRating.level,
            Assessment.revision,
        )
        .join(AssessmentRating.assessment)
        .where(Assessment.campaign_id.in_(campaign_ids), is_current())
    ).all()
    return sorted((v, s, c, -1 if level is None else level, r) for v, s, c, level, r in rows)


@pytest.mark.parametrize("role", ROLES)
def test_only_those_who_read_every_answer_download_them(login_as, world, answered, role):
    client = login_as(role)
    for cohort, urls in _urls(world, answered).items():
        for url in urls:
            response = client.get(url)
            allowed = role in EXPORTERS[cohort]
            assert response.status_code == (200 if allowed else 403), f"{role} on {url}"
            if not allowed:
                body = response.get_data()
                assert b"a1@example.org" not in body and b"Catalyseur A1" not in body


def test_anonymous_visitors_are_sent_to_login(client, world, answered):
    for url in _urls(world, answered)["cohort_a"]:
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_other_formats_and_unknown_objects_are_not_found(login_as, world, answered):
    client = login_as("admin")
    assert client.get(f"/auto-evaluations/{answered['t0']}/export.pdf").status_code == 404
    assert (
        client.get(f"/cohorts/{world['cohort_a']}/auto-evaluations/export.ods").status_code == 404
    )
    assert client.get("/auto-evaluations/999999/export.csv").status_code == 404
    assert client.get("/cohorts/999999/auto-evaluations/export.xlsx").status_code == 404


VIEWPOINTS = {
    "Auto-évaluation": "self",
    "Consensus du binôme": "consensus",
    "Appréciation de l'accompagnateur": "coach",
}


def _key(world, row) -> tuple:
    """A CSV row as :func:`_expected` reads the database."""
    viewpoint = VIEWPOINTS[row["Point de vue"]]
    if viewpoint == "self":
        subject = f"u{db.session.scalar(select(User.id).where(User.email == row['E-mail']))}"
    else:
        subject = (
            f"t{world['territory_a1']}" if viewpoint == "consensus" else f"k{world['territory_a1']}"
        )
    code = row["Code de la compétence"] or row["Code du domaine"]
    level = int(row["Niveau"]) if row["Niveau"] else -1  # « je ne sais pas »
    return (viewpoint, subject, code, level, int(row["Révision"]))


def test_the_csv_is_for_french_excel_and_holds_every_current_rating(login_as, world, answered, ctx):
    url = f"/cohorts/{world['cohort_a']}/auto-evaluations/export.csv"
    response = login_as("coordinator").get(url)
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == (
        "attachment; filename=auto-evaluations-cohorte-a.csv"
    )
    raw = response.get_data()
    assert raw.startswith(b"\xef\xbb\xbf")  # the BOM by which French Excel reads UTF-8
    header_line = raw[3:].split(b"\r\n", 1)[0].decode()
    assert header_line.startswith("Code du moment;Moment;Territoire;Participant;E-mail;")
    rows = _csv(response)
    assert list(rows[0]) == [str(c) for c in queries.COLUMNS]
    assert sorted(_key(world, row) for row in rows) == _expected([answered["t0"], answered["mid"]])

    a1 = db.session.get(User, world["a1"])
    # Only a1's second MID revision is there, never the first one.
    mid_a1 = [r for r in rows if r["Code du moment"] == "MID" and r["E-mail"] == a1.email]
    assert mid_a1 and {(r["Révision"], r["Niveau"]) for r in mid_a1} == {("2", "2")}

    t0_a1 = [r for r in rows if r["Code du moment"] == "T0" and r["E-mail"] == a1.email]
    unknown, commented, injected = t0_a1[0], t0_a1[1], t0_a1[2]
    assert (unknown["Niveau"], unknown["Je ne sais pas"], unknown["Libellé du niveau"]) == (
        "",
        "oui",
        "Je ne sais pas",
    )
    assert commented["Je ne sais pas"] == "non" and commented["Commentaire"] == COMMENT
    assert injected["Commentaire"] == "'" + INJECTED  # guarded: Excel shows it as text
    items = ops.items(db.session.get(AssessmentCampaign, answered["t0"]), Viewpoint.SELF)
    assert (unknown["Code de la compétence"], unknown["Compétence"]) == (
        items[0].code,
        items[0].label,
    )
    assert (unknown["Code du domaine"], unknown["Domaine"]) == (
        items[0].domain_code,
        items[0].domain_name,
    )
    assert unknown["Participant"] == "Catalyseur A1" and unknown["Territoire"] == "Territoire A1"
    assert unknown["Moment"] and unknown["Moment"] != "T0"  # the moment's name, beside its code
    submitted = db.session.scalar(
        select(Assessment.submitted_at).where(
            Assessment.subject == f"u{a1.id}", Assessment.campaign_id == answered["t0"]
        )
    )
    assert unknown["Soumis le"] == submitted.astimezone(PARIS).strftime("%d/%m/%Y %H:%M")
    coach = [r for r in rows if VIEWPOINTS[r["Point de vue"]] == "coach"]
    assert coach and all(r["Code de la compétence"] == "" and r["E-mail"] == "" for r in coach)
    consensus = [r for r in rows if VIEWPOINTS[r["Point de vue"]] == "consensus"]
    assert len(consensus) == len(items) and all(r["Participant"] == "" for r in consensus)


def test_a_campaign_export_holds_that_moment_only(login_as, world, answered, ctx):
    response = login_as("admin").get(f"/auto-evaluations/{answered['mid']}/export.csv")
    assert response.headers["Content-Disposition"] == (
        "attachment; filename=auto-evaluations-cohorte-a-mid.csv"
    )
    rows = _csv(response)
    assert {r["Code du moment"] for r in rows} == {"MID"}
    assert sorted(_key(world, row) for row in rows) == _expected([answered["mid"]])


def test_the_workbook_has_a_typed_sheet_per_viewpoint(login_as, world, answered, ctx):
    url = f"/auto-evaluations/{answered['t0']}/export.xlsx"
    response = login_as("coordinator").get(url)
    assert response.mimetype == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert "auto-evaluations-cohorte-a-t0.xlsx" in response.headers["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.get_data()))
    assert book.sheetnames == ["Auto-évaluations", "Consensus", "Appréciations"]
    header = [str(c) for c in queries.COLUMNS]
    level, unknown, revision, submitted, comment = (
        header.index(name)
        for name in ("Niveau", "Je ne sais pas", "Révision", "Soumis le", "Commentaire")
    )
    found = []
    for sheet in book:
        rows = list(sheet.iter_rows(values_only=True))
        assert list(rows[0]) == header
        assert sheet.freeze_panes == "A2"
        assert sheet.column_dimensions["A"].width > 0
        for row in rows[1:]:
            assert isinstance(row[revision], int) and isinstance(row[submitted], datetime)
            assert row[level] is None or isinstance(row[level], int)
            assert isinstance(row[unknown], bool) and row[unknown] == (row[level] is None)
            found.append(dict(zip(header, row, strict=True)))
    assert len(found) == len(_expected([answered["t0"]]))
    assert {(r["Point de vue"]) for r in found} == set(VIEWPOINTS)

    self_sheet = book["Auto-évaluations"]
    cells = [row[comment] for row in self_sheet.iter_rows(min_row=2)]
    guarded = next(cell for cell in cells if cell.value == INJECTED)
    # Kept as written, as a text Excel never evaluates (not a formula).
    assert guarded.data_type == "s" and guarded.quotePrefix
    a1 = db.session.get(User, world["a1"])
    first = next(
        row for row in self_sheet.iter_rows(min_row=2, values_only=True) if row[4] == a1.email
    )
    stored = db.session.scalar(
        select(Assessment.submitted_at).where(
            Assessment.subject == f"u{a1.id}", Assessment.campaign_id == answered["t0"]
        )
    )
    expected = stored.astimezone(PARIS).replace(tzinfo=None)
    assert abs((first[submitted] - expected).total_seconds()) < 0.001


def test_exports_read_the_database_in_a_fixed_number_of_statements(
    world, answered, ctx, query_counter
):
    cohort = db.session.get(Cohort, world["cohort_a"])
    db.session.expire_all()
    with query_counter as small:
        export = queries.cohort_ratings(cohort)
    rows = len(export.rows)
    with freeze(f.inside(world["cohort_a"], "END")):
        end = f.open_campaign(world["cohort_a"], "END", None)
        for key in ("a1", "a1bis", "a2"):
            f.submit_self(end, world[key], lambda i, item: 3)
    db.session.expire_all()
    with query_counter as large:
        export = queries.cohort_ratings(cohort)
    assert len(export.rows) > rows
    assert large.count == small.count <= 3


def test_the_campaign_page_links_the_exports_for_coordinators_only(world, answered, ctx):
    campaign = db.session.get(AssessmentCampaign, answered["t0"])
    for key in ("coordinator", "admin"):
        html = "".join(campaign_blocks(campaign, db.session.get(User, world[key])))
        assert f"/auto-evaluations/{campaign.id}/export.xlsx" in html
        assert f"/cohorts/{world['cohort_a']}/auto-evaluations/export.csv" in html
    for key in ("coach", "committee", "a1", "a2", "coordinator_b"):
        html = "".join(campaign_blocks(campaign, db.session.get(User, world[key])))
        assert "export." not in html


def test_the_dashboard_links_the_exports_for_coordinators_only(login_as, world, answered):
    # No ``ctx`` here: a request would reuse its application context, and its logged-in user.
    url = f"/cohorts/{world['cohort_a']}"
    for role in ("coordinator", "admin"):
        dashboard = login_as(role).get(url).get_data(as_text=True)
        for campaign_id in answered.values():
            assert f"/auto-evaluations/{campaign_id}/export.csv" in dashboard
        assert f"/cohorts/{world['cohort_a']}/auto-evaluations/export.xlsx" in dashboard
    committee = login_as("committee").get(url)
    assert committee.status_code == 200
    assert "auto-evaluations/export" not in committee.get_data(as_text=True)


def test_no_link_on_the_dashboard_before_a_campaign_opens(login_as, world):
    dashboard = login_as("coordinator").get(f"/cohorts/{world['cohort_a']}")
    assert dashboard.status_code == 200
    assert "auto-evaluations/export" not in dashboard.get_data(as_text=True)
