"""Charts drawn once with reportlab's graphics, then rendered to the PDF and to SVG for pages.

A chart starts as a plain data object (``RadarChart``, ``BarChart``). ``draw(chart)`` lays it
out as a reportlab ``Drawing``; ``flowable(drawing)`` puts it in a PDF story and
``to_svg(drawing)`` gives markup safe to inline in a page. ``data_table(chart)`` and
``text_alternative(chart)`` say the same in words, for the table printed beside every chart and
for readers who cannot see it.

Series are told apart by colour (Okabe–Ito, safe for colour-blind readers), by dash pattern and
by marker shape, so that a radar stays readable printed in black and white.
"""

import math
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass, field

from flask_babel import format_decimal
from flask_babel import gettext as _
from reportlab.graphics import renderPDF, renderSVG
from reportlab.graphics.shapes import (
    Circle,
    Drawing,
    Group,
    Line,
    Polygon,
    PolyLine,
    Rect,
    String,
)
from reportlab.lib import colors
from reportlab.lib.attrmap import AttrMap, AttrMapValue
from reportlab.lib.utils import simpleSplit
from reportlab.lib.validators import isString
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable

from parcours.reports.pdf import ACCENT, FONT, FONT_BOLD, INK, MUTED, RULE, register_fonts

#: The width charts are laid out for, in points: about the text width of an A4 page.
WIDTH = 500.0

SVG_NS = "http://www.w3.org/2000/svg"
# Browsers without DejaVu get the closest widths: reportlab places text with DejaVu's metrics.
SVG_FONTS = {
    FONT: {"family": "'DejaVu Sans', Verdana, sans-serif"},
    FONT_BOLD: {"family": "'DejaVu Sans', Verdana, sans-serif", "weight": "bold"},
}


@dataclass(frozen=True)
class SeriesStyle:
    """How one series is drawn: colour, dash pattern (None: solid) and marker shape."""

    color: colors.Color
    dash: tuple[float, ...] | None
    marker: str


#: Okabe–Ito colours, without the yellow that vanishes on white.
SERIES_STYLES = (
    SeriesStyle(colors.HexColor("#0072B2"), None, "circle"),
    SeriesStyle(colors.HexColor("#D55E00"), (6, 3), "square"),
    SeriesStyle(colors.HexColor("#009E73"), (2, 2), "triangle"),
    SeriesStyle(colors.HexColor("#CC79A7"), (8, 3, 2, 3), "diamond"),
    SeriesStyle(colors.HexColor("#E69F00"), (12, 4), "triangle_down"),
    SeriesStyle(colors.HexColor("#56B4E9"), (5, 2, 1, 2, 1, 2), "circle_open"),
    SeriesStyle(colors.HexColor("#000000"), (1, 4), "square_open"),
)
MAX_SERIES = len(SERIES_STYLES)
BAR_COLOR = colors.HexColor("#0072B2")
TRACK_COLOR = colors.HexColor("#eef2f6")

_TITLE_SIZE, _TITLE_LEADING = 11.0, 14.0
_LABEL_SIZE, _LABEL_LEADING = 8.0, 10.0
_LEVEL_SIZE = 6.5
_PAD = 6.0


# Data ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Series:
    """One overlaid polygon of a radar: a label and one value per axis."""

    label: str
    values: tuple[float, ...]

    def __post_init__(self) -> None:
        object.__setattr__(self, "values", tuple(self.values))


