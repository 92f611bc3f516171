"""Draw the attendance papers as A4 PDFs, from reports' data objects, without the database.

DejaVu Sans is embedded (see fonts/README.md) so that accents, guillemets and the middle dot of
inclusive writing render on every reader.
"""

import threading
from collections.abc import Iterable
from datetime import date, time
from functools import cache
from io import BytesIO
from pathlib import Path
from xml.sax.saxutils import escape

from flask_babel import format_date, get_locale, ngettext
from flask_babel import gettext as _
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from parcours.attendance.halfdays import HalfDaySlot
from parcours.attendance.models import STATUS_LABELS
from parcours.attendance.reports import Attestation, SignatureSheet

FONT_DIR = Path(__file__).resolve().parent / "fonts"
FONT = "DejaVuSans"
FONT_BOLD = "DejaVuSans-Bold"

INK = colors.HexColor("#1d2733")
MUTED = colors.HexColor("#5b6773")
ACCENT = colors.HexColor("#1f4e79")
RULE = colors.HexColor("#9aa5b1")
BAND = colors.HexColor("#e7edf3")
HEADER = colors.HexColor("#1f4e79")

MARGIN = 15 * mm
# Beyond this many half-day columns the sheet turns to landscape.
PORTRAIT_MAX_HALF_DAYS = 4

_font_lock = threading.Lock()


def _register_fonts() -> None:
    with _font_lock:
        if FONT in pdfmetrics.getRegisteredFontNames():
            return
        pdfmetrics.registerFont(TTFont(FONT, str(FONT_DIR / "DejaVuSans.ttf")))
        pdfmetrics.registerFont(TTFont(FONT_BOLD, str(FONT_DIR / "DejaVuSans-Bold.ttf")))
        pdfmetrics.registerFontFamily(
            FONT, normal=FONT, bold=FONT_BOLD, italic=FONT, boldItalic=FONT_BOLD
        )


@cache
def _styles() -> dict[str, ParagraphStyle]:
    _register_fonts()
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
        "mark": ParagraphStyle("mark", parent=base, fontSize=7.5, leading=9, textColor=MUTED),
        "duration": ParagraphStyle("duration", parent=base, fontSize=9, alignment=TA_CENTER),
        "duration_bold": ParagraphStyle(
            "duration_bold", parent=base, fontName=FONT_BOLD, fontSize=9, alignment=TA_CENTER
        ),
        "body": ParagraphStyle("body", parent=base, fontSize=10.5, leading=15, spaceAfter=3 * mm),
    }


def _style(commands: list) -> TableStyle:
    """Return a table style whose plain-text cells use the embedded font too."""
    return TableStyle([("FONTNAME", (0, 0), (-1, -1), FONT), *commands])


def _p(text: str, style: str) -> Paragraph:
    """Return a paragraph of plain text (escaped: names may hold < or &)."""
    return Paragraph(escape(text), _styles()[style])


def _markup(markup: str, style: str) -> Paragraph:
    """Return a paragraph of markup whose variable parts the caller escaped."""
    return Paragraph(markup, _styles()[style])


def format_hours(hours: float) -> str:
    """Return a duration the French way: « 7 h 30 », « 4 h »."""
    minutes = round(hours * 60)
    whole, rest = divmod(minutes, 60)
    if rest:
        return _("%(hours)d h %(minutes)02d", hours=whole, minutes=rest)
    return _("%(hours)d h", hours=whole)


def _clock(moment: time) -> str:
    return moment.strftime("%H:%M")


def _day_span(first: date, last: date) -> str:
    if first == last:
        return format_date(first, "full")
    return _(
        "du %(first)s au %(last)s",
        first=format_date(first, "full"),
        last=format_date(last, "full"),
    )


