"""Charts: data → words (table, text alternative) → one drawing → PDF and SVG."""

import itertools
import xml.etree.ElementTree as ET

import pytest
from flask_babel import force_locale
from reportlab.graphics.shapes import Group, String
from reportlab.platypus import Spacer

from parcours.reports import charts, pdf
from tests.pdfs import embedded_fonts, read_pdf

NS = {"svg": charts.SVG_NS}
RECT = f"{{{charts.SVG_NS}}}rect"
LEVELS = ("Non abordé", "Découverte", "Pratique", "Maîtrise")


@pytest.fixture(autouse=True)
def request_context(app):
    with app.test_request_context():
        yield


def _radar(**fields) -> charts.RadarChart:
    values = {
        "title": "Compétences — Vallée de l'Orne",
        "axes": ["Mobiliser", "Animer & <relier>", "Évaluer", "Outiller"],
        "series": [
            charts.Series("T0", [1, 0, 2, 3]),
            charts.Series("Fin <script>alert(1)</script>", [2, 1.5, 3, 3]),
            charts.Series("A & B", [0, 0, 0, 0]),
        ],
        "scale_max": 3,
        "scale_labels": LEVELS,
        **fields,
    }
    return charts.RadarChart(**values)


def _bars(**fields) -> charts.BarChart:
    values = {
        "title": "Présence aux sessions",
        "bars": [
            charts.Bar("Pays de Sèvre et Bocage", 100),
            charts.Bar("Vallée de l'Orne", 62.5),
            charts.Bar("Terre & <Mer>", 0),
        ],
        "scale_max": 100,
        "unit": "%",
        **fields,
    }
    return charts.BarChart(**values)


# Data -----------------------------------------------------------------------------------------


def test_chart_data_is_kept_as_tuples():
    radar = _radar()
    assert radar.axes == ("Mobiliser", "Animer & <relier>", "Évaluer", "Outiller")
    assert radar.series[0] == charts.Series("T0", (1, 0, 2, 3))
    assert radar == _radar()  # plain values: two gatherings of the same data compare equal
    assert _bars().bars[2] == charts.Bar("Terre & <Mer>", 0)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"axes": ["A", "B"], "series": [charts.Series("S", [1, 2])]}, "at least 3 axes"),
        ({"series": [charts.Series("S", [1, 2, 3])]}, "one value per axis"),
        ({"series": [charts.Series("S", [1, 2, 3, 4])]}, "outside"),
        ({"series": [charts.Series("S", [1, 2, -1, 0])]}, "outside"),
        ({"series": [charts.Series(f"S{n}", [1, 1, 1, 1]) for n in range(8)]}, "at most 7"),
        ({"scale_labels": ["un", "deux"]}, "every level"),
        ({"scale_max": 0, "scale_labels": ()}, "at least 1"),
    ],
)
def test_a_radar_refuses_data_it_cannot_draw(fields, message):
    with pytest.raises(ValueError, match=message):
        _radar(**fields)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"bars": [charts.Bar("A", -1)]}, "outside"),
        ({"bars": [charts.Bar("A", 101)]}, "outside"),
        ({"scale_max": 0}, "positive"),
    ],
)
def test_a_bar_chart_refuses_data_it_cannot_draw(fields, message):
    with pytest.raises(ValueError, match=message):
        _bars(**fields)


def test_a_bar_chart_without_scale_spans_its_largest_bar():
    chart = _bars(scale_max=None, bars=[charts.Bar("A", 4), charts.Bar("B", 10)])
    assert chart.full_scale == 10
    assert _bars(scale_max=None, bars=[charts.Bar("A", 0)]).full_scale == 1


# Words ----------------------------------------------------------------------------------------


def test_radar_data_table():
    assert charts.data_table(_radar()) == [
        ["Axe", "T0", "Fin <script>alert(1)</script>", "A & B"],
        ["Mobiliser", "1 (Découverte)", "2 (Pratique)", "0 (Non abordé)"],
        ["Animer & <relier>", "0 (Non abordé)", "1,5", "0 (Non abordé)"],
        ["Évaluer", "2 (Pratique)", "3 (Maîtrise)", "0 (Non abordé)"],
        ["Outiller", "3 (Maîtrise)", "3 (Maîtrise)", "0 (Non abordé)"],
    ]
    plain = _radar(scale_labels=(), axis_heading="Compétence")
    assert charts.data_table(plain)[:3] == [
        ["Compétence", "T0", "Fin <script>alert(1)</script>", "A & B"],
        ["Mobiliser", "1", "2", "0"],
        ["Animer & <relier>", "0", "1,5", "0"],
    ]