@dataclass(frozen=True)
class RadarChart:
    """Several series over the same axes, each value from 0 to ``scale_max``.

    ``scale_labels`` names the levels 0 to ``scale_max`` (e.g. a referential's levels); the
    rings show numbers alone when it is empty. A chart without series draws an empty state.
    """

    title: str
    axes: tuple[str, ...]
    series: tuple[Series, ...]
    scale_max: int
    scale_labels: tuple[str, ...] = ()
    axis_heading: str = ""  # the data table's first column; « Axe » when empty

    def __post_init__(self) -> None:
        for name in ("axes", "series", "scale_labels"):
            object.__setattr__(self, name, tuple(getattr(self, name)))
        if self.scale_max < 1:
            raise ValueError("a radar's scale_max must be at least 1")
        if self.scale_labels and len(self.scale_labels) != self.scale_max + 1:
            raise ValueError("scale_labels must name every level from 0 to scale_max")
        if not self.series:
            return
        if len(self.axes) < 3:
            raise ValueError("a radar needs at least 3 axes")
        if len(self.series) > MAX_SERIES:
            raise ValueError(f"a radar shows at most {MAX_SERIES} series")
        for series in self.series:
            if len(series.values) != len(self.axes):
                raise ValueError(f"series {series.label!r} needs one value per axis")
            if any(not 0 <= value <= self.scale_max for value in series.values):
                raise ValueError(f"series {series.label!r} has a value outside 0–scale_max")


@dataclass(frozen=True)
class Bar:
    """One horizontal bar: a label and a value (0 or more)."""

    label: str
    value: float


@dataclass(frozen=True)
class BarChart:
    """Horizontal bars; a bar of ``scale_max`` spans the width (the largest bar if None)."""

    title: str
    bars: tuple[Bar, ...]
    scale_max: float | None = None
    unit: str = ""  # printed after each value: "%", "h"…
    label_heading: str = ""  # the data table's columns; « Libellé », « Valeur » when empty
    value_heading: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "bars", tuple(self.bars))
        if self.scale_max is not None and self.scale_max <= 0:
            raise ValueError("a bar chart's scale_max must be positive")
        for bar in self.bars:
            if bar.value < 0 or (self.scale_max is not None and bar.value > self.scale_max):
                raise ValueError(f"bar {bar.label!r} has a value outside 0–scale_max")

    @property
    def full_scale(self) -> float:
        """Return the value of a bar that spans the whole width."""
        return self.scale_max or max((bar.value for bar in self.bars), default=0) or 1


Chart = RadarChart | BarChart


# Words: values, data tables, text alternatives ----------------------------------------------


def format_value(value: float, unit: str = "") -> str:
    """Return a value the reader's way, « 1,5 » in French, with its unit: « 75 % »."""
    number = format_decimal(value, format="#,##0.##")
    return f"{number}\N{NO-BREAK SPACE}{unit}" if unit else number


def _level(chart: RadarChart, value: float) -> str:
    """Return a radar value, with its level's name when it is exactly a level: « 2 (Pratique) »."""
    text = format_value(value)
    if chart.scale_labels and float(value).is_integer():
        return _("%(value)s (%(level)s)", value=text, level=chart.scale_labels[int(value)])
    return text


def data_table(chart: "Chart") -> list[list[str]]:
    """Return the chart's numbers as a header row and rows of text (none without data)."""
    if isinstance(chart, RadarChart):
        header = [chart.axis_heading or _("Axe"), *(series.label for series in chart.series)]
        if not chart.series:
            return [header]
        rows = [
            [axis, *(_level(chart, series.values[index]) for series in chart.series)]
            for index, axis in enumerate(chart.axes)
        ]
        return [header, *rows]
    header = [chart.label_heading or _("Libellé"), chart.value_heading or _("Valeur")]
    return [header, *([bar.label, format_value(bar.value, chart.unit)] for bar in chart.bars)]


def text_alternative(chart: "Chart") -> str:
    """Return the chart in sentences, one per series (or bar), for screen readers."""
    if isinstance(chart, RadarChart):
        return _radar_sentences(chart)
    if not chart.bars:
        return _("%(title)s : aucune donnée à afficher.", title=chart.title)
    sentences = [_("%(title)s : graphique en barres.", title=chart.title)]
    sentences += [
        _("%(label)s : %(value)s.", label=bar.label, value=format_value(bar.value, chart.unit))
        for bar in chart.bars
    ]
    return " ".join(sentences)


