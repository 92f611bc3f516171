"""Generating a pack: what is frozen, versions, concurrent numbers, the editorial copied in, and
« données du rapport » drawn from the stored snapshot."""

import csv
import hashlib
import io
from datetime import UTC, datetime
from importlib import metadata

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from parcours.accounts.models import User
from parcours.cohorts.models import Cohort, Territory
from parcours.core.extensions import db
from parcours.core.kept import KeptAsWritten
from parcours.core.time import freeze
from parcours.curricula.schema import PackKind
from parcours.evaluation.models import CommitteePack, PackEditorial, TerritoryCode
from parcours.evaluation.packs import operations as ops
from parcours.evaluation.packs.data import PackData
from parcours.evaluation.packs.export import sheets
from parcours.evaluation.packs.gather import gather
from tests.conftest import ROLES, page_text

MANAGERS = {"admin", "coordinator"}
#: Cohort A (start 2 March 2026) is between its mid-way and its final committees.
MIDWAY_TIME = datetime(2026, 7, 1, 8, 0, tzinfo=UTC)
INJECTED = '=HYPERLINK("http://exemple.invalid";"clic")'


def _generate_url(world, kind="midway"):
    return f"/cohorts/{world['cohort_a']}/comite/dossiers/{kind}/generer"


def _packs():
    return db.session.scalars(select(CommitteePack).order_by(CommitteePack.number)).all()


def _generate(world, kind=PackKind.MIDWAY, now=MIDWAY_TIME) -> CommitteePack:
    cohort = db.session.get(Cohort, world["cohort_a"])
    return ops.generate_pack(cohort, kind, by=db.session.get(User, world["coordinator"]), now=now)


@pytest.mark.parametrize("role", ROLES)
def test_only_those_who_run_the_cohort_generate_its_packs(login_as, world, role, ctx):
    with freeze(MIDWAY_TIME):
        response = login_as(role).post(_generate_url(world))
    assert response.status_code == (302 if role in MANAGERS else 403)
    assert len(_packs()) == (1 if role in MANAGERS else 0)


def test_a_generated_pack_stores_both_files_its_data_and_their_fingerprints(login_as, world, ctx):
    with freeze(MIDWAY_TIME):
        response = login_as("coordinator").post(_generate_url(world))
    assert response.status_code == 302 and response.headers["Location"].endswith("#midway")
    (pack,) = _packs()
    assert (pack.kind, pack.number, pack.generated_by_id) == ("midway", 1, world["coordinator"])
    assert pack.generated_at.replace(tzinfo=UTC) == MIDWAY_TIME
    assert pack.app_version == metadata.version("parcours")
    assert pack.pdf.startswith(b"%PDF") and pack.pseudonymised_pdf.startswith(b"%PDF")
    assert pack.pdf != pack.pseudonymised_pdf
    assert pack.sha256 == hashlib.sha256(pack.pdf).hexdigest()
    assert pack.pseudonymised_sha256 == hashlib.sha256(pack.pseudonymised_pdf).hexdigest()
    assert pack.pages > 1
    cohort = db.session.get(Cohort, world["cohort_a"])
    assert pack.snapshot == gather(cohort, PackKind.MIDWAY, now=MIDWAY_TIME).snapshot()
    assert PackData.from_snapshot(pack.snapshot).snapshot() == pack.snapshot
    # The pseudonymised version's codes were given for good.
    codes = db.session.scalars(select(TerritoryCode.code).order_by(TerritoryCode.code)).all()
    assert codes == ["T01", "T02"]


def test_regenerating_adds_a_version_and_keeps_the_earlier_one_unchanged(world, ctx):
    first = _generate(world)
    kept = (first.id, first.sha256, first.pdf, first.snapshot)
    db.session.commit()
    db.session.get(Territory, world["territory_a2"]).name = "Territoire A2 renommé"
    db.session.flush()
    second = _generate(world, now=datetime(2026, 7, 2, 8, 0, tzinfo=UTC))
    db.session.commit()
    db.session.expire_all()
    first = db.session.get(CommitteePack, kept[0])
    assert (first.id, first.sha256, first.pdf, first.snapshot) == kept
    assert (first.number, second.number) == (1, 2)
    assert second.sha256 != first.sha256
    assert "Territoire A2 renommé" in str(second.snapshot)
    assert "Territoire A2 renommé" not in str(first.snapshot)
    # Each kind counts its own versions.
    assert _generate(world, PackKind.LAUNCH).number == 1


def test_a_pack_cannot_be_changed_or_deleted_in_the_orm(world, ctx):
    pack = _generate(world)
    pack.sha256 = "0" * 64
    with pytest.raises(KeptAsWritten):
        db.session.flush()
    db.session.rollback()
    pack = _generate(world)
    db.session.delete(pack)
    with pytest.raises(KeptAsWritten):
        db.session.flush()
    db.session.rollback()