def test_bar_data_table():
    assert charts.data_table(_bars()) == [
        ["Libellé", "Valeur"],
        ["Pays de Sèvre et Bocage", "100\N{NO-BREAK SPACE}%"],
        ["Vallée de l'Orne", "62,5\N{NO-BREAK SPACE}%"],
        ["Terre & <Mer>", "0\N{NO-BREAK SPACE}%"],
    ]
    named = _bars(label_heading="Territoire", value_heading="Taux", unit="")
    assert charts.data_table(named)[:2] == [
        ["Territoire", "Taux"],
        ["Pays de Sèvre et Bocage", "100"],
    ]


def test_radar_text_alternative_has_a_sentence_per_series():
    chart = _radar(series=[charts.Series("T0", [1, 0, 2, 3]), charts.Series("Fin", [2, 1.5, 3, 3])])
    assert charts.text_alternative(chart) == (
        "Compétences — Vallée de l'Orne : graphique en radar, de 0 à 3 (Maîtrise), sur les axes "
        "Mobiliser ; Animer & <relier> ; Évaluer ; Outiller. "
        "T0 : Mobiliser : 1 (Découverte) ; Animer & <relier> : 0 (Non abordé) ; "
        "Évaluer : 2 (Pratique) ; Outiller : 3 (Maîtrise). "
        "Fin : Mobiliser : 2 (Pratique) ; Animer & <relier> : 1,5 ; Évaluer : 3 (Maîtrise) ; "
        "Outiller : 3 (Maîtrise)."
    )


def test_bar_text_alternative_has_a_sentence_per_bar():
    assert charts.text_alternative(_bars()) == (
        "Présence aux sessions : graphique en barres. "
        "Pays de Sèvre et Bocage : 100\N{NO-BREAK SPACE}%. "
        "Vallée de l'Orne : 62,5\N{NO-BREAK SPACE}%. "
        "Terre & <Mer> : 0\N{NO-BREAK SPACE}%."
    )


def test_words_follow_the_readers_language():
    chart = _radar(series=[charts.Series("T0", [1, 0, 2, 1.5])])
    with force_locale("en"):
        assert charts.text_alternative(chart) == (
            "Compétences — Vallée de l'Orne: radar chart, from 0 to 3 (Maîtrise), on the axes "
            "Mobiliser; Animer & <relier>; Évaluer; Outiller. "
            "T0: Mobiliser: 1 (Découverte); Animer & <relier>: 0 (Non abordé); "
            "Évaluer: 2 (Pratique); Outiller: 1.5."
        )
        assert charts.data_table(chart)[0] == ["Axis", "T0"]
        assert charts.text_alternative(_bars(bars=[charts.Bar("A", 2.5)])) == (
            "Présence aux sessions: bar chart. A: 2.5\N{NO-BREAK SPACE}%."
        )
        assert charts.data_table(_bars())[0] == ["Label", "Value"]


# Drawing --------------------------------------------------------------------------------------


def _strings(node, dx: float = 0, dy: float = 0):
    """Yield (text, box) of every String in ``node``, boxes in the drawing's coordinates."""
    for child in node.getContents():
        if isinstance(child, Group):
            _a, _b, _c, _d, e, f = child.transform
            yield from _strings(child, dx + e, dy + f)
        elif isinstance(child, String):
            x0, y0, x1, y1 = child.getBounds()
            yield child.text, (x0 + dx, y0 + dy, x1 + dx, y1 + dy)