def _radar_sentences(chart: RadarChart) -> str:
    if not chart.series:
        return _("%(title)s : aucune donnée à afficher.", title=chart.title)
    sentences = [
        _(
            "%(title)s : graphique en radar, de 0 à %(max)s, sur les axes %(axes)s.",
            title=chart.title,
            max=_level(chart, chart.scale_max),
            axes=_(" ; ").join(chart.axes),
        )
    ]
    for series in chart.series:
        # « ; » between items: French values have decimal commas (« 1,5 »).
        values = _(" ; ").join(
            _("%(axis)s : %(value)s", axis=axis, value=_level(chart, value))
            for axis, value in zip(chart.axes, series.values, strict=True)
        )
        sentences.append(_("%(series)s : %(values)s.", series=series.label, values=values))
    return " ".join(sentences)


# Drawing -------------------------------------------------------------------------------------


class ChartDrawing(Drawing):
    """A reportlab drawing that carries its title and text alternative to the SVG."""

    _attrMap = AttrMap(
        BASE=Drawing,
        title=AttrMapValue(isString, desc="The chart's title, for the SVG <title>"),
        description=AttrMapValue(isString, desc="The text alternative, for the SVG <desc>"),
    )

    def __init__(self, width: float, height: float, *, title: str, description: str):
        super().__init__(width, height)
        self.title = title
        self.description = description
        # Without this, the PDF would also reference (not embed) Helvetica.
        self.initialFontName = FONT
        self.initialFontSize = _LABEL_SIZE


def _fit(text: str, font: str, size: float, width: float, max_lines: int) -> list[str]:
    """Return ``text`` wrapped to ``width``, at most ``max_lines`` lines, cut with « … »."""
    lines = simpleSplit(text, font, size, width) or [""]
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] += "…"
    for index, line in enumerate(lines):
        while stringWidth(line, font, size) > width and len(line) > 1:
            line = line[:-2].rstrip() + "…"
        lines[index] = line
    return lines


def _text(x: float, y: float, text: str, **style) -> String:
    style.setdefault("fontName", FONT)
    style.setdefault("fontSize", _LABEL_SIZE)
    style.setdefault("fillColor", INK)
    return String(x, y, text, **style)


def _title_lines(title: str, width: float, shown: bool) -> list[str]:
    return _fit(title, FONT_BOLD, _TITLE_SIZE, width - 2 * _PAD, 3) if shown else []


def _title(group: Group, lines: list[str], top: float) -> float:
    """Draw the chart's title from ``top`` down; return where it ends."""
    for index, line in enumerate(lines):
        baseline = top - _TITLE_SIZE - index * _TITLE_LEADING
        group.add(
            _text(_PAD, baseline, line, fontName=FONT_BOLD, fontSize=_TITLE_SIZE, fillColor=ACCENT)
        )
    return top - len(lines) * _TITLE_LEADING


def _empty(title: str, description: str, width: float, show_title: bool) -> ChartDrawing:
    lines = _title_lines(title, width, show_title)
    height = math.ceil(2 * _PAD + len(lines) * _TITLE_LEADING + 40)
    drawing = ChartDrawing(width, height, title=title, description=description)
    end = _title(drawing, lines, height - _PAD)
    drawing.add(
        _text(
            width / 2,
            end / 2 - _LABEL_SIZE / 2,
            _("Aucune donnée à afficher pour l'instant."),
            fillColor=MUTED,
            textAnchor="middle",
        )
    )
    return drawing


def _marker(kind: str, x: float, y: float, color: colors.Color, size: float = 3.2):
    filled = not kind.endswith("_open")
    style = {
        "strokeColor": color,
        "strokeWidth": 1,
        "fillColor": color if filled else colors.white,
    }
    shape = kind.removesuffix("_open")
    if shape == "circle":
        return Circle(x, y, size, **style)
    if shape == "square":
        return Rect(x - size, y - size, 2 * size, 2 * size, **style)
    if shape == "triangle":
        return Polygon(
            [x, y + size * 1.2, x - size * 1.1, y - size, x + size * 1.1, y - size], **style
        )
    if shape == "triangle_down":
        return Polygon(
            [x, y - size * 1.2, x - size * 1.1, y + size, x + size * 1.1, y + size], **style
        )
    return Polygon(
        [x, y + size * 1.3, x + size * 1.1, y, x, y - size * 1.3, x - size * 1.1, y], **style
    )