@pytest.mark.parametrize(
    "statement",
    ["UPDATE committee_packs SET sha256 = 'x'", "DELETE FROM committee_packs"],
)
def test_the_database_refuses_changing_a_pack(world, ctx, statement):
    _generate(world)
    with pytest.raises(DBAPIError, match="kept as written"), db.session.begin_nested():
        db.session.execute(text(statement))


def test_two_generations_at_once_take_two_numbers(world, ctx, monkeypatch):
    _generate(world)
    # The other coordinator read the same latest number: their insert collides, then retries.
    stale = iter([1])
    real = ops.next_number
    monkeypatch.setattr(ops, "next_number", lambda c, k: next(stale, None) or real(c, k))
    second = _generate(world)
    assert second.number == 2
    assert [p.number for p in _packs()] == [1, 2]


def test_a_generation_that_keeps_colliding_is_refused_with_a_message(
    login_as, world, ctx, monkeypatch
):
    _generate(world)
    db.session.commit()
    monkeypatch.setattr(ops, "next_number", lambda c, k: 1)
    with freeze(MIDWAY_TIME):
        response = login_as("coordinator").post(_generate_url(world))
    assert response.status_code == 409
    assert "réessayez" in page_text(response)
    assert len(_packs()) == 1


def test_the_pack_copies_the_saved_editorial(login_as, world, ctx):
    coordinator = login_as("coordinator")
    coordinator.post(
        f"/cohorts/{world['cohort_a']}/comite/dossiers/midway/editorial",
        data={"midway-version": "0", "midway-highlights": "Onze territoires au rendez-vous"},
    )
    with freeze(MIDWAY_TIME):
        coordinator.post(_generate_url(world))
    (pack,) = _packs()
    assert pack.snapshot["editorial"]["highlights"] == "Onze territoires au rendez-vous"
    assert db.session.scalars(select(PackEditorial)).one().kind == "midway"


def test_a_final_pack_may_be_generated_before_its_meeting(login_as, world, ctx):
    coordinator = login_as("coordinator")
    with freeze(MIDWAY_TIME):
        assert coordinator.post(_generate_url(world, "final")).status_code == 302
        text_ = page_text(coordinator.get(f"/cohorts/{world['cohort_a']}/comite/dossiers"))
    assert [p.kind for p in _packs()] == ["final"]
    assert "ne s'est pas encore réuni" in text_ and "données au 01/07/2026" in text_


def test_a_kind_without_its_meeting_in_the_curriculum_is_refused(world, ctx, monkeypatch):
    from parcours.evaluation.packs import queries

    cohort = db.session.get(Cohort, world["cohort_a"])
    monkeypatch.setattr(queries, "pack_kinds", lambda c: {PackKind.MIDWAY: "COMITE2"})
    with pytest.raises(ops.PackRefused):
        _generate(world, PackKind.FINAL)
    assert queries.offered_kind(cohort, "final") is None
    assert db.session.scalar(select(func.count(CommitteePack.id))) == 0


def test_the_report_data_are_the_snapshots_tables_for_french_excel(login_as, world, ctx):
    db.session.get(Territory, world["territory_a1"]).name = INJECTED
    db.session.commit()
    pack = _generate(world)
    db.session.commit()
    expected = sheets(pack.snapshot)
    coordinator = login_as("coordinator")
    response = coordinator.get(f"/comite/dossiers/{pack.id}/donnees.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "mi-parcours v1.csv" in response.headers["Content-Disposition"]
    assert response.headers["Cache-Control"] == "private, no-store"
    assert response.data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == [expected[0].name] and rows[1] == list(expected[0].header)
    for sheet in expected[1:]:
        assert [sheet.name] in rows and list(sheet.header) in rows
    assert "'" + INJECTED in [cell for row in rows for cell in row]
    # As many data rows as the sheets hold, plus each sheet's name and header, and a blank line.
    assert len(rows) == sum(len(s.rows) + 2 for s in expected) + len(expected) - 1

    response = coordinator.get(f"/comite/dossiers/{pack.id}/donnees.xlsx")
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.data))
    assert workbook.sheetnames == [s.name[:31] for s in expected]
    first = workbook[workbook.sheetnames[0]]
    cells = [cell for row in first.iter_rows() for cell in row if cell.value == INJECTED]
    assert cells and all(cell.data_type == "s" and cell.quotePrefix for cell in cells)
    assert first.max_row == len(expected[0].rows) + 1


def test_codes_given_by_another_generation_at_the_same_moment_ask_to_retry(
    login_as, world, ctx, monkeypatch
):
    from parcours.evaluation.packs import codes

    _generate(world)  # gives the codes
    db.session.commit()
    # The other generation read « no code yet » before this one's codes were saved.
    monkeypatch.setattr(codes, "codes_of", lambda cohort: {})
    with freeze(MIDWAY_TIME):
        response = login_as("coordinator").post(_generate_url(world))
    assert response.status_code == 409
    assert "D'autres dossiers sont générés en ce moment" in page_text(response)
    assert len(_packs()) == 1
