"""Signature sheets and attestations: the data gathered exactly, then the PDF drawn from it."""

from datetime import UTC, date, datetime, time

import pytest

from parcours.accounts.models import User
from parcours.agenda.models import AgendaItem, Event
from parcours.attendance import operations, reports
from parcours.attendance.halfdays import HoursBasis, event_half_days
from parcours.attendance.operations import Mark
from parcours.attendance.pdf import format_hours, render_attestation, render_signature_sheet
from parcours.cohorts.models import Cohort, Membership
from parcours.core.extensions import db
from parcours.core.time import freeze
from tests.attendance.conftest import paris
from tests.pdfs import embedded_fonts, read_pdf

APRIL_1 = date(2026, 4, 1)
S1_TITLE = "Session 1 — Panorama des partenariats et fragilités territoriales"


def _prepare_s1(world, events) -> Event:
    s1 = db.session.get(Event, events["S1"])
    s1.venue_name = "CGET — salle Étienne Marcel"
    s1.venue_address = "20 avenue de Ségur, 75007 Paris"
    s1.speakers = "Claire Dumas — Le RAMEAU\nPaul Renard — Opus 3"
    s1.items.extend(
        [
            AgendaItem(
                starts_at=paris("2026-04-01", "09:30"),
                ends_at=paris("2026-04-01", "10:15"),
                kind="plenary",
                title="Regards d'ouverture",
                speaker="Claire Dumas",
            ),
            AgendaItem(
                starts_at=paris("2026-04-01", "14:00"),
                ends_at=paris("2026-04-01", "16:00"),
                kind="workshop",
                title="Co-développement en sous-groupes",
            ),
        ]
    )
    db.session.flush()
    return s1


def test_signature_sheet_data(ctx, world, events, accents):
    s1 = _prepare_s1(world, events)
    sheet = reports.signature_sheet(s1)
    assert [(s.day, s.half, s.local_start.time(), s.local_end.time()) for s in sheet.half_days] == [
        (APRIL_1, "am", time(9, 30), time(13, 0)),
        (APRIL_1, "pm", time(13, 0), time(17, 0)),
    ]
    assert sheet == reports.SignatureSheet(
        programme="Co-construction territoriale",
        cohort="Cohorte A",
        code="S1",
        title=S1_TITLE,
        kind_label="Session collective",
        first_day=APRIL_1,
        last_day=APRIL_1,
        starts_at=time(9, 30),
        ends_at=time(17, 0),
        venue_name="CGET — salle Étienne Marcel",
        venue_address="20 avenue de Ségur, 75007 Paris",
        speakers=("Claire Dumas — Le RAMEAU", "Paul Renard — Opus 3"),
        agenda=(
            reports.ProgrammeLine(
                time(9, 30), time(10, 15), "Plénière", "Regards d'ouverture", "Claire Dumas"
            ),
            reports.ProgrammeLine(
                time(14, 0),
                time(16, 0),
                "Atelier en sous-groupes",
                "Co-développement en sous-groupes",
                "",
            ),
        ),
        half_days=sheet.half_days,
        groups=(
            reports.SheetGroup(
                territory="Pays de Sèvre et Bocage",
                lines=(
                    reports.SheetLine(
                        "Élise Château", "Maison de l'Économie sociale", (None, None)
                    ),
                    reports.SheetLine("Étienne Lefèvre", "", (None, None)),
                ),
            ),
            reports.SheetGroup(
                territory="Vallée de l'Orne",
                lines=(reports.SheetLine("Françoise Nœl-Dupré", "", (None, None)),),
            ),
        ),
        prefilled=False,
    )
    assert sheet.participant_count == 3


def test_pre_filled_sheet_carries_the_recorded_status(ctx, world, events, accents):
    s1 = db.session.get(Event, events["S1"])
    operations.record_attendances(
        s1,
        {
            (world["a1"], APRIL_1, "am"): Mark("present"),
            (world["a1"], APRIL_1, "pm"): Mark("late"),
            (world["a2"], APRIL_1, "pm"): Mark("excused", "raison personnelle"),
        },
        recorded_by=db.session.get(User, world["coordinator"]),
    )
    sheet = reports.signature_sheet(s1, prefill=True)
    assert sheet.prefilled
    assert [[line.marks for line in group.lines] for group in sheet.groups] == [
        [("present", "late"), (None, None)],
        [(None, "excused")],
    ]
    # The blank sheet ignores what was recorded.
    blank = reports.signature_sheet(s1)
    assert {mark for g in blank.groups for line in g.lines for mark in line.marks} == {None}

    _reader, text = read_pdf(render_signature_sheet(sheet))
    assert "Présent·e" in text and "En retard" in text and "Excusé·e" in text
    assert "raison personnelle" not in text  # comments stay in Parcours, off the paper