@dataclass
class _Legend:
    """Legend entries laid out in rows that fit the width."""

    width: float
    rows: list[list[tuple[float, str, SeriesStyle]]] = field(default_factory=list)

    SAMPLE = 36.0
    GAP = 16.0

    def layout(self, entries: Sequence[tuple[str, SeriesStyle]]) -> "_Legend":
        available = self.width - 2 * _PAD
        x = available + 1  # start a row at the first entry
        for label, style in entries:
            (text,) = _fit(label, FONT, _LABEL_SIZE, available - self.SAMPLE - 4, 1)
            size = self.SAMPLE + 4 + stringWidth(text, FONT, _LABEL_SIZE)
            if x + size > available:
                self.rows.append([])
                x = 0
            self.rows[-1].append((x, text, style))
            x += size + self.GAP
        return self

    @property
    def height(self) -> float:
        return len(self.rows) * 14.0

    def draw(self, group: Group, top: float) -> None:
        for index, row in enumerate(self.rows):
            middle = top - 7 - index * 14.0
            for x, text, style in row:
                left = _PAD + x
                # A PolyLine, not a Line: reportlab's SVG writes a Line as a closed path, whose
                # way back fills the gaps of the dashes.
                group.add(
                    PolyLine(
                        [left, middle, left + self.SAMPLE, middle],
                        strokeColor=style.color,
                        strokeWidth=1.6,
                        strokeDashArray=style.dash,
                    )
                )
                group.add(_marker(style.marker, left + self.SAMPLE / 2, middle, style.color))
                group.add(_text(left + self.SAMPLE + 4, middle - _LABEL_SIZE * 0.35, text))


@dataclass
class _AxisLabel:
    lines: list[str]
    x: float  # anchor, relative to the centre
    anchor: str
    top: float  # relative to the centre
    bottom: float


def _axis_labels(axes: Sequence[str], radius: float, width: float) -> list[_AxisLabel]:
    labels = []
    distance = radius + 9
    for index, axis in enumerate(axes):
        angle = math.pi / 2 - 2 * math.pi * index / len(axes)
        cos, sin = math.cos(angle), math.sin(angle)
        lines = _fit(axis, FONT, _LABEL_SIZE, width, 3)
        height = len(lines) * _LABEL_LEADING
        x, y = distance * cos, distance * sin
        anchor = "start" if cos > 0.15 else "end" if cos < -0.15 else "middle"
        if sin > 0.3:
            bottom = y
        elif sin < -0.3:
            bottom = y - height
        else:
            bottom = y - height / 2
        labels.append(_AxisLabel(lines, x, anchor, bottom + height, bottom))
    return labels


def _point(radius: float, index: int, count: int) -> tuple[float, float]:
    angle = math.pi / 2 - 2 * math.pi * index / count
    return radius * math.cos(angle), radius * math.sin(angle)


