"""Draw the attendance papers as A4 PDFs, from reports' data objects, without the database.

The fonts, styles, page numbering and build come from ``parcours.reports.pdf``; this module only
lays out the signature sheet and the attestation.
"""

from datetime import date, time
from xml.sax.saxutils import escape

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Paragraph, Spacer, Table

from parcours.attendance.halfdays import CountedHalfDay, HalfDaySlot, HoursBasis
from parcours.attendance.models import STATUS_LABELS
from parcours.attendance.reports import Attestation, SignatureSheet
from parcours.core.i18n import format_date
from parcours.reports.pdf import (
    BAND,
    FONT,
    HEADER,
    MUTED,
    MUTED_HEX,
    RULE,
    build,
    content_width,
    facts_table,
    markup,
    paragraph,
    table_style,
)

# Beyond this many half-day columns the sheet turns to landscape.
PORTRAIT_MAX_HALF_DAYS = 4


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


# Signature sheet -----------------------------------------------------------------------------


def _half_day_heading(slot: HalfDaySlot, several_days: bool) -> Paragraph:
    day = escape(format_date(slot.day, "EEE d MMM")) + "<br/>" if several_days else ""
    hours = f"{_clock(slot.local_start.time())}–{_clock(slot.local_end.time())}"
    return markup(f"{day}{escape(str(slot.label))}<br/>{hours}", "column")


