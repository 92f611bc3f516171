"""The pack's PDF: pages, outline, text, fonts and metadata; the pseudonymised variant."""

from datetime import UTC, datetime

from parcours.cohorts.models import Cohort
from parcours.core.extensions import db
from parcours.curricula.schema import PackKind
from parcours.evaluation.packs.codes import assign_codes
from parcours.evaluation.packs.gather import gather
from parcours.evaluation.packs.render import render
from tests.pdfs import embedded_fonts, read_pdf

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def _outline(reader) -> list[str]:
    titles = []

    def walk(items):
        for item in items:
            if isinstance(item, list):
                walk(item)
            else:
                titles.append(item.title)

    walk(reader.outline)
    return titles


def test_the_full_pack_names_territories_and_people(app, world):
    with app.test_request_context():
        cohort = db.session.get(Cohort, world["cohort_a"])
        data = gather(cohort, PackKind.LAUNCH, now=NOW)
        rendered = render(data, pseudonymised=False)
    reader, text = read_pdf(rendered.pdf)
    assert rendered.pages == len(reader.pages)
    assert "Dossier de lancement du Comité d'orientation" in text
    assert "Données au 01/03/2026" in text
    assert "Territoire A1" in text and "Catalyseur A1 bis" in text
    outline = _outline(reader)
    assert outline[:2] == ["Sommaire", "La cohorte et ses territoires"]
    assert "Territoire A1" in outline and "Annexe méthodologique" in outline
    assert reader.metadata.title.startswith("Dossier de lancement du Comité d'orientation")
    assert reader.metadata.author
    assert all(embedded for _name, embedded in embedded_fonts(reader))


def test_the_pseudonymised_pack_names_no_one(app, world):
    with app.test_request_context():
        cohort = db.session.get(Cohort, world["cohort_a"])
        codes = assign_codes(cohort)
        data = gather(cohort, PackKind.LAUNCH, now=NOW)
        rendered = render(data, pseudonymised=True, codes=codes)
    reader, text = read_pdf(rendered.pdf)
    for name in ("Territoire A", "Catalyseur A", "Coach A", "Cher"):
        assert name not in text
    assert "T01" in text and "T02" in text
    assert "T01" in _outline(reader)