def radar_drawing(
    chart: RadarChart, width: float = WIDTH, *, show_title: bool = True
) -> ChartDrawing:
    """Lay out ``chart``: rings and level names, axes named around, one polygon per series."""
    register_fonts()
    description = text_alternative(chart)
    if not chart.series:
        return _empty(chart.title, description, width, show_title)
    label_width = min(120.0, width * 0.24)
    radius = min(width / 2 - label_width - 9 - _PAD, 150.0)
    count = len(chart.axes)
    labels = _axis_labels(chart.axes, radius, label_width)
    legend = _Legend(width).layout(
        [(series.label, SERIES_STYLES[n]) for n, series in enumerate(chart.series)]
    )
    above = max(radius, *(label.top for label in labels))
    below = max(radius, *(-label.bottom for label in labels))
    title_lines = _title_lines(chart.title, width, show_title)
    title_height = len(title_lines) * _TITLE_LEADING
    # Whole points: the SVG writer truncates the viewBox and its flip to integers.
    height = math.ceil(_PAD + title_height + 10 + above + below + 14 + legend.height + _PAD)
    drawing = ChartDrawing(width, height, title=chart.title, description=description)
    _title(drawing, title_lines, height - _PAD)
    cx, cy = width / 2, height - _PAD - title_height - 10 - above

    web = Group()
    for level in range(1, chart.scale_max + 1):
        ring = radius * level / chart.scale_max
        points = [c for n in range(count) for c in _point(ring, n, count)]
        web.add(
            Polygon(
                points,
                strokeColor=RULE,
                strokeWidth=0.8 if level == chart.scale_max else 0.4,
                fillColor=None,
            )
        )
    for n in range(count):
        x, y = _point(radius, n, count)
        web.add(Line(0, 0, x, y, strokeColor=RULE, strokeWidth=0.4))
    web.translate(cx, cy)
    drawing.add(web)

    names = Group()
    for label in labels:
        for index, line in enumerate(label.lines):
            baseline = label.top - _LABEL_SIZE * 0.8 - index * _LABEL_LEADING
            names.add(_text(label.x, baseline, line, textAnchor=label.anchor))
    names.translate(cx, cy)
    drawing.add(names)

    for n, series in enumerate(chart.series):
        style = SERIES_STYLES[n]
        group = Group()
        vertices = [
            _point(radius * value / chart.scale_max, index, count)
            for index, value in enumerate(series.values)
        ]
        group.add(
            Polygon(
                [c for vertex in vertices for c in vertex],
                strokeColor=style.color,
                strokeWidth=1.6,
                strokeDashArray=style.dash,
                # No strokeLineJoin: reportlab's SVG writer turns it into a round line cap,
                # which fills the gaps of a dotted line.
                fillColor=None,
            )
        )
        for x, y in vertices:
            group.add(_marker(style.marker, x, y, style.color))
        group.translate(cx, cy)
        drawing.add(group)

    # Level names last, on a light background, so that no series hides them.
    levels = Group()
    for level in range(1, chart.scale_max + 1):
        text = str(level)
        if chart.scale_labels:
            text = _("%(value)s · %(level)s", value=level, level=chart.scale_labels[level])
        y = radius * level / chart.scale_max - _LEVEL_SIZE - 1.5
        text_width = stringWidth(text, FONT, _LEVEL_SIZE)
        levels.add(
            Rect(
                2,
                y - 1.5,
                text_width + 3,
                _LEVEL_SIZE + 2,
                fillColor=colors.white,
                fillOpacity=0.8,
                strokeColor=None,
            )
        )
        levels.add(_text(3.5, y, text, fontSize=_LEVEL_SIZE, fillColor=MUTED))
    levels.translate(cx, cy)
    drawing.add(levels)

    legend.draw(drawing, cy - below - 14)
    return drawing


def bar_drawing(chart: BarChart, width: float = WIDTH, *, show_title: bool = True) -> ChartDrawing:
    """Lay out ``chart``: a label left of each bar, its value at the end of the bar."""
    register_fonts()
    description = text_alternative(chart)
    if not chart.bars:
        return _empty(chart.title, description, width, show_title)
    label_width = min(
        max(stringWidth(bar.label, FONT, _LABEL_SIZE) for bar in chart.bars), width * 0.38
    )
    values = [format_value(bar.value, chart.unit) for bar in chart.bars]
    value_width = max(stringWidth(value, FONT, _LABEL_SIZE) for value in values)
    start = _PAD + label_width + 8
    span = width - _PAD - value_width - 6 - start
    rows = [_fit(bar.label, FONT, _LABEL_SIZE, label_width, 2) for bar in chart.bars]
    bar_height, gap = 13.0, 7.0
    heights = [max(bar_height, len(lines) * _LABEL_LEADING) for lines in rows]
    title_lines = _title_lines(chart.title, width, show_title)
    title_height = len(title_lines) * _TITLE_LEADING
    height = math.ceil(_PAD + title_height + 8 + sum(heights) + gap * len(heights) + _PAD)
    drawing = ChartDrawing(width, height, title=chart.title, description=description)
    _title(drawing, title_lines, height - _PAD)
    top = height - _PAD - title_height - 8
    bars = Group()
    for bar, lines, row_height, value in zip(chart.bars, rows, heights, values, strict=True):
        middle = top - gap / 2 - row_height / 2
        length = span * bar.value / chart.full_scale
        bars.add(
            Rect(
                start,
                middle - bar_height / 2,
                span,
                bar_height,
                fillColor=TRACK_COLOR,
                strokeColor=None,
            )
        )
        if length > 0:
            bars.add(
                Rect(
                    start,
                    middle - bar_height / 2,
                    length,
                    bar_height,
                    fillColor=BAR_COLOR,
                    strokeColor=None,
                )
            )
        first = middle + (len(lines) - 1) * _LABEL_LEADING / 2 - _LABEL_SIZE * 0.35
        for index, line in enumerate(lines):
            bars.add(_text(start - 8, first - index * _LABEL_LEADING, line, textAnchor="end"))
        bars.add(_text(start + length + 4, middle - _LABEL_SIZE * 0.35, value))
        top -= row_height + gap
    bars.add(
        Line(
            start,
            top + gap / 2,
            start,
            height - _PAD - title_height - 8 - gap / 2,
            strokeColor=RULE,
            strokeWidth=0.6,
        )
    )
    drawing.add(bars)
    return drawing