def render_signature_sheet(sheet: SignatureSheet) -> bytes:
    """Return the feuille d'émargement as PDF bytes."""
    many = len(sheet.half_days) > PORTRAIT_MAX_HALF_DAYS
    pagesize = landscape(A4) if many else A4
    width = content_width(pagesize)
    story: list = [
        paragraph(f"{sheet.programme} · {sheet.cohort}", "eyebrow"),
        paragraph(_("Feuille d'émargement"), "title"),
        Spacer(0, 1.5 * mm),
        paragraph(sheet.title, "subtitle"),
        Spacer(0, 3 * mm),
    ]
    facts = [
        (_("Date"), paragraph(_day_span(sheet.first_day, sheet.last_day), "base")),
        (
            _("Horaires"),
            paragraph(f"{_clock(sheet.starts_at)} – {_clock(sheet.ends_at)}", "base"),
        ),
    ]
    venue = ", ".join(part for part in (sheet.venue_name, sheet.venue_address) if part.strip())
    facts.append((_("Lieu"), paragraph(venue or _("à préciser"), "base")))
    if sheet.speakers:
        facts.append((_("Intervenant·es"), paragraph(" · ".join(sheet.speakers), "base")))
    story.append(facts_table(facts, width))

    if sheet.agenda:
        story.append(paragraph(_("Programme"), "heading"))
        rows = [
            [
                paragraph(f"{_clock(line.starts_at)}–{_clock(line.ends_at)}", "cell"),
                markup(
                    escape(line.title)
                    + (
                        f" <font color='{MUTED_HEX}'>— {escape(line.speaker)}</font>"
                        if line.speaker
                        else ""
                    ),
                    "cell",
                ),
                paragraph(line.kind_label, "muted"),
            ]
            for line in sheet.agenda
        ]
        table = Table(rows, colWidths=[24 * mm, width - 24 * mm - 38 * mm, 38 * mm])
        table.setStyle(
            table_style(
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
    story.append(paragraph(_("Participant·es"), "heading"))
    note = ngettext(
        "%(num)d participant·e attendu·e, par territoire.",
        "%(num)d participant·es attendu·es, par territoire.",
        count,
    )
    if sheet.prefilled:
        note += " " + _("Présences pré-remplies d'après l'émargement enregistré dans Parcours.")
    story += [paragraph(note, "muted"), Spacer(0, 2 * mm)]
    several_days = sheet.first_day != sheet.last_day
    slots = sheet.half_days
    name_width = max(58 * mm, width - len(slots) * 34 * mm) if slots else width
    slot_width = (width - name_width) / len(slots) if slots else 0
    header = [
        paragraph(_("Nom"), "column_left"),
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
            rows.append([paragraph(group.territory, "cell_bold"), *([""] * len(slots))])
            row_heights.append(None)
            commands += [
                ("SPAN", (0, first), (-1, first)),
                ("BACKGROUND", (0, first), (-1, first), BAND),
            ]
        for line in group.lines:
            name = escape(line.name)
            if line.organisation:
                name += (
                    f"<br/><font size='7.5' color='{MUTED_HEX}'>{escape(line.organisation)}</font>"
                )
            rows.append([markup(name, "cell"), *(labels.get(mark, "") for mark in line.marks)])
            row_heights.append(11 * mm)
        if group.territory and len(group.lines) <= 3:
            # Keep a territory's name on the same page as its people.
            commands.append(("NOSPLIT", (0, first), (-1, len(rows) - 1)))
    if not count:
        rows.append(
            [
                paragraph(_("Personne n'est attendu·e à ce rendez-vous."), "muted"),
                *[""] * len(slots),
            ]
        )
        row_heights.append(None)
    # The signature of whoever took attendance closes the table, on the page of its last rows.
    closing = len(rows)
    rows.append(
        [
            paragraph(_("Nom et signature de la personne responsable de l'émargement :"), "muted"),
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
    table.setStyle(table_style(commands))
    story.append(table)
    return build(
        story,
        pagesize=pagesize,
        title=_("Feuille d'émargement — %(title)s", title=sheet.title),
        footer=f"{sheet.cohort} · {sheet.title}",
    )


def _signature_box(label: str, width: float) -> Table:
    table = Table(
        [[paragraph(label, "muted")], [""]],
        colWidths=[min(90 * mm, width)],
        rowHeights=[None, 15 * mm],
        hAlign="RIGHT",
    )
    table.setStyle(table_style([("BOX", (0, 0), (-1, -1), 0.5, RULE)]))
    return table


# Attestation ---------------------------------------------------------------------------------


BASIS_NOTES = {
    HoursBasis.PROGRAMME: _l("heures comptées d'après le déroulé de la séance"),
    HoursBasis.HALF_DAY: _l("heures comptées d'après les horaires de la demi-journée"),
}


def _basis_note(bases: frozenset[HoursBasis]) -> str:
    """Say where a line's hours come from, both bases when its half-days differ."""
    return " ; ".join(str(BASIS_NOTES[basis]) for basis in HoursBasis if basis in bases)


def _attended_halves(half_days: tuple[CountedHalfDay, ...]) -> str:
    days: dict[date, list[str]] = {}
    for half_day in half_days:
        slot = half_day.slot
        days.setdefault(slot.day, []).append(str(slot.label).lower())
    if len(days) == 1:
        return escape(", ".join(next(iter(days.values()))))
    return "<br/>".join(
        escape(f"{format_date(day, 'd MMM')} : {', '.join(halves)}") for day, halves in days.items()
    )


def participant_facts(holder) -> list[tuple]:
    """Return who an attestation is for, as the rows of its facts table.

    ``holder`` has ``participant``, ``organisation``, ``territory``, ``cohort``,
    ``cohort_start`` and ``cohort_end``: both attestations (participation, fin de parcours).
    """
    facts = [(_("Participant·e"), markup(f"<b>{escape(holder.participant)}</b>", "base"))]
    if holder.organisation:
        facts.append((_("Structure"), paragraph(holder.organisation, "base")))
    if holder.territory:
        facts.append((_("Territoire"), paragraph(holder.territory, "base")))
    facts.append(
        (
            _("Cohorte"),
            paragraph(
                _(
                    "%(cohort)s, du %(start)s au %(end)s",
                    cohort=holder.cohort,
                    start=format_date(holder.cohort_start, "long"),
                    end=format_date(holder.cohort_end, "long"),
                ),
                "base",
            ),
        )
    )
    return facts


def render_attestation(attestation: Attestation) -> bytes:
    """Return the attestation de participation as PDF bytes."""
    width = content_width(A4)
    facts = participant_facts(attestation)
    story: list = [
        paragraph(attestation.programme, "eyebrow"),
        paragraph(_("Attestation de participation"), "title"),
        Spacer(0, 8 * mm),
        paragraph(
            _(
                "La coordination du parcours « %(programme)s » atteste de la participation de "
                "la personne suivante :",
                programme=attestation.programme,
            ),
            "body",
        ),
        facts_table(facts, width),
        Spacer(0, 4 * mm),
        paragraph(_("Temps du parcours auxquels cette personne a participé :"), "body"),
    ]
    if attestation.lines:
        header = [
            paragraph(_("Date"), "column_left"),
            paragraph(_("Rendez-vous"), "column_left"),
            paragraph(_("Demi-journées"), "column_left"),
            paragraph(_("Durée"), "column"),
        ]
        rows: list[list] = [header]
        for line in attestation.lines:
            rows.append(
                [
                    paragraph(format_date(line.first_day, "d MMM y"), "cell"),
                    markup(
                        f"{escape(line.title)}<br/>"
                        f"<font size='7.5' color='{MUTED_HEX}'>{escape(line.kind_label)}</font>",
                        "cell",
                    ),
                    markup(
                        _attended_halves(line.half_days)
                        + f"<br/><font size='7' color='{MUTED_HEX}'>"
                        + escape(_basis_note(line.bases))
                        + "</font>",
                        "cell",
                    ),
                    paragraph(format_hours(line.hours), "cell_centered"),
                ]
            )

        rows.append(
            [
                paragraph(_("Total"), "cell_bold"),
                "",
                paragraph(
                    ngettext(
                        "%(num)d demi-journée", "%(num)d demi-journées", attestation.half_day_count
                    ),
                    "cell_bold",
                ),
                paragraph(format_hours(attestation.total_hours), "cell_centered_bold"),
            ]
        )
        table = Table(
            rows,
            colWidths=[26 * mm, width - 26 * mm - 52 * mm - 22 * mm, 52 * mm, 22 * mm],
            repeatRows=1,
        )
        table.setStyle(
            table_style(
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
            Spacer(0, 2 * mm),
            paragraph(
                _(
                    "Les heures d'une demi-journée sont celles des lignes de son déroulé, hors "
                    "pauses et pause déjeuner ; sans déroulé, celles de la demi-journée."
                ),
                "muted",
            ),
            Spacer(0, 3 * mm),
            markup(
                _(
                    "Soit un temps de participation de %(hours)s.",
                    hours=f"<b>{format_hours(attestation.total_hours)}</b>",
                ),
                "body",
            ),
        ]
    else:
        story.append(paragraph(_("Aucune présence n'est enregistrée à ce jour."), "body"))
    story += [
        paragraph(
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
    return build(
        story,
        pagesize=A4,
        title=_("Attestation de participation — %(name)s", name=attestation.participant),
        footer=f"{attestation.programme} · {attestation.cohort}",
    )
