"""The PDF toolkit: a story built into numbered pages with the embedded fonts."""

import pytest
from flask_babel import force_locale
from reportlab.lib.pagesizes import A4, landscape
from reportlab.pdfbase import pdfmetrics
from reportlab.platypus import PageBreak

from parcours.reports import pdf
from tests.pdfs import embedded_fonts, read_pdf


@pytest.fixture
def request_context(app):
    with app.test_request_context():
        yield


def test_a_one_page_document(request_context):
    story = [
        pdf.paragraph("Rapport d'évaluation", "title"),
        pdf.paragraph("Cohorte « Été 2026 » · Pays de Sèvre et Bocage", "body"),
        pdf.facts_table(
            [("Territoire", pdf.paragraph("Vallée de l'Orne")), ("Cohorte", pdf.paragraph("A"))],
            pdf.content_width(),
        ),
    ]
    reader, text = read_pdf(pdf.build(story, title="Rapport — A", footer="Cohorte A · Rapport"))
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)
    for expected in (
        "Rapport d'évaluation",
        "Cohorte « Été 2026 » · Pays de Sèvre et Bocage",
        "Territoire Vallée de l'Orne",
        "Cohorte A · Rapport",
        "Page 1 / 1",
    ):
        assert expected in text, expected
    assert embedded_fonts(reader) == {("DejaVuSans", True), ("DejaVuSans-Bold", True)}
    assert reader.metadata.title == "Rapport — A"
    assert reader.metadata.author == "Parcours"


def test_every_page_carries_its_number_out_of_the_total(request_context):
    story = [pdf.paragraph("Première"), PageBreak(), pdf.paragraph("Deuxième"), PageBreak()]
    story.append(pdf.paragraph("Troisième"))
    reader, _text = read_pdf(pdf.build(story, title="T", footer="Pied", header="En-tête"))
    pages = [" ".join(page.extract_text().split()) for page in reader.pages]
    assert len(pages) == 3
    for number, page in enumerate(pages, start=1):
        assert f"Page {number} / 3" in page
        assert "Pied" in page and "En-tête" in page
    assert "Deuxième" in pages[1] and "Deuxième" not in pages[0]


def test_without_a_header_only_the_footer_is_drawn(request_context):
    _reader, text = read_pdf(pdf.build([pdf.paragraph("Corps")], title="T", footer="Pied"))
    assert text.split() == ["Corps", "Pied", "Page", "1", "/", "1"]


def test_page_numbers_follow_the_language(request_context):
    with force_locale("en"):
        _reader, text = read_pdf(pdf.build([pdf.paragraph("x")], title="T", footer="F"))
    assert "Page 1 of 1" in text


def test_the_page_size_is_the_callers(request_context):
    reader, _text = read_pdf(
        pdf.build([pdf.paragraph("x")], title="T", footer="F", pagesize=landscape(A4))
    )
    box = reader.pages[0].mediabox
    assert float(box.width) > float(box.height)


def test_plain_text_is_escaped_and_markup_is_not(request_context):
    story = [pdf.paragraph("Dupont & <Fils> <b>"), pdf.markup("<b>Gras</b> &amp; fin")]
    _reader, text = read_pdf(pdf.build(story, title="T", footer="F"))
    assert "Dupont & <Fils> <b>" in text
    assert "Gras & fin" in text and "<b>Gras" not in text


def test_a_data_table_prints_its_header_and_rows(request_context):
    rows = [["Compétence", "T0", "Fin"], ["Animer & <relier>", "1", "3"], ["Évaluer", "0", "2"]]
    table = pdf.data_table(rows, pdf.content_width())
    # Everything fits on one line: the labels' column takes the room the figures leave.
    first, *figures = table._colWidths
    assert first > 0.8 * pdf.content_width() and all(width < first / 5 for width in figures)
    assert sum(table._colWidths) == pytest.approx(pdf.content_width())
    _reader, text = read_pdf(pdf.build([table], title="T", footer="F"))
    assert "Compétence T0 Fin Animer & <relier> 1 3 Évaluer 0 2" in text


def test_the_styles_use_the_embedded_fonts():
    assert {style.fontName for style in pdf.styles().values()} == {pdf.FONT, pdf.FONT_BOLD}


TERRITORIES = [
    ["Territoire", "Profil", "Structure porteuse", "Statut", "Catalyseur·rices et accompagnement"],
    [
        "Communauté de communes du Haut-Jura (Jura (39), Bourgogne-Franche-Comté)",
        "Agglomération",
        "Agence de développement (fictive) · Public",
        "Accepté",
        "Élodie Vandamme, Karim Saïdi · accompagnement : Paul Renard",
    ],
    ["Eurométropole de Strasbourg", "Territoire transfrontalier", "Privé", "Accepté", "—"],
]


def test_a_data_table_never_cuts_a_word_that_fits_its_column(request_context):
    width = pdf.content_width()
    widths = pdf.column_widths(TERRITORIES, width)
    assert sum(widths) == pytest.approx(width)
    for column, longest in enumerate(
        [
            "Bourgogne-Franche-Comté)",
            "transfrontalier",
            "développement",
            "Accepté",
            "accompagnement",
        ]
    ):
        style = pdf.styles()["column_left" if longest == "accompagnement" else "cell"]
        room = widths[column] - 12  # the cell's left and right padding
        assert pdfmetrics.stringWidth(longest, style.fontName, style.fontSize) <= room, longest
    # The long texts of the first and last columns get more room than a one-word status.
    assert widths[0] > widths[3] and widths[4] > widths[3]
    _reader, text = read_pdf(pdf.build([pdf.data_table(TERRITORIES, width)], title="T", footer="F"))
    for word in ("Agglomération", "transfrontalier", "développement", "accompagnement : Paul"):
        assert word in text, word


def test_words_longer_than_the_page_share_it_in_proportion(request_context):
    rows = [["A" * 60, "B" * 30], ["x", "y"]]
    widths = pdf.column_widths(rows, 200)
    assert sum(widths) == pytest.approx(200) and widths[0] == pytest.approx(2 * widths[1], rel=0.1)