def draw(chart: Chart, width: float = WIDTH, *, show_title: bool = True) -> ChartDrawing:
    """Lay out any chart as a reportlab drawing, ``width`` points wide.

    Leave the title out (``show_title=False``) where the page or the PDF already heads the chart
    with it; the SVG keeps it in its ``<title>`` either way.
    """
    if isinstance(chart, RadarChart):
        return radar_drawing(chart, width, show_title=show_title)
    return bar_drawing(chart, width, show_title=show_title)


# Rendering -----------------------------------------------------------------------------------


class _ChartFlowable(Flowable):
    """A drawing in a PDF story, scaled down (never up) to the width available."""

    def __init__(self, drawing: Drawing):
        super().__init__()
        self.drawing = drawing
        self.scale = 1.0
        self.hAlign = "LEFT"

    def wrap(self, available_width, available_height):
        self.scale = min(1.0, available_width / self.drawing.width)
        return self.drawing.width * self.scale, self.drawing.height * self.scale

    def draw(self):
        self.canv.scale(self.scale, self.scale)
        renderPDF.draw(self.drawing, self.canv, 0, 0)


def flowable(drawing: Drawing) -> Flowable:
    """Return ``drawing`` as a flowable for a PDF story (see ``parcours.reports.pdf.build``)."""
    return _ChartFlowable(drawing)


def to_svg(drawing: ChartDrawing) -> str:
    """Return ``drawing`` as an ``<svg>`` element to inline in a page: scalable, labelled, inert."""
    register_fonts()
    source = renderSVG.drawToString(drawing, useClip=True, fontHacks=SVG_FONTS)
    ET.register_namespace("", SVG_NS)
    root = ET.fromstring(source)  # noqa: S314 (reportlab's output, not a user's file)
    for element in root.iter():
        # reportlab names its top group "group": two charts on a page would share the id.
        element.attrib.pop("id", None)
        # The pages' CSP (style-src 'self') ignores style attributes: every property reportlab
        # writes there (fill, stroke, stroke-dasharray, font-size…) is also an SVG
        # presentation attribute, which the CSP lets through.
        style = element.attrib.pop("style", None)
        if style:
            for declaration in style.split(";"):
                name, _, value = declaration.partition(":")
                if name.strip() and value.strip():
                    element.set(name.strip(), value.strip())
        if element.tag == f"{{{SVG_NS}}}text":
            # reportlab flips each text about its baseline with a translation cut to whole
            # pixels, which moves labels by up to a pixel: flip it about the exact baseline.
            element.set("transform", f"translate(0,{2 * float(element.get('y')):g}) scale(1,-1)")
    root.set("role", "img")
    root.set("aria-label", drawing.title)
    root.set("class", "chart")
    root.find(f"{{{SVG_NS}}}title").text = drawing.title
    root.find(f"{{{SVG_NS}}}desc").text = drawing.description
    return ET.tostring(root, encoding="unicode")
