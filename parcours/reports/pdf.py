"""The PDF building blocks of every Parcours document: fonts, palette, styles, pages, build.

DejaVu Sans is embedded (see fonts/README.md) so that accents, guillemets and the middle dot of
inclusive writing render on every reader. A document is a list of flowables (a "story") made
with ``paragraph``, ``markup``, ``facts_table`` and platypus tables styled by ``table_style``,
turned into bytes by ``build``, which adds the footer and « Page x / y » to every page.

A long document is navigable: ``heading(text, key, level)`` is a heading that is also an entry
of the PDF's outline (its bookmarks), and ``contents_line(text, key, level)`` a line of a table
of contents that links to it and prints its page number. Page numbers are written when the
document is saved, once every page is laid out: one pass, never a second build.
"""

import threading
from collections.abc import Iterable
from functools import cache
from io import BytesIO
from pathlib import Path
from xml.sax.saxutils import escape

from flask_babel import get_locale
from flask_babel import gettext as _
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Table, TableStyle

FONT_DIR = Path(__file__).resolve().parent / "fonts"
FONT = "DejaVuSans"
FONT_BOLD = "DejaVuSans-Bold"

INK = colors.HexColor("#1d2733")
MUTED = colors.HexColor("#5b6773")
ACCENT = colors.HexColor("#1f4e79")
RULE = colors.HexColor("#9aa5b1")
BAND = colors.HexColor("#e7edf3")
HEADER = colors.HexColor("#1f4e79")

#: The same hex value as MUTED, for ``<font color=…>`` in paragraph markup.
MUTED_HEX = "#5b6773"

MARGIN = 15 * mm
BOTTOM_MARGIN = 16 * mm

_font_lock = threading.Lock()


def register_fonts() -> None:
    """Register the embedded DejaVu fonts with reportlab, once per process."""
    # Requests render in threads: two first documents at once must not register twice.
    with _font_lock:
        if FONT in pdfmetrics.getRegisteredFontNames():
            return
        pdfmetrics.registerFont(TTFont(FONT, str(FONT_DIR / "DejaVuSans.ttf")))
        pdfmetrics.registerFont(TTFont(FONT_BOLD, str(FONT_DIR / "DejaVuSans-Bold.ttf")))
        pdfmetrics.registerFontFamily(
            FONT, normal=FONT, bold=FONT_BOLD, italic=FONT, boldItalic=FONT_BOLD
        )


@cache
def styles() -> dict[str, ParagraphStyle]:
    """Return the paragraph styles of every document, by name."""
    register_fonts()
    base = ParagraphStyle("base", fontName=FONT, fontSize=9.5, leading=12.5, textColor=INK)
    return {
        "base": base,
        "small": ParagraphStyle("small", parent=base, fontSize=8, leading=10),
        "muted": ParagraphStyle("muted", parent=base, fontSize=8, leading=10, textColor=MUTED),
        "eyebrow": ParagraphStyle(
            "eyebrow", parent=base, fontSize=8.5, leading=11, textColor=MUTED, spaceAfter=1 * mm
        ),
        "title": ParagraphStyle(
            "title", parent=base, fontName=FONT_BOLD, fontSize=17, leading=21, textColor=ACCENT
        ),
        "subtitle": ParagraphStyle(
            "subtitle", parent=base, fontName=FONT_BOLD, fontSize=11.5, leading=14.5
        ),
        "heading": ParagraphStyle(
            "heading",
            parent=base,
            fontName=FONT_BOLD,
            fontSize=10.5,
            leading=13,
            textColor=ACCENT,
            spaceBefore=4 * mm,
            spaceAfter=1.5 * mm,
        ),
        "label": ParagraphStyle("label", parent=base, fontName=FONT_BOLD, fontSize=8.5),
        "cell": ParagraphStyle("cell", parent=base, fontSize=9, leading=11),
        "cell_bold": ParagraphStyle("cell_bold", parent=base, fontName=FONT_BOLD, fontSize=9),
        "cell_centered": ParagraphStyle(
            "cell_centered", parent=base, fontSize=9, alignment=TA_CENTER
        ),
        "cell_centered_bold": ParagraphStyle(
            "cell_centered_bold", parent=base, fontName=FONT_BOLD, fontSize=9, alignment=TA_CENTER
        ),
        "column": ParagraphStyle(
            "column",
            parent=base,
            fontName=FONT_BOLD,
            fontSize=8,
            leading=10,
            textColor=colors.white,
            alignment=TA_CENTER,
        ),
        "column_left": ParagraphStyle(
            "column_left",
            parent=base,
            fontName=FONT_BOLD,
            fontSize=8,
            leading=10,
            textColor=colors.white,
        ),
        "body": ParagraphStyle("body", parent=base, fontSize=10.5, leading=15, spaceAfter=3 * mm),
        "part": ParagraphStyle(
            "part",
            parent=base,
            fontName=FONT_BOLD,
            fontSize=14,
            leading=18,
            textColor=ACCENT,
            spaceAfter=2 * mm,
        ),
        "contents": ParagraphStyle("contents", parent=base, fontSize=10, leading=16),
        "contents_sub": ParagraphStyle(
            "contents_sub", parent=base, fontSize=9, leading=13, leftIndent=6 * mm
        ),
    }


