"""The final pack of the demo cohort: reconciliation with « données du rapport », nobody named
in the pseudonymised version, and a number of queries that does not grow with territories."""

import re

import pytest
from sqlalchemy import select, update

from parcours.accounts.models import User
from parcours.cohorts.models import Cohort, Territory
from parcours.core.extensions import db
from parcours.core.time import now_utc
from parcours.curricula.schema import PackKind
from parcours.evaluation.packs.codes import assign_codes
from parcours.evaluation.packs.export import sheets
from parcours.evaluation.packs.gather import PackData, gather
from parcours.evaluation.packs.render import render
from tests.demo import CURRENT
from tests.pdfs import read_pdf

PASSWORD = "demo-password-for-tests"


@pytest.fixture
def demo(app):
    result = app.test_cli_runner().invoke(args=["demo", "--password", PASSWORD])
    assert result.exit_code == 0, result.output
    with app.test_request_context():
        yield db.session.scalar(CURRENT)


def test_the_demo_pack_reconciles_and_names_no_one_when_pseudonymised(demo, query_counter):
    cohort = demo
    now = now_utc()
    with query_counter:
        data = gather(cohort, PackKind.FINAL, now=now)
    queries = query_counter.count
    assert PackData.from_snapshot(data.snapshot()) == data
    assert len(data.territory_pages) == 12
    assert data.participation.attended > 0

    full = render(data, pseudonymised=False)
    _reader, text = read_pdf(full.pdf)
    tables = {sheet.name: sheet for sheet in sheets(data.snapshot())}
    sessions = tables["Présence par session"].rows[-1]
    assert sessions[0] == "Total" and sessions[5] == data.participation.attended
    assert f"Total {sum(s.half_days for s in data.participation.sessions)} " in text
    assert f"{data.participation.attended} / {data.participation.possible}" in text
    activity = tables["Participation par territoire"].rows[-1]
    total = dict(zip(tables["Participation par territoire"].header, activity, strict=True))
    printed = re.search(r"Total \d+ / \d+ \(\d+ %\) (\d+) (\d+) (\d+) (\d+)", text)
    assert printed, text[-3000:]
    assert [int(v) for v in printed.groups()] == [
        total["Bilatérales tenues"],
        total["Suivis tenus"],
        total["Visites tenues"],
        total["Entrées du carnet de bord"],
    ]
    territories = tables["Territoires"].rows[-1]
    assert territories[8] == data.composition.participants

    codes = assign_codes(cohort)
    pseudo = render(data, pseudonymised=True, codes=codes)
    _reader, text = read_pdf(pseudo.pdf)
    names = db.session.scalars(select(User.full_name).where(User.email.like("%demo%"))).all()
    territory_names = db.session.scalars(
        select(Territory.name).where(Territory.cohort_id == cohort.id)
    ).all()
    assert names and territory_names
    for name in [*names, *territory_names]:
        assert name not in text, name
    assert "T12" in text

    # One territory or twelve: the same number of queries.
    accepted = [t.territory_id for t in data.territory_pages]
    db.session.execute(
        update(Territory).where(Territory.id.in_(accepted[1:])).values(status="withdrawn")
    )
    db.session.expire_all()
    cohort = db.session.get(Cohort, cohort.id)
    with query_counter:
        small = gather(cohort, PackKind.FINAL, now=now)
    assert len(small.territory_pages) == 1
    assert query_counter.count == queries


def test_the_committee_never_reads_a_lone_catalyseurs_levels(demo):
    past = db.session.scalars(select(Cohort).order_by(Cohort.start_date)).first()
    data = gather(past, PackKind.FINAL, now=now_utc())
    territories = {t.id: t for t in data.composition.territories}
    binomes = [p for p in data.territory_pages if territories[p.territory_id].is_binome]
    alone = [p for p in data.territory_pages if not territories[p.territory_id].is_binome]
    assert binomes and alone
    assert all(p.levels is None for p in alone)
    assert any(p.levels is not None and p.levels.source == "consensus" for p in binomes)
    _reader, text = read_pdf(render(data, pseudonymised=False).pdf)
    assert text.count("Non publié : les niveaux d'un·e catalyseur·rice seul·e") == len(alone)


def test_the_pseudonymised_pack_orders_territories_by_code_and_ties_no_testimony_to_one(demo):
    past = db.session.scalars(select(Cohort).order_by(Cohort.start_date)).first()
    data = gather(past, PackKind.FINAL, now=now_utc())
    assert data.testimonies  # the past promotion's final evaluation has some
    codes = assign_codes(past)
    reader, text = read_pdf(render(data, pseudonymised=True, codes=codes).pdf)
    contents = " ".join(reader.pages[0].extract_text().split())
    listed = re.findall(r"\bT\d\d\b", contents)
    # By name, the order would tell which code is which territory.
    assert listed == sorted(codes.values())
    assert not re.search(r"» T\d\d\b", text)  # no testimony signed with a code
    pages = [" ".join(page.extract_text().split()) for page in reader.pages]
    starts = re.compile(r"(Les territoires, un par un Données au \S+ )?T\d\d ")
    territory_pages = [page for page in pages if starts.match(page)]
    assert len(territory_pages) == len(codes)
    assert not any("Témoignage" in page for page in territory_pages)