def _overlap(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


LONG_AXES = [
    "Mobiliser les acteurs du territoire autour d'un projet commun",
    "Animer une démarche de co-construction",
    "Diagnostiquer les fragilités et les besoins du territoire",
    "Évaluer l'impact",
    "Outiller les partenariats entre associations et entreprises",
    "Communiquer",
    "Faire alliance",
    "Capitaliser les expériences des territoires pilotes",
    "Négocier",
    "Se former",
    "Transmettre aux pairs de la communauté des catalyseurs",
    "Essaimer",
]


@pytest.mark.parametrize("count", range(3, 13))
def test_radar_labels_never_overlap_and_stay_inside(count):
    series = [
        charts.Series(label, [n % 4 for n in range(count)])
        for label in ("T0 — mars 2026", "Mi-parcours", "Fin de parcours", "Moyenne de la cohorte")
    ]
    chart = _radar(axes=LONG_AXES[:count], series=series)
    drawing = charts.draw(chart)
    strings = list(_strings(drawing))
    texts = [text for text, _box in strings]
    for legend in ("T0 — mars 2026", "Mi-parcours", "Fin de parcours", "Moyenne de la cohorte"):
        assert legend in texts
    assert "3 · Maîtrise" in texts
    for (text_a, a), (text_b, b) in itertools.combinations(strings, 2):
        assert not _overlap(a, b), (text_a, text_b)
    for text, (x0, y0, x1, y1) in strings:
        assert x0 >= 0 and x1 <= drawing.width and y0 >= 0 and y1 <= drawing.height, text


def test_bar_labels_never_overlap_and_stay_inside():
    chart = _bars(bars=[charts.Bar(label, n * 9) for n, label in enumerate(LONG_AXES)])
    drawing = charts.draw(chart)
    strings = list(_strings(drawing))
    assert "99\N{NO-BREAK SPACE}%" in [text for text, _box in strings]
    for (text_a, a), (text_b, b) in itertools.combinations(strings, 2):
        assert not _overlap(a, b), (text_a, text_b)
    for text, (x0, y0, x1, y1) in strings:
        assert x0 >= 0 and x1 <= drawing.width and y0 >= 0 and y1 <= drawing.height, text


def test_the_title_can_be_left_to_the_page():
    with_title = charts.draw(_radar())
    without = charts.draw(_radar(), show_title=False)
    assert "Compétences — Vallée de l'Orne" in [text for text, _box in _strings(with_title)]
    assert "Compétences — Vallée de l'Orne" not in [text for text, _box in _strings(without)]
    assert without.height < with_title.height
    assert without.title == "Compétences — Vallée de l'Orne"  # still in the SVG's <title>


# PDF ------------------------------------------------------------------------------------------


def _chart_pdf(chart) -> tuple:
    story = [charts.flowable(charts.draw(chart)), Spacer(0, 4)]
    story.append(pdf.data_table(charts.data_table(chart), pdf.content_width()))
    return read_pdf(pdf.build(story, title=chart.title, footer="Rapport"))


def test_radar_in_a_pdf():
    reader, text = _chart_pdf(_radar())
    assert len(reader.pages) == 1
    for expected in (
        "Compétences — Vallée de l'Orne",
        "Mobiliser",
        "Animer & <relier>",
        "Évaluer",
        "Outiller",
        "1 · Découverte",
        "3 · Maîtrise",
        "T0",
        "Fin <script>alert(1)</script>",
        "A & B",
        "1 (Découverte)",  # the data table beside it
    ):
        assert expected in text, expected
    assert embedded_fonts(reader) == {("DejaVuSans", True), ("DejaVuSans-Bold", True)}


def test_bars_in_a_pdf():
    reader, text = _chart_pdf(_bars())
    assert len(reader.pages) == 1
    for expected in ("Présence aux sessions", "Pays de Sèvre et Bocage", "62,5 %", "Terre & <Mer>"):
        assert expected in text, expected
    assert embedded_fonts(reader) == {("DejaVuSans", True), ("DejaVuSans-Bold", True)}


def test_a_chart_shrinks_to_a_narrow_column_but_never_grows():
    drawing = charts.draw(_bars())
    flowable = charts.flowable(drawing)
    assert flowable.wrap(drawing.width / 2, 1000) == pytest.approx(
        (drawing.width / 2, drawing.height / 2)
    )
    assert flowable.wrap(drawing.width * 2, 1000) == (drawing.width, drawing.height)


# SVG ------------------------------------------------------------------------------------------


def _style(element) -> dict[str, str]:
    """What an element is drawn with: its presentation attributes (the SVG has no styles)."""
    return dict(element.attrib)


def _svg(chart) -> tuple[str, ET.Element]:
    """Return the chart's SVG and its parsed root, checked safe to inline in a page."""
    drawing = charts.draw(chart)
    svg = charts.to_svg(drawing)
    root = ET.fromstring(svg)  # noqa: S314 (our own output)
    _assert_inline_safe(svg, root, chart)
    # Scalable: the viewBox is the drawing's box, so CSS may resize it.
    assert root.get("viewBox") == f"0 0 {drawing.width:g} {drawing.height:g}"
    return svg, root


def _assert_inline_safe(svg: str, root: ET.Element, chart) -> None:
    assert svg.startswith("<svg ")  # no XML declaration or DOCTYPE inside a page
    assert root.tag == f"{{{charts.SVG_NS}}}svg"
    assert root.get("role") == "img"
    assert root.get("aria-label") == chart.title
    assert root.find("svg:title", NS).text == chart.title
    assert root.find("svg:desc", NS).text == charts.text_alternative(chart)
    tags = {element.tag.split("}")[1] for element in root.iter()}
    drawn = {"g", "text", "path", "polygon", "polyline", "rect", "circle"}
    assert tags <= {"svg", "title", "desc", *drawn}
    for element in root.iter():
        assert "id" not in element.attrib  # two charts on one page must not share an id
        assert not any(name.lower().startswith("on") for name in element.attrib)
        assert "href" not in " ".join(element.attrib)
        # The pages' CSP drops style attributes: the look must be in presentation attributes.
        assert "style" not in element.attrib


def test_radar_svg():
    chart = _radar()
    svg, root = _svg(chart)
    # One outline per series: unfilled, drawn thicker than the rings, each its own colour and dash.
    outlines = [
        _style(polygon)
        for polygon in root.iterfind(".//svg:polygon", NS)
        if _style(polygon).get("fill") == "none" and _style(polygon)["stroke-width"] == "1.6"
    ]
    assert len(outlines) == len(chart.series)
    assert len({style["stroke"] for style in outlines}) == len(chart.series)
    assert len({style.get("stroke-dasharray", "solid") for style in outlines}) == len(chart.series)
    rings = [
        polygon
        for polygon in root.iterfind(".//svg:polygon", NS)
        if _style(polygon).get("fill") == "none" and _style(polygon)["stroke-width"] != "1.6"
    ]
    assert len(rings) == chart.scale_max
    # Legend: a dashed sample per series, then its label.
    samples = [_style(line) for line in root.iterfind(".//svg:polyline", NS)]
    assert [style.get("stroke-dasharray", "solid") for style in samples] == [
        style.get("stroke-dasharray", "solid") for style in outlines
    ]
    texts = [text.text for text in root.iterfind(".//svg:text", NS)]
    for expected in (
        chart.title,
        *chart.axes,
        "T0",
        "Fin <script>alert(1)</script>",
        "A & B",
        "1 · Découverte",
        "3 · Maîtrise",
    ):
        assert expected in texts, expected
    # Labels arrive escaped, never as markup.
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in svg and "<script" not in svg
    assert "A &amp; B" in svg and "Animer &amp; &lt;relier&gt;" in svg
    assert "DejaVu Sans" in svg


def test_bar_svg():
    chart = _bars()
    svg, root = _svg(chart)
    rects = [(_style(rect)["fill"], float(rect.get("width"))) for rect in root.iter(RECT)]
    track_fill, _width = rects[0]  # each row draws its full-scale track, then its bar
    tracks = [width for fill, width in rects if fill == track_fill]
    bars = [width for fill, width in rects if fill != track_fill]
    assert len(tracks) == 3 and len(set(tracks)) == 1
    assert len(bars) == 2  # no visible bar for the value 0
    assert bars == pytest.approx([tracks[0], tracks[0] * 0.625])  # 100 % and 62.5 %
    texts = [text.text for text in root.iterfind(".//svg:text", NS)]
    for expected in (
        "Présence aux sessions",
        "Pays de Sèvre et Bocage",
        "Vallée de l'Orne",
        "Terre & <Mer>",
        "100\N{NO-BREAK SPACE}%",
        "62,5\N{NO-BREAK SPACE}%",
        "0\N{NO-BREAK SPACE}%",
    ):
        assert expected in texts, expected
    assert "Terre &amp; &lt;Mer&gt;" in svg


@pytest.mark.parametrize("kind", ["radar", "bars"])
def test_a_chart_without_data_says_so(kind):
    chart = _radar(series=[]) if kind == "radar" else _bars(bars=[])
    drawing = charts.draw(chart)
    assert [text for text, _box in _strings(drawing)] == [
        chart.title,
        "Aucune donnée à afficher pour l'instant.",
    ]
    _svg(chart)
    assert charts.text_alternative(chart) == f"{chart.title} : aucune donnée à afficher."
    assert len(charts.data_table(chart)) == 1  # the header alone: no rows to print
    _reader, text = _chart_pdf(chart)
    assert "Aucune donnée à afficher pour l'instant." in text