def table_style(commands: list) -> TableStyle:
    """Return a table style whose plain-text cells use the embedded font too."""
    return TableStyle([("FONTNAME", (0, 0), (-1, -1), FONT), *commands])


def paragraph(text: str, style: str = "base") -> Paragraph:
    """Return a paragraph of plain text (escaped: names may hold < or &)."""
    return Paragraph(escape(text), styles()[style])


def markup(text: str, style: str = "base") -> Paragraph:
    """Return a paragraph of markup whose variable parts the caller escaped."""
    return Paragraph(text, styles()[style])


def content_width(pagesize: tuple[float, float] = A4) -> float:
    """Return the width between the margins of a page of ``pagesize``."""
    return pagesize[0] - 2 * MARGIN


def facts_table(rows: Iterable[tuple[str, Flowable]], width: float) -> Table:
    """Return « label  value » lines (date, venue, participant…) as a borderless table."""
    data = [[paragraph(label, "label"), value] for label, value in rows]
    table = Table(data, colWidths=[32 * mm, width - 32 * mm], hAlign="LEFT")
    table.setStyle(
        table_style(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 1),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
            ]
        )
    )
    return table


def data_table(rows: list[list[str]], width: float) -> Table:
    """Return a header row and rows of plain text (e.g. a chart's data) as a ruled table.

    A value that fits its column on one line is drawn as a string, not a Paragraph: laying
    out a paragraph per cell was most of the time of a document made of such tables (a
    bilan has hundreds of cells), and a short figure never wraps anyway.
    """
    header, *body = rows
    cell = styles()["cell"]
    widths = column_widths(rows, width)

    def value(text: str, room: float):
        if "\n" not in text and pdfmetrics.stringWidth(text, cell.fontName, cell.fontSize) <= room:
            return text
        return paragraph(text, "cell")

    rooms = [column - 2 * _CELL_PADDING for column in widths]
    cells = [[paragraph(text, "column_left") for text in header]]
    cells += [
        [paragraph(row[0], "cell"), *(value(text, rooms[i]) for i, text in enumerate(row) if i)]
        for row in body
    ]
    table = Table(cells, colWidths=widths, repeatRows=1)
    table.setStyle(
        table_style(
            [
                ("BACKGROUND", (0, 0), (-1, 0), HEADER),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("LINEBELOW", (0, 1), (-1, -1), 0.4, RULE),
                ("TOPPADDING", (0, 0), (-1, -1), 3),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
                ("LEFTPADDING", (0, 0), (-1, -1), _CELL_PADDING),
                ("RIGHTPADDING", (0, 0), (-1, -1), _CELL_PADDING),
                ("FONT", (1, 1), (-1, -1), cell.fontName, cell.fontSize, cell.leading),
                ("TEXTCOLOR", (1, 1), (-1, -1), cell.textColor),
            ]
        )
    )
    return table


#: Left and right padding of a data table's cells (reportlab's default).
_CELL_PADDING = 6


