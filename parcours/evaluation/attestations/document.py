"""The attestation de fin de parcours: its data gathered from the database, then drawn as a PDF.

:func:`gather` reads what one catalyseur did in a cohort: the collective sessions and the
other meetings they attended, with the hours of the half-days attended (those of the
attestation de participation, ``parcours.attendance.reports.attestation``), the thematics
of those sessions, and the competences they worked on — those they rated in a self-assessment
(levels stay out: the paper is shown to third parties). :func:`render` draws it without
touching the database, with the verification link and its QR code.
"""

from dataclasses import dataclass
from datetime import date
from xml.sax.saxutils import escape

from flask_babel import gettext as _
from flask_babel import ngettext
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Spacer, Table
from sqlalchemy import select

from parcours.agenda.models import Event, EventKind, EventStatus
from parcours.attendance import reports as attendance_reports
from parcours.attendance.pdf import format_hours, participant_facts
from parcours.cohorts.models import Cohort, Membership
from parcours.competences.models import Viewpoint, subject_of
from parcours.competences.progression.queries import answer_details
from parcours.core.extensions import db
from parcours.core.i18n import format_date
from parcours.reports.pdf import (
    BAND,
    FONT,
    HEADER,
    MUTED_HEX,
    RULE,
    build,
    content_width,
    facts_table,
    markup,
    paragraph,
    table_style,
)

#: The side of the QR code on the page.
QR_SIZE = 32 * mm


@dataclass(frozen=True)
class MeetingLine:
    """One meeting attended: a collective session, a follow-up, a visit…"""

    code: str
    title: str
    #: A collective session of the curriculum (its code is one of the curriculum's sessions).
    is_session: bool
    kind_label: str
    day: date
    half_days: int
    hours: float


@dataclass(frozen=True)
class DomainWorked:
    """A domain of the referential and the competences of it the person self-assessed."""

    code: str
    name: str
    competences: tuple[tuple[str, str], ...]  # (code, statement)


@dataclass(frozen=True)
class FinalAttestationData:
    """What the attestation de fin de parcours of one catalyseur says."""

    programme: str
    cohort: str
    cohort_start: date
    cohort_end: date
    participant: str
    organisation: str
    territory: str
    meetings: tuple[MeetingLine, ...]
    #: The cohort's collective sessions that took place (not cancelled).
    session_count: int
    thematics: tuple[str, ...]
    #: The assessment moments the person answered, by title.
    assessments: tuple[str, ...]
    competences: tuple[DomainWorked, ...]
    signatories: tuple[str, ...]
    issued_on: date
    number: int
    verification_url: str

    @property
    def sessions_attended(self) -> int:
        return sum(1 for line in self.meetings if line.is_session)

    @property
    def total_hours(self) -> float:
        return sum(line.hours for line in self.meetings)

    @property
    def half_day_count(self) -> int:
        return sum(line.half_days for line in self.meetings)

    @property
    def competence_count(self) -> int:
        return sum(len(domain.competences) for domain in self.competences)