def test_signature_sheet_pdf(ctx, world, events, accents):
    s1 = _prepare_s1(world, events)
    reader, text = read_pdf(render_signature_sheet(reports.signature_sheet(s1)))
    assert len(reader.pages) == 1
    width, height = reader.pages[0].mediabox.width, reader.pages[0].mediabox.height
    assert (round(float(width)), round(float(height))) == (595, 842)  # A4 portrait
    for expected in (
        "Feuille d'émargement",
        S1_TITLE,
        "Co-construction territoriale · Cohorte A",
        "mercredi 1er avril 2026",
        "09:30 – 17:00",
        "CGET — salle Étienne Marcel, 20 avenue de Ségur, 75007 Paris",
        "Claire Dumas — Le RAMEAU · Paul Renard — Opus 3",
        "Regards d'ouverture",
        "Atelier en sous-groupes",
        "Pays de Sèvre et Bocage",
        "Vallée de l'Orne",
        "Élise Château",
        "Maison de l'Économie sociale",
        "Étienne Lefèvre",
        "Françoise Nœl-Dupré",
        "Matin",
        "Après-midi",
        "3 participant·es attendu·es",
        "Page 1 / 1",
    ):
        assert expected in text, expected
    assert text.index("Pays de Sèvre et Bocage") < text.index("Élise Château")
    assert text.index("Étienne Lefèvre") < text.index("Vallée de l'Orne")
    assert embedded_fonts(reader) == {("DejaVuSans", True), ("DejaVuSans-Bold", True)}
    assert reader.metadata.title == f"Feuille d'émargement — {S1_TITLE}"