def _page_canvas(footer_left: str):
    """Return a canvas class that writes the footer and « page x / y » on every page."""

    class FooterCanvas(Canvas):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self._pages: list[dict] = []

        def showPage(self):
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self):
            total = len(self._pages)
            for number, state in enumerate(self._pages, start=1):
                self.__dict__.update(state)
                self._footer(number, total)
                super().showPage()
            super().save()

        def _footer(self, number: int, total: int) -> None:
            width, _height = self._pagesize
            self.saveState()
            self.setStrokeColor(RULE)
            self.setLineWidth(0.4)
            self.line(MARGIN, 11 * mm, width - MARGIN, 11 * mm)
            self.setFont(FONT, 7.5)
            self.setFillColor(MUTED)
            self.drawString(MARGIN, 7 * mm, footer_left)
            self.drawRightString(
                width - MARGIN, 7 * mm, _("Page %(page)d / %(pages)d", page=number, pages=total)
            )
            self.restoreState()

    return FooterCanvas


def _build(story: list, *, pagesize, title: str, footer: str) -> bytes:
    _register_fonts()
    buffer = BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=pagesize,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=16 * mm,
        title=title,
        author="Parcours",
        creator="Parcours",
        lang=str(get_locale() or "fr"),
        # Without this, every page would also reference (not embed) Helvetica.
        initialFontName=FONT,
        initialFontSize=9,
    )
    document.build(story, canvasmaker=_page_canvas(footer))
    return buffer.getvalue()


def _facts_table(rows: Iterable[tuple[str, Paragraph]], width: float) -> Table:
    data = [[_p(label, "label"), value] for label, value in rows]
    table = Table(data, colWidths=[32 * mm, width - 32 * mm], hAlign="LEFT")
    table.setStyle(
        _style(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 1),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
            ]
        )
    )
    return table


# Signature sheet -----------------------------------------------------------------------------


def _half_day_heading(slot: HalfDaySlot, several_days: bool) -> Paragraph:
    day = escape(format_date(slot.day, "EEE d MMM")) + "<br/>" if several_days else ""
    hours = f"{_clock(slot.local_start.time())}–{_clock(slot.local_end.time())}"
    return _markup(f"{day}{escape(str(slot.label))}<br/>{hours}", "column")