def gather(
    cohort: Cohort,
    member: Membership,
    *,
    number: int,
    verification_url: str,
    issued_on: date,
) -> FinalAttestationData:
    """Gather the attestation of the catalyseur ``member`` of ``cohort``.

    The meetings and their hours are the attestation de participation's (one rule for what a
    half-day counts, in the attendance domain), the competences the self-assessments'.
    """
    participation = attendance_reports.attestation(cohort, member)
    document = cohort.curriculum
    session_codes = {session.code for session in document.sessions}
    sessions = db.session.execute(
        select(Event.code, Event.thematics).where(
            Event.cohort_id == cohort.id,
            Event.kind == EventKind.SESSION,
            Event.status != EventStatus.CANCELLED,
        )
    ).all()
    names = {thematic.code: thematic.name for thematic in document.thematics}
    themes_of = {code: thematics for code, thematics in sessions}
    meetings = tuple(
        MeetingLine(
            code=line.code,
            title=line.title,
            is_session=line.code in session_codes,
            kind_label=line.kind_label,
            day=line.first_day,
            half_days=len(line.half_days),
            hours=line.hours,
        )
        for line in participation.lines
    )
    thematics = [
        names[code]
        for line in meetings
        if line.is_session
        for code in themes_of.get(line.code, ())
        if code in names
    ]
    answers = answer_details(
        cohort,
        Viewpoint.SELF,
        [subject_of(Viewpoint.SELF, territory_id=0, participant_id=member.user_id)],
    )
    rated = {
        code for answer in answers for code, level in answer.levels.items() if level is not None
    }
    moments = {moment.code: moment.name for moment in document.assessment_moments}
    answered = {answer.moment for answer in answers}
    competences = tuple(
        DomainWorked(
            code=domain.code,
            name=domain.name,
            competences=tuple((c.code, c.label) for c in domain.competences if c.code in rated),
        )
        for domain in document.referential.domains
        if any(c.code in rated for c in domain.competences)
    )
    return FinalAttestationData(
        programme=participation.programme,
        cohort=participation.cohort,
        cohort_start=participation.cohort_start,
        cohort_end=participation.cohort_end,
        participant=participation.participant,
        organisation=participation.organisation,
        territory=participation.territory,
        meetings=meetings,
        session_count=len(sessions),
        thematics=tuple(dict.fromkeys(thematics)),
        assessments=tuple(title for code, title in moments.items() if code in answered),
        competences=competences,
        signatories=participation.signatories,
        issued_on=issued_on,
        number=number,
        verification_url=verification_url,
    )


# Rendering -----------------------------------------------------------------------------------


def qr_drawing(url: str, size: float = QR_SIZE) -> Drawing:
    """Return the QR code of ``url`` as a vector drawing of ``size`` points a side."""
    widget = QrCodeWidget(url, barLevel="M", barWidth=size, barHeight=size)
    drawing = Drawing(size, size)
    # Without this, the PDF would also reference (not embed) a standard font.
    drawing.initialFontName = FONT
    # The widget's shapes, made once: as a widget, it would encode the code at every use.
    drawing.add(widget.draw())
    return drawing


def _meetings_table(data: FinalAttestationData, width: float) -> Table:
    rows: list[list] = [
        [
            paragraph(_("Date"), "column_left"),
            paragraph(_("Rendez-vous"), "column_left"),
            paragraph(_("Demi-journées"), "column"),
            paragraph(_("Durée"), "column"),
        ]
    ]
    for line in data.meetings:
        rows.append(
            [
                paragraph(format_date(line.day, "d MMM y"), "cell"),
                markup(
                    f"{escape(line.title)}<br/>"
                    f"<font size='7.5' color='{MUTED_HEX}'>{escape(line.kind_label)}</font>",
                    "cell",
                ),
                paragraph(str(line.half_days), "cell_centered"),
                paragraph(format_hours(line.hours), "cell_centered"),
            ]
        )
    rows.append(
        [
            paragraph(_("Total"), "cell_bold"),
            "",
            paragraph(str(data.half_day_count), "cell_centered_bold"),
            paragraph(format_hours(data.total_hours), "cell_centered_bold"),
        ]
    )
    table = Table(
        rows,
        colWidths=[26 * mm, width - 26 * mm - 30 * mm - 22 * mm, 30 * mm, 22 * mm],
        repeatRows=1,
    )
    table.setStyle(
        table_style(
            [
                ("BACKGROUND", (0, 0), (-1, 0), HEADER),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("LINEBELOW", (0, 1), (-1, -2), 0.4, RULE),
                ("BACKGROUND", (0, -1), (-1, -1), BAND),
                ("TOPPADDING", (0, 0), (-1, -1), 3),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
            ]
        )
    )
    return table