def column_widths(rows: list[list[str]], width: float) -> list[float]:
    """Share ``width`` between the columns of ``rows`` (the header first) as browsers lay out
    a table: each column gets at least its longest word, so that no word is cut in the middle
    (« Agglomératio/n »), and the room left goes to the columns whose text would wrap most.

    Only when the longest words alone are wider than the page are they cut, in proportion.
    """
    header_style, cell_style = styles()["column_left"], styles()["cell"]
    count = len(rows[0])
    shortest = [0.0] * count  # the longest word: below it, a word is cut
    natural = [0.0] * count  # the longest line: above it, nothing wraps
    for index, row in enumerate(rows):
        style = header_style if index == 0 else cell_style
        for column, text in enumerate(row):
            measure = _text_widths(str(text), style.fontName, style.fontSize)
            shortest[column] = max(shortest[column], measure[0])
            natural[column] = max(natural[column], measure[1])
    padding = 2 * _CELL_PADDING
    shortest = [w + padding for w in shortest]
    natural = [max(w + padding, low) for w, low in zip(natural, shortest, strict=True)]
    if sum(natural) <= width:
        # Everything fits on one line: the labels' column takes what is left over.
        return [natural[0] + width - sum(natural), *natural[1:]]
    if sum(shortest) >= width:
        return [w * width / sum(shortest) for w in shortest]
    spare = width - sum(shortest)
    wants = [high - low for high, low in zip(natural, shortest, strict=True)]
    return [low + spare * want / sum(wants) for low, want in zip(shortest, wants, strict=True)]


def _text_widths(text: str, font: str, size: float) -> tuple[float, float]:
    """Return the widths of the longest word and of the longest line of ``text``."""
    lines = text.split("\n")
    words = [word for line in lines for word in line.split()]
    if not words:
        return 0.0, 0.0
    return (
        max(pdfmetrics.stringWidth(word, font, size) for word in words),
        max(pdfmetrics.stringWidth(line, font, size) for line in lines),
    )


# Navigation: outline entries, and a table of contents with links and page numbers ------------


class _Heading(Paragraph):
    """A heading that marks its page as ``key`` and adds itself to the PDF's outline."""

    def __init__(self, text: str, style: ParagraphStyle, key: str, level: int, outline: str):
        super().__init__(escape(text), style)
        self.key, self.level, self.outline = key, level, outline

    def draw(self):
        canvas = self.canv
        canvas.bookmarkPage(self.key)
        canvas.addOutlineEntry(self.outline, self.key, level=self.level, closed=self.level > 0)
        anchors = getattr(canvas, "anchors", None)
        if anchors is not None:
            anchors[self.key] = canvas.getPageNumber()
        super().draw()


def heading(
    text: str, key: str, level: int = 0, style: str = "", *, outline: str | None = None
) -> Paragraph:
    """Return a heading that is also the outline entry ``outline`` (``text`` by default).

    ``key`` names its place for links (``contents_line``); level 0 is a part (style « part »),
    level 1 a section in it (style « heading »). An entry's level may exceed the previous one's
    by one at most, as PDF outlines nest.
    """
    chosen = style or ("part" if level == 0 else "heading")
    return _Heading(text, styles()[chosen], key, level, outline or text)