def render_signature_sheet(sheet: SignatureSheet) -> bytes:
    """Return the feuille d'émargement as PDF bytes."""
    many = len(sheet.half_days) > PORTRAIT_MAX_HALF_DAYS
    pagesize = landscape(A4) if many else A4
    width = pagesize[0] - 2 * MARGIN
    story: list = [
        _p(f"{sheet.programme} · {sheet.cohort}", "eyebrow"),
        _p(_("Feuille d'émargement"), "title"),
        Spacer(0, 1.5 * mm),
        _p(sheet.title, "subtitle"),
        Spacer(0, 3 * mm),
    ]
    facts = [
        (_("Date"), _p(_day_span(sheet.first_day, sheet.last_day), "base")),
        (
            _("Horaires"),
            _p(f"{_clock(sheet.starts_at)} – {_clock(sheet.ends_at)}", "base"),
        ),
    ]
    venue = ", ".join(part for part in (sheet.venue_name, sheet.venue_address) if part.strip())
    facts.append((_("Lieu"), _p(venue or _("à préciser"), "base")))
    if sheet.speakers:
        facts.append((_("Intervenant·es"), _p(" · ".join(sheet.speakers), "base")))
    story.append(_facts_table(facts, width))

    if sheet.agenda:
        story.append(_p(_("Programme"), "heading"))
        rows = [
            [
                _p(f"{_clock(line.starts_at)}–{_clock(line.ends_at)}", "cell"),
                _markup(
                    escape(line.title)
                    + (
                        f" <font color='#5b6773'>— {escape(line.speaker)}</font>"
                        if line.speaker
                        else ""
                    ),
                    "cell",
                ),
                _p(line.kind_label, "muted"),
            ]
            for line in sheet.agenda
        ]
        table = Table(rows, colWidths=[24 * mm, width - 24 * mm - 38 * mm, 38 * mm])
        table.setStyle(
            _style(
                [
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("LEFTPADDING", (0, 0), (-1, -1), 0),
                    ("TOPPADDING", (0, 0), (-1, -1), 1.5),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
                    ("LINEBELOW", (0, 0), (-1, -2), 0.3, BAND),
                ]
            )
        )
        story.append(table)

    count = sheet.participant_count
    story.append(_p(_("Participant·es"), "heading"))
    note = ngettext(
        "%(num)d participant·e attendu·e, par territoire.",
        "%(num)d participant·es attendu·es, par territoire.",
        count,
    )
    if sheet.prefilled:
        note += " " + _("Présences pré-remplies d'après l'émargement enregistré dans Parcours.")
    story += [_p(note, "muted"), Spacer(0, 2 * mm)]
    several_days = sheet.first_day != sheet.last_day
    slots = sheet.half_days
    name_width = max(58 * mm, width - len(slots) * 34 * mm) if slots else width
    slot_width = (width - name_width) / len(slots) if slots else 0
    header = [
        _p(_("Nom"), "column_left"),
        *(_half_day_heading(slot, several_days) for slot in slots),
    ]
    rows: list[list] = [header]
    commands = [
        ("BACKGROUND", (0, 0), (-1, 0), HEADER),
        ("VALIGN", (0, 0), (-1, 0), "MIDDLE"),
        ("VALIGN", (0, 1), (-1, -1), "TOP"),
        ("GRID", (0, 0), (-1, -1), 0.5, RULE),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
        # The pre-filled statuses: small, grey, at the top of the box, leaving room to sign.
        ("FONTNAME", (1, 1), (-1, -1), FONT),
        ("FONTSIZE", (1, 1), (-1, -1), 7.5),
        ("TEXTCOLOR", (1, 1), (-1, -1), MUTED),
    ]
    row_heights: list[float | None] = [None]
    labels = {status.value: str(label) for status, label in STATUS_LABELS.items()}
    for group in sheet.groups:
        first = len(rows)
        if group.territory:
            rows.append([_p(group.territory, "cell_bold"), *([""] * len(slots))])
            row_heights.append(None)
            commands += [
                ("SPAN", (0, first), (-1, first)),
                ("BACKGROUND", (0, first), (-1, first), BAND),
            ]
        for line in group.lines:
            name = escape(line.name)
            if line.organisation:
                name += f"<br/><font size='7.5' color='#5b6773'>{escape(line.organisation)}</font>"
            rows.append([_markup(name, "cell"), *(labels.get(mark, "") for mark in line.marks)])
            row_heights.append(11 * mm)
        if group.territory and len(group.lines) <= 3:
            # Keep a territory's name on the same page as its people.
            commands.append(("NOSPLIT", (0, first), (-1, len(rows) - 1)))
    if not count:
        rows.append(
            [_p(_("Personne n'est attendu·e à ce rendez-vous."), "muted"), *[""] * len(slots)]
        )
        row_heights.append(None)
    # The signature of whoever took attendance closes the table, on the page of its last rows.
    closing = len(rows)
    rows.append(
        [
            _p(_("Nom et signature de la personne responsable de l'émargement :"), "muted"),
            *[""] * len(slots),
        ]
    )
    row_heights.append(16 * mm)
    commands += [
        ("SPAN", (0, closing), (-1, closing)),
        ("NOSPLIT", (0, max(1, closing - 2)), (-1, closing)),
        ("TOPPADDING", (0, closing), (-1, closing), 5),
    ]
    table = Table(
        rows,
        colWidths=[name_width, *([slot_width] * len(slots))],
        rowHeights=row_heights,
        repeatRows=1,
    )
    table.setStyle(_style(commands))
    story.append(table)
    return _build(
        story,
        pagesize=pagesize,
        title=_("Feuille d'émargement — %(title)s", title=sheet.title),
        footer=f"{sheet.cohort} · {sheet.title}",
    )


def _signature_box(label: str, width: float) -> Table:
    table = Table(
        [[_p(label, "muted")], [""]],
        colWidths=[min(90 * mm, width)],
        rowHeights=[None, 15 * mm],
        hAlign="RIGHT",
    )
    table.setStyle(_style([("BOX", (0, 0), (-1, -1), 0.5, RULE)]))
    return table


# Attestation ---------------------------------------------------------------------------------


def _attended_halves(slots: tuple[HalfDaySlot, ...]) -> str:
    days: dict[date, list[str]] = {}
    for slot in slots:
        days.setdefault(slot.day, []).append(str(slot.label).lower())
    if len(days) == 1:
        return escape(", ".join(next(iter(days.values()))))
    return "<br/>".join(
        escape(f"{format_date(day, 'd MMM')} : {', '.join(halves)}") for day, halves in days.items()
    )


