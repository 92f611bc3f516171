"""The attestation de fin de parcours: its data exactly, then the PDF's bytes."""

from datetime import date

from pypdf.generic import ContentStream
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.lib.rl_accel import fp_str

from parcours.attendance.permissions import membership_of
from parcours.cohorts.models import Cohort
from parcours.core.extensions import db
from parcours.evaluation.attestations import document
from parcours.evaluation.attestations.document import DomainWorked, MeetingLine
from tests.pdfs import embedded_fonts, read_pdf

URL = "http://parcours.test/verifier/jeton-de-test"


def _data(world, person="a1", number=1):
    cohort = db.session.get(Cohort, world["cohort_a"])
    member = membership_of(world[person], cohort)
    return document.gather(
        cohort, member, number=number, verification_url=URL, issued_on=date(2026, 11, 12)
    )


def test_the_data_counts_sessions_hours_and_competences(ctx, finished):
    data = _data(finished)
    assert data.meetings == (
        MeetingLine(
            code="S1",
            title=data.meetings[0].title,
            is_session=True,
            kind_label="Session collective",
            day=date(2026, 4, 1),
            half_days=2,
            hours=7.5,
        ),
        MeetingLine(
            code="SUIVI1",
            title=data.meetings[1].title,
            is_session=False,
            kind_label="Suivi individuel",
            day=date(2026, 4, 27),
            half_days=1,
            hours=2.0,
        ),
        MeetingLine(
            code="S2",
            title=data.meetings[2].title,
            is_session=True,
            kind_label="Session collective",
            day=date(2026, 6, 10),
            half_days=1,
            hours=3.5,
        ),
        MeetingLine(
            code="S3",
            title=data.meetings[3].title,
            is_session=True,
            kind_label="Session collective",
            day=date(2026, 8, 19),
            half_days=2,
            hours=7.5,
        ),
    )
    assert data.meetings[0].title.startswith("Session 1")
    assert (data.sessions_attended, data.session_count) == (3, 4)
    assert (data.total_hours, data.half_day_count) == (20.5, 6)
    assert data.thematics == (
        "État des lieux des partenariats en France et spécificités régionales",
        "Fragilités en territoire et enjeux d'alliances innovantes",
    )
    referential = db.session.get(Cohort, finished["cohort_a"]).curriculum.referential
    d0, d1 = referential.domains[:2]
    assert data.competences == (
        DomainWorked(
            code="D0",
            name=d0.name,
            competences=tuple((c.code, c.label) for c in d0.competences[:3]),
        ),
        DomainWorked(
            code="D1",
            name=d1.name,
            competences=((d1.competences[0].code, d1.competences[0].label),),
        ),
    )
    assert data.competence_count == 4
    assert len(data.assessments) == 2
    assert (data.participant, data.territory, data.organisation) == (
        "Catalyseur A1",
        "Territoire A1",
        "",
    )
    assert data.signatories == ("Coordination A",)
    assert (data.cohort, data.cohort_start, data.cohort_end) == (
        "Cohorte A",
        date(2026, 3, 2),
        date(2026, 12, 2),
    )
    assert (data.number, data.verification_url, data.issued_on) == (1, URL, date(2026, 11, 12))


def test_someone_with_one_session_and_no_self_assessment(ctx, finished):
    data = _data(finished, "a2")
    assert [line.code for line in data.meetings] == ["S1"]
    assert (data.sessions_attended, data.total_hours) == (1, 7.5)
    assert data.competences == () and data.assessments == ()


def _qr_rectangles(url: str) -> list[str]:
    """The rectangles reportlab draws for the QR code of ``url``, as PDF operators."""
    size = document.QR_SIZE
    shapes = QrCodeWidget(url, barLevel="M", barWidth=size, barHeight=size).draw().contents
    return [f"{fp_str(s.x, s.y, s.width, s.height)} re" for s in shapes if s.fillColor is not None]


def test_the_pdf_says_it_all_with_its_qr_code_and_fonts(ctx, finished):
    data = _data(finished, number=2)
    content = document.render(data)
    reader, text = read_pdf(content)
    assert len(reader.pages) == 1
    for expected in (
        "Attestation de fin de parcours (version 2)",
        "Catalyseur A1",
        "Territoire A1",
        "3 sessions collectives suivies sur 4",
        "20 h 30",
        "7 h 30",
        "Compétences travaillées",
        "D0.1",
        "D1.1",
        "État des lieux des partenariats",
        URL,
        "Coordination A",
        "12 novembre 2026",
    ):
        assert expected in text, expected
    assert "D0.4" not in text  # « je ne sais pas » everywhere: not worked on
    assert embedded_fonts(reader) == {("DejaVuSans", True), ("DejaVuSans-Bold", True)}
    assert reader.metadata.title == "Attestation de fin de parcours — Catalyseur A1"
    assert reader.metadata.author == "Parcours"
    assert reader.trailer["/Root"]["/Lang"] == "fr"
    page = reader.pages[0]
    operators = ContentStream(page.get_contents(), reader).get_data().decode("latin-1")
    rectangles = _qr_rectangles(URL)
    assert len(rectangles) > 50
    missing = [r for r in rectangles if r not in operators]
    assert missing == [], "the QR code of the verification URL is not drawn"
    links = [a.get_object()["/A"]["/URI"] for a in page.get("/Annots", [])]
    assert URL in links


def test_a_pdf_without_attendance_says_so(ctx, finished):
    data = _data(finished, "a1bis")
    _reader, text = read_pdf(document.render(data))
    assert "Aucune présence n'est enregistrée." in text
    assert "Aucune auto-évaluation n'a été transmise." in text