def _sheet(participants: int, slots: int, **fields) -> reports.SignatureSheet:
    """Build sheet data by hand: the renderer never needs the database."""
    day_slots = event_half_days(
        datetime(2026, 8, 19, 7, 30, tzinfo=UTC),
        datetime(2026, 8, 19 + (slots + 1) // 2 - 1, 15, 0, tzinfo=UTC),
        "Europe/Paris",
    )[:slots]
    lines = [
        reports.SheetLine(f"Personne n° {n} Hervé", "Structure associative", (None,) * slots)
        for n in range(participants)
    ]
    groups = tuple(
        reports.SheetGroup(f"Territoire {n // 2:02} — Côte-d'Or", tuple(lines[n : n + 2]))
        for n in range(0, participants, 2)
    )
    values = {
        "programme": "Co-construction territoriale",
        "cohort": "Promotion 2026",
        "code": "S3",
        "title": "Session 3 — Partenariats associations / entreprises et RSE",
        "kind_label": "Session collective",
        "first_day": day_slots[0].day,
        "last_day": day_slots[-1].day,
        "starts_at": time(9, 30),
        "ends_at": time(17, 0),
        "venue_name": "",
        "venue_address": "",
        "speakers": (),
        "agenda": (),
        "half_days": tuple(day_slots),
        "groups": groups,
        "prefilled": False,
        **fields,
    }
    return reports.SignatureSheet(**values)


def test_a_full_cohort_fits_on_two_pages(app):
    with app.test_request_context():
        reader, text = read_pdf(render_signature_sheet(_sheet(24, 4)))
    assert len(reader.pages) == 2
    assert "Page 2 / 2" in text
    assert "Territoire 11 — Côte-d'Or" in text
    assert "mer. 19 août" in text and "jeu. 20 août" in text
    assert "à préciser" in text  # no venue yet


def test_more_than_four_half_days_turn_the_sheet_to_landscape(app):
    with app.test_request_context():
        reader, _text = read_pdf(render_signature_sheet(_sheet(4, 6)))
    box = reader.pages[0].mediabox
    assert float(box.width) > float(box.height)


def test_a_sheet_without_participants_says_so(app):
    with app.test_request_context():
        _reader, text = read_pdf(render_signature_sheet(_sheet(0, 2)))
    assert "Personne n'est attendu·e à ce rendez-vous." in text


def test_markup_characters_in_names_are_printed_as_typed(app):
    sheet = _sheet(2, 2)
    odd = reports.SheetLine("Dupont & <Fils>", "A&B <i>", (None, None))
    sheet = _sheet(2, 2, groups=(reports.SheetGroup("Terre & <Mer>", (odd,)),), title="R&D <b>")
    with app.test_request_context():
        _reader, text = read_pdf(render_signature_sheet(sheet))
    for expected in ("Dupont & <Fils>", "A&B <i>", "Terre & <Mer>", "R&D <b>"):
        assert expected in text


def _attend(world, events, coordinator) -> None:
    def mark(code, user, day, half, status):
        event = db.session.get(Event, events[code])
        operations.record_attendances(
            event, {(world[user], day, half): Mark(status)}, recorded_by=coordinator
        )

    mark("S1", "a1", APRIL_1, "am", "present")
    mark("S1", "a1", APRIL_1, "pm", "late")
    mark("S1", "a2", APRIL_1, "am", "present")
    mark("S3", "a1", date(2026, 8, 19), "am", "present")
    mark("S3", "a1", date(2026, 8, 19), "pm", "excused")
    mark("S3", "a1", date(2026, 8, 20), "am", "absent")
    mark("BILAT-A1", "a1", date(2026, 3, 16), "am", "present")
    mark("S2", "a1", date(2026, 6, 10), "am", "present")
    db.session.get(Event, events["S2"]).status = "cancelled"  # no longer counts


def test_attestation_data(ctx, world, events, accents):
    coordinator = db.session.get(User, world["coordinator"])
    _attend(world, events, coordinator)
    cohort = db.session.get(Cohort, world["cohort_a"])
    member = db.session.scalar(db.select(Membership).filter_by(user_id=world["a1"]))
    with freeze(datetime(2026, 12, 3, 23, 30, tzinfo=UTC)):  # already 4 December in Paris
        attestation = reports.attestation(cohort, member)
    lines = [
        (
            line.code,
            line.title,
            line.kind_label,
            line.first_day,
            [(h.slot.day, h.slot.half) for h in line.half_days],
            line.hours,
            line.bases,
        )
        for line in attestation.lines
    ]
    assert lines == [
        (
            "BILAT",
            "Bilatérale de lancement",
            "Bilatérale de lancement",
            date(2026, 3, 16),
            [(date(2026, 3, 16), "am")],
            1.5,
            {HoursBasis.HALF_DAY},
        ),
        (
            "S1",
            S1_TITLE,
            "Session collective",
            APRIL_1,
            [(APRIL_1, "am"), (APRIL_1, "pm")],
            7.5,
            {HoursBasis.HALF_DAY},
        ),
        (
            "S3",
            "Session 3 — Partenariats associations / entreprises et RSE",
            "Session collective",
            date(2026, 8, 19),
            [(date(2026, 8, 19), "am")],
            3.5,
            {HoursBasis.HALF_DAY},
        ),
    ]
    assert attestation == reports.Attestation(
        programme="Co-construction territoriale",
        cohort="Cohorte A",
        cohort_start=date(2026, 3, 2),
        cohort_end=date(2026, 12, 2),
        participant="Élise Château",
        organisation="Maison de l'Économie sociale",
        territory="Pays de Sèvre et Bocage",
        lines=attestation.lines,
        signatories=("Coordination A",),
        issued_on=date(2026, 12, 4),
    )
    assert attestation.total_hours == 12.5
    assert attestation.half_day_count == 4


def test_attestation_pdf(ctx, world, events, accents):
    _attend(world, events, db.session.get(User, world["coordinator"]))
    cohort = db.session.get(Cohort, world["cohort_a"])
    member = db.session.scalar(db.select(Membership).filter_by(user_id=world["a1"]))
    with freeze(datetime(2026, 12, 4, 10, 0, tzinfo=UTC)):
        reader, text = read_pdf(render_attestation(reports.attestation(cohort, member)))
    assert len(reader.pages) == 1
    for expected in (
        "Attestation de participation",
        "Élise Château",
        "Maison de l'Économie sociale",
        "Pays de Sèvre et Bocage",
        "Cohorte A, du 2 mars 2026 au 2 décembre 2026",
        S1_TITLE,
        "Bilatérale de lancement",
        "matin, après-midi",
        "7 h 30",
        "1 h 30",
        "3 h 30",
        "4 demi-journées",
        "12 h 30",
        "Fait le 4 décembre 2026",
        "Pour la coordination du parcours : Coordination A",
        "heures comptées d'après les horaires de la demi-journée",
    ):
        assert expected in text, expected
    assert "Session 2" not in text
    assert "d'après le déroulé" not in text
    assert embedded_fonts(reader) == {("DejaVuSans", True), ("DejaVuSans-Bold", True)}


def test_attestation_without_attendance(ctx, world, events):
    cohort = db.session.get(Cohort, world["cohort_a"])
    member = db.session.scalar(db.select(Membership).filter_by(user_id=world["a2"]))
    attestation = reports.attestation(cohort, member)
    assert (attestation.lines, attestation.total_hours) == ((), 0)
    _reader, text = read_pdf(render_attestation(attestation))
    assert "Aucune présence n'est enregistrée à ce jour." in text


@pytest.mark.parametrize(
    ("hours", "text"),
    [(7.5, "7 h 30"), (4, "4 h"), (1.25, "1 h 15"), (0, "0 h"), (22.5, "22 h 30")],
)
def test_format_hours(app, hours, text):
    with app.test_request_context():
        assert format_hours(hours) == text


def _s1_programme(s1: Event, lines) -> None:
    for start, end, kind in lines:
        s1.items.append(
            AgendaItem(
                starts_at=paris("2026-04-01", start),
                ends_at=paris("2026-04-01", end),
                kind=kind,
                title=f"{kind} {start}",
            )
        )
    db.session.flush()


def test_attestation_counts_the_programme_lines_not_the_lunch_break(ctx, world, events):
    # Session 1 runs 09:30-17:00 (7 h 30) but its programme is 09:30-12:30 and 14:00-17:00,
    # with a coffee break line and two parallel workshops: 6 hours of programme.
    s1 = db.session.get(Event, events["S1"])
    _s1_programme(
        s1,
        [
            ("09:30", "10:30", "plenary"),
            ("10:30", "10:45", "break"),
            ("10:45", "12:30", "testimony"),
            ("14:00", "16:00", "workshop"),
            ("14:00", "15:30", "workshop"),  # in parallel: counted once
            ("16:00", "17:00", "restitution"),
        ],
    )
    coordinator = db.session.get(User, world["coordinator"])
    operations.record_attendances(
        s1,
        {(world["a1"], APRIL_1, "am"): Mark("present"), (world["a1"], APRIL_1, "pm"): Mark("late")},
        recorded_by=coordinator,
    )
    cohort = db.session.get(Cohort, world["cohort_a"])
    member = db.session.scalar(db.select(Membership).filter_by(user_id=world["a1"]))
    attestation = reports.attestation(cohort, member)
    (line,) = attestation.lines
    assert [(h.slot.half, h.hours, h.basis) for h in line.half_days] == [
        ("am", 2.75, HoursBasis.PROGRAMME),
        ("pm", 3.0, HoursBasis.PROGRAMME),
    ]
    assert attestation.total_hours == 5.75
    _reader, text = read_pdf(render_attestation(attestation))
    assert "5 h 45" in text
    assert "heures comptées d'après le déroulé de la séance" in text
    assert "7 h 30" not in text


def test_a_half_day_without_programme_lines_counts_its_own_hours(ctx, world, events):
    s1 = db.session.get(Event, events["S1"])
    _s1_programme(s1, [("09:30", "12:30", "plenary")])  # nothing typed for the afternoon
    coordinator = db.session.get(User, world["coordinator"])
    operations.record_attendances(
        s1,
        {
            (world["a1"], APRIL_1, "am"): Mark("present"),
            (world["a1"], APRIL_1, "pm"): Mark("present"),
        },
        recorded_by=coordinator,
    )
    cohort = db.session.get(Cohort, world["cohort_a"])
    member = db.session.scalar(db.select(Membership).filter_by(user_id=world["a1"]))
    (line,) = reports.attestation(cohort, member).lines
    assert [(h.slot.half, h.hours, h.basis) for h in line.half_days] == [
        ("am", 3.0, HoursBasis.PROGRAMME),
        ("pm", 4.0, HoursBasis.HALF_DAY),
    ]
    _reader, text = read_pdf(render_attestation(reports.attestation(cohort, member)))
    assert (
        "heures comptées d'après le déroulé de la séance ; heures comptées d'après les horaires "
        "de la demi-journée"
    ) in " ".join(text.split())