def _verification_block(data: FinalAttestationData, width: float) -> Table:
    url = escape(data.verification_url)
    text = [
        paragraph(_("Vérifier cette attestation"), "label"),
        paragraph(
            _(
                "Ce lien, ou le code QR ci-contre, permet à quiconque de vérifier que cette "
                "attestation a bien été délivrée et que le fichier n'a pas été modifié."
            ),
            "small",
        ),
        markup(f"<a href='{url}' color='#1f4e79'>{url}</a>", "small"),
    ]
    table = Table(
        [[qr_drawing(data.verification_url), text]],
        colWidths=[QR_SIZE + 4 * mm, width - QR_SIZE - 4 * mm],
    )
    table.setStyle(
        table_style(
            [
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("BOX", (0, 0), (-1, -1), 0.5, RULE),
                ("LEFTPADDING", (0, 0), (0, 0), 2 * mm),
            ]
        )
    )
    return table


def render(data: FinalAttestationData) -> bytes:
    """Return the attestation de fin de parcours as PDF bytes."""
    width = content_width(A4)
    facts = participant_facts(data)
    title = _("Attestation de fin de parcours")
    if data.number > 1:
        title = _("%(title)s (version %(number)d)", title=title, number=data.number)
    story: list = [
        paragraph(data.programme, "eyebrow"),
        paragraph(title, "title"),
        Spacer(0, 6 * mm),
        paragraph(
            _(
                "La coordination du parcours « %(programme)s » atteste que la personne "
                "suivante a suivi le parcours jusqu'à son terme :",
                programme=data.programme,
            ),
            "body",
        ),
        facts_table(facts, width),
        paragraph(_("Sessions collectives et rendez-vous"), "heading"),
    ]
    if data.meetings:
        story += [
            paragraph(
                ngettext(
                    "%(num)d session collective suivie sur %(total)d, pour un temps de "
                    "participation de %(hours)s au total.",
                    "%(num)d sessions collectives suivies sur %(total)d, pour un temps de "
                    "participation de %(hours)s au total.",
                    data.sessions_attended,
                    total=data.session_count,
                    hours=format_hours(data.total_hours),
                ),
                "base",
            ),
            Spacer(0, 2 * mm),
            _meetings_table(data, width),
            Spacer(0, 1.5 * mm),
            paragraph(
                _(
                    "Les heures d'une demi-journée sont celles des lignes de son déroulé, hors "
                    "pauses et pause déjeuner ; sans déroulé, celles de la demi-journée."
                ),
                "muted",
            ),
        ]
    else:
        story.append(paragraph(_("Aucune présence n'est enregistrée."), "base"))
    if data.thematics:
        story += [
            paragraph(_("Thématiques travaillées"), "heading"),
            paragraph(" · ".join(data.thematics), "base"),
        ]
    story.append(paragraph(_("Compétences travaillées"), "heading"))
    if data.competences:
        story.append(
            paragraph(
                ngettext(
                    "%(num)d compétence du référentiel auto-évaluée (%(moments)s) :",
                    "%(num)d compétences du référentiel auto-évaluées (%(moments)s) :",
                    data.competence_count,
                    moments=", ".join(data.assessments),
                ),
                "base",
            )
        )
        for domain in data.competences:
            lines = "<br/>".join(
                f"{escape(code)} {escape(statement)}" for code, statement in domain.competences
            )
            story.append(
                KeepTogether(
                    [
                        markup(f"<b>{escape(domain.code)} {escape(domain.name)}</b>", "cell"),
                        markup(lines, "small"),
                        Spacer(0, 1.5 * mm),
                    ]
                )
            )
    else:
        story.append(paragraph(_("Aucune auto-évaluation n'a été transmise."), "base"))
    story += [
        Spacer(0, 4 * mm),
        paragraph(
            _(
                "Fait le %(date)s, pour servir et valoir ce que de droit.",
                date=format_date(data.issued_on, "long"),
            ),
            "body",
        ),
    ]
    if data.signatories:
        story.append(
            paragraph(
                _(
                    "Pour la coordination du parcours : %(names)s",
                    names=", ".join(data.signatories),
                ),
                "base",
            )
        )
    story += [Spacer(0, 6 * mm), KeepTogether([_verification_block(data, width)])]
    return build(
        story,
        pagesize=A4,
        title=_("Attestation de fin de parcours — %(name)s", name=data.participant),
        footer=f"{data.programme} · {data.cohort}",
    )