def render_attestation(attestation: Attestation) -> bytes:
    """Return the attestation de participation as PDF bytes."""
    width = A4[0] - 2 * MARGIN
    facts = [(_("Participant·e"), _markup(f"<b>{escape(attestation.participant)}</b>", "base"))]
    if attestation.organisation:
        facts.append((_("Structure"), _p(attestation.organisation, "base")))
    if attestation.territory:
        facts.append((_("Territoire"), _p(attestation.territory, "base")))
    facts.append(
        (
            _("Cohorte"),
            _p(
                _(
                    "%(cohort)s, du %(start)s au %(end)s",
                    cohort=attestation.cohort,
                    start=format_date(attestation.cohort_start, "long"),
                    end=format_date(attestation.cohort_end, "long"),
                ),
                "base",
            ),
        )
    )
    story: list = [
        _p(attestation.programme, "eyebrow"),
        _p(_("Attestation de participation"), "title"),
        Spacer(0, 8 * mm),
        _p(
            _(
                "La coordination du parcours « %(programme)s » atteste de la participation de "
                "la personne suivante :",
                programme=attestation.programme,
            ),
            "body",
        ),
        _facts_table(facts, width),
        Spacer(0, 4 * mm),
        _p(_("Temps du parcours auxquels cette personne a participé :"), "body"),
    ]
    if attestation.lines:
        header = [
            _p(_("Date"), "column_left"),
            _p(_("Rendez-vous"), "column_left"),
            _p(_("Demi-journées"), "column_left"),
            _p(_("Durée"), "column"),
        ]
        rows: list[list] = [header]
        for line in attestation.lines:
            rows.append(
                [
                    _p(format_date(line.first_day, "d MMM y"), "cell"),
                    _markup(
                        f"{escape(line.title)}<br/>"
                        f"<font size='7.5' color='#5b6773'>{escape(line.kind_label)}</font>",
                        "cell",
                    ),
                    _markup(_attended_halves(line.half_days), "cell"),
                    _p(format_hours(line.hours), "duration"),
                ]
            )
        rows.append(
            [
                _p(_("Total"), "cell_bold"),
                "",
                _p(
                    ngettext(
                        "%(num)d demi-journée", "%(num)d demi-journées", attestation.half_day_count
                    ),
                    "cell_bold",
                ),
                _p(format_hours(attestation.total_hours), "duration_bold"),
            ]
        )
        table = Table(
            rows,
            colWidths=[26 * mm, width - 26 * mm - 52 * mm - 22 * mm, 52 * mm, 22 * mm],
            repeatRows=1,
        )
        table.setStyle(
            _style(
                [
                    ("BACKGROUND", (0, 0), (-1, 0), HEADER),
                    ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                    ("LINEBELOW", (0, 1), (-1, -2), 0.4, RULE),
                    ("BACKGROUND", (0, -1), (-1, -1), BAND),
                    ("TOPPADDING", (0, 0), (-1, -1), 4),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
                ]
            )
        )
        story += [
            table,
            Spacer(0, 5 * mm),
            _markup(
                _(
                    "Soit un temps de participation de %(hours)s.",
                    hours=f"<b>{format_hours(attestation.total_hours)}</b>",
                ),
                "body",
            ),
        ]
    else:
        story.append(_p(_("Aucune présence n'est enregistrée à ce jour."), "body"))
    story += [
        _p(
            _(
                "Fait le %(date)s, pour servir et valoir ce que de droit.",
                date=format_date(attestation.issued_on, "long"),
            ),
            "body",
        ),
        Spacer(0, 6 * mm),
        KeepTogether(
            [
                _signature_box(
                    _("Pour la coordination du parcours")
                    + (
                        " : " + ", ".join(attestation.signatories)
                        if attestation.signatories
                        else ""
                    ),
                    width,
                )
            ]
        ),
    ]
    return _build(
        story,
        pagesize=A4,
        title=_("Attestation de participation — %(name)s", name=attestation.participant),
        footer=f"{attestation.programme} · {attestation.cohort}",
    )
