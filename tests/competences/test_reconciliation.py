"""The exports and the charts say the same numbers.

A coordinator who recomputes a domain's level from the exported ratings (the mean of its
competences, « je ne sais pas » left out) finds the value each radar draws, for every
participant, territory, viewpoint and moment, in the CSV and in the workbook alike.
"""

import csv
import io
from collections import defaultdict
from statistics import mean

import pytest
from openpyxl import load_workbook

from parcours.cohorts.models import Cohort, Territory
from parcours.competences.models import Viewpoint
from parcours.competences.progression import pages
from parcours.competences.progression import queries as progression
from parcours.core.extensions import db
from tests.competences.exports.test_exports import _answer

VIEWPOINT_LABELS = {viewpoint.label: viewpoint for viewpoint in Viewpoint}


@pytest.fixture
def answered(app, world):
    with app.test_request_context():
        return _answer(world)


def _means(rows) -> dict[tuple, float | None]:
    """Recompute (viewpoint, moment, who, domain) → level from exported rows, as a user would."""
    levels = defaultdict(list)
    for viewpoint, moment, who, domain, level in rows:
        key = (viewpoint, moment, who, domain)
        levels[key]  # a domain answered only « je ne sais pas » still has its row
        if level not in (None, ""):
            levels[key].append(float(str(level).replace(",", ".")))
    return {key: (mean(values) if values else None) for key, values in levels.items()}


def _csv_rows(client, cohort_id):
    response = client.get(f"/cohorts/{cohort_id}/auto-evaluations/export.csv")
    assert response.status_code == 200
    text = response.get_data().decode("utf-8-sig")
    for row in csv.DictReader(io.StringIO(text, newline=""), delimiter=";"):
        viewpoint = VIEWPOINT_LABELS[row["Point de vue"]]
        who = row["E-mail"] if viewpoint is Viewpoint.SELF else row["Territoire"]
        yield viewpoint, row["Code du moment"], who, row["Code du domaine"], row["Niveau"]


def _xlsx_rows(client, cohort_id):
    response = client.get(f"/cohorts/{cohort_id}/auto-evaluations/export.xlsx")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.get_data()))
    for sheet in book.worksheets:
        header, *rows = sheet.iter_rows(values_only=True)
        column = {name: index for index, name in enumerate(header)}
        for row in rows:
            viewpoint = VIEWPOINT_LABELS[row[column["Point de vue"]]]
            who = (
                row[column["E-mail"]] if viewpoint is Viewpoint.SELF else row[column["Territoire"]]
            )
            yield (
                viewpoint,
                row[column["Code du moment"]],
                who,
                row[column["Code du domaine"]],
                row[column["Niveau"]],
            )


def _charted(world) -> dict[tuple, float | None]:
    """What the radars draw: each subject's series, as the progression pages build them."""
    cohort = db.session.get(Cohort, world["cohort_a"])
    names = {t.id: t.name for t in db.session.query(Territory).filter_by(cohort_id=cohort.id)}
    emails = {m.user_id: m.user.email for t in cohort.territories for m in t.catalyseurs}
    drawn = {}
    domains = [d.code for d in cohort.curriculum.referential.domains]
    for viewpoint in Viewpoint:
        levels = progression.domain_levels(cohort, viewpoint)
        for subject in {who for _moment, who in levels}:
            series = progression.series_of(levels, subject)
            radar = pages.radar(cohort, "", series)
            number = int(subject[1:])
            who = emails[number] if viewpoint is Viewpoint.SELF else names[number]
            order = [m.code for m in progression.moments(cohort) if m.code in series]
            for drawn_series, moment in zip(radar.chart.series, order, strict=True):
                for domain, value in zip(domains, drawn_series.values, strict=True):
                    # The radar draws « no level » at the centre; the table says « — ».
                    level = series[moment][domain]
                    assert value == (level or 0)
                    drawn[(viewpoint, moment, who, domain)] = level
    return drawn


@pytest.mark.parametrize("rows", [_csv_rows, _xlsx_rows])
def test_the_exports_give_the_levels_the_radars_draw(app, world, answered, login_as, rows):
    client = login_as("coordinator")
    exported = _means(rows(client, world["cohort_a"]))
    with app.test_request_context():
        charted = _charted(world)
    assert set(exported) == set(charted)
    for key, level in charted.items():
        if level is None:
            assert exported[key] is None, key
        else:
            assert exported[key] == pytest.approx(level), key
    # The data holds every viewpoint and both moments (MID: a reopened answer's revision 2).
    assert {key[0] for key in charted} == set(Viewpoint)
    assert {key[1] for key in charted} == {"T0", "MID"}