class _ContentsLine(Flowable):
    """A line of a table of contents: its text, dot leaders, and the page of ``key``, linked.

    The page is not known while the line is laid out (the parts come later): the canvas of
    ``build`` draws it when the document is saved, where the line stands.
    """

    def __init__(self, text: str, key: str, level: int):
        super().__init__()
        self.key, self.text = key, text
        self.paragraph = Paragraph(escape(text), styles()["contents_sub" if level else "contents"])

    def wrap(self, available_width, available_height):
        self.width = available_width
        # Room on the right for the page number.
        _w, height = self.paragraph.wrap(available_width - 14 * mm, available_height)
        self.height = height
        lines = self.paragraph.blPara.lines
        style = self.paragraph.style
        # Dot leaders after a one-line entry; a longer one ends its last line at the margin.
        self.text_end = (
            style.leftIndent + pdfmetrics.stringWidth(self.text, style.fontName, style.fontSize) + 3
            if len(lines) == 1
            else None
        )
        return available_width, height

    def draw(self):
        canvas = self.canv
        self.paragraph.drawOn(canvas, 0, 0)
        style = self.paragraph.style
        right = self.width
        canvas.linkRect("", self.key, (0, 0, right, self.height), relative=1, thickness=0)
        late = getattr(canvas, "late", None)
        if late is None:
            return
        x, y = canvas.absolutePosition(right, self.height - style.leading + 3)
        start = canvas.absolutePosition(self.text_end, 0)[0] if self.text_end else None
        key, font, size = self.key, style.fontName, style.fontSize

        def page_number(target, anchors):
            number = anchors.get(key)
            if number is None:
                return
            text = str(number)
            end = x - pdfmetrics.stringWidth(text, font, size) - 3
            target.setFont(font, size)
            target.setFillColor(MUTED)
            if start is not None:
                dots = int((end - start) / pdfmetrics.stringWidth(". ", font, size))
                target.drawRightString(end, y, ". " * max(dots, 0))
            target.setFillColor(INK)
            target.drawRightString(x, y, text)

        late.setdefault(canvas.getPageNumber(), []).append(page_number)


def contents_line(text: str, key: str, level: int = 0) -> Flowable:
    """Return a table-of-contents line that links to ``heading(…, key)`` and prints its page."""
    return _ContentsLine(text, key, level)


def _page_canvas(footer: str, header: str, outline: bool = False):
    """Return a canvas class that writes the header, the footer and « page x / y » on every page.

    The total is only known at the end, so pages are kept and drawn when the document is saved.
    """

    class PageCanvas(Canvas):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self._pages: list[dict] = []
            #: Where each heading's key landed, and what to draw on a page once all are known.
            self.anchors: dict[str, int] = {}
            self.late: dict[int, list] = {}
            if outline:
                self.showOutline()  # a reader opens the document with its bookmarks shown

        def showPage(self):
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self):
            total = len(self._pages)
            for number, state in enumerate(self._pages, start=1):
                self.__dict__.update(state)
                self._decorate(number, total)
                for draw in self.late.get(number, ()):
                    draw(self, self.anchors)
                super().showPage()
            super().save()

        def _decorate(self, number: int, total: int) -> None:
            width, height = self._pagesize
            self.saveState()
            self.setStrokeColor(RULE)
            self.setLineWidth(0.4)
            self.line(MARGIN, 11 * mm, width - MARGIN, 11 * mm)
            self.setFont(FONT, 7.5)
            self.setFillColor(MUTED)
            self.drawString(MARGIN, 7 * mm, footer)
            self.drawRightString(
                width - MARGIN, 7 * mm, _("Page %(page)d / %(pages)d", page=number, pages=total)
            )
            if header:
                self.drawString(MARGIN, height - 9.5 * mm, header)
                self.line(MARGIN, height - 11 * mm, width - MARGIN, height - 11 * mm)
            self.restoreState()

    return PageCanvas


def build(
    story: list[Flowable],
    *,
    title: str,
    footer: str,
    header: str = "",
    pagesize: tuple[float, float] = A4,
    subject: str = "",
    author: str = "Parcours",
    outline: bool = False,
) -> bytes:
    """Return ``story`` laid out on pages of ``pagesize`` as PDF bytes, numbered « Page x / y ».

    ``title``, ``author``, ``subject`` and the language go into the PDF's metadata; with
    ``outline``, a reader opens the document with its bookmarks (see ``heading``) shown.
    """
    register_fonts()
    buffer = BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=pagesize,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        # A header line takes the top of the margin: move the text down to keep it clear.
        topMargin=MARGIN + (5 * mm if header else 0),
        bottomMargin=BOTTOM_MARGIN,
        title=title,
        author=author,
        subject=subject,
        creator="Parcours",
        lang=str(get_locale() or "fr"),
        # Without this, every page would also reference (not embed) Helvetica.
        initialFontName=FONT,
        initialFontSize=9,
    )
    document.build(story, canvasmaker=_page_canvas(footer, header, outline))
    return buffer.getvalue()
