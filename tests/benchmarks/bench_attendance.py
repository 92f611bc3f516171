"""Time the attendance papers for a full cohort: 12 territories, 24 catalyseurs.

Run by hand from the repository root (pytest does not collect it):

    .venv/bin/python tests/benchmarks/bench_attendance.py [--runs 20] [--out DIR]

It builds the cohort on a temporary SQLite database, records two sessions' attendance, then
prints the median time to gather and render the signature sheet of a two-day session (blank and
pre-filled) and one attestation. With --out, it also writes the PDFs there to look at them.
"""

import argparse
import statistics
import sys
import tempfile
import time
from datetime import date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import select  # noqa: E402

from parcours import create_app  # noqa: E402
from parcours.accounts.models import User  # noqa: E402
from parcours.agenda.models import AgendaItem, Event  # noqa: E402
from parcours.attendance import operations, pdf, reports  # noqa: E402
from parcours.attendance.halfdays import half_days  # noqa: E402
from parcours.attendance.operations import Mark  # noqa: E402
from parcours.cohorts import operations as cohorts  # noqa: E402
from parcours.cohorts.models import Membership, Role  # noqa: E402
from parcours.core.extensions import db  # noqa: E402
from parcours.core.time import local_to_utc  # noqa: E402
from parcours.curricula.loader import load_document, parse_file  # noqa: E402
from parcours.demo.data import TERRITORIES  # noqa: E402
from parcours.outbox import mail  # noqa: E402

PEOPLE = [
    "Élise Château", "Loïc Lefèvre", "Françoise Nœl-Dupré", "Hervé Bénard", "Maëlle Tanguy",
    "Jérôme Öztürk", "Anaïs Giraud", "Cécile Ménard", "Raphaël Crépin", "Zoé Laïk",
    "Benoît Prévost", "Gaëlle Coërs", "Inès Haddad", "Noémie Fèvre", "Théo Lagüe",
    "Aurélien Dœuff", "Mélanie Guérin", "Frédéric Épée", "Solène Thibault", "Joël Brûlé",
    "Océane Leroy-Hébert", "Stéphane Ruëll", "Héloïse Daubié", "Clément Vasseur",
]  # fmt: skip

AGENDA = [
    ("09:30", "10:00", "plenary", "Accueil et regards d'ouverture", "Claire Dumas — Le RAMEAU"),
    ("10:00", "11:15", "testimony", "Témoignages : alliances d'entreprises et d'associations", ""),
    ("11:15", "13:00", "visit", "Visite inspirante : tiers-lieu « La Fabrique »", ""),
    ("14:00", "15:30", "workshop", "Co-développement en sous-groupes", ""),
    ("15:30", "16:30", "restitution", "Restitution en plénière", ""),
    ("16:30", "17:00", "plenary", "Prochaines étapes", "Paul Renard — Opus 3"),
]


def build(app) -> dict:
    """Create the cohort, its people, the S3 programme and attendance at S1 and S3."""
    with app.test_request_context():
        mail.suppress_until_commit()
        curriculum = ROOT / "curricula" / "co-construction-territoriale.toml"
        version = load_document(parse_file(curriculum), curriculum.name).version
        coordinator = User(email="claire.dumas@example.org", full_name="Claire Dumas")
        db.session.add(coordinator)
        db.session.flush()
        cohort = cohorts.create_cohort(
            version=version,
            name="Co-construction territoriale — promotion 2026",
            start_date=date(2026, 3, 2),
            created_by=coordinator,
        )
        names = iter(PEOPLE)
        for name, region, department, kind, structure, carrier, _people in TERRITORIES:
            territory = cohorts.add_territory(
                cohort,
                name=name,
                region=region,
                department=department,
                kind=kind,
                carrier_structure=structure,
                carrier_type=carrier,
                status="accepted",
                status_reason="",
            )
            for _ in range(2):
                person = next(names)
                cohorts.add_catalyseur(
                    territory,
                    email=f"{len(person)}-{abs(hash(person))}@example.org",
                    full_name=person,
                    organisation=structure,
                    invited_by=coordinator,
                )
        events = {
            e.code: e
            for e in db.session.scalars(
                select(Event).where(Event.cohort_id == cohort.id, Event.territory_id.is_(None))
            )
        }
        s3 = events["S3"]
        s3.venue_name = "Maison des associations de Bourges"
        s3.venue_address = "28 rue Gambon, 18000 Bourges"
        s3.speakers = "Claire Dumas — Le RAMEAU\nPaul Renard — Opus 3\nAïcha Diallo — FNCE"
        day = s3.starts_at.date()
        for start, end, kind, title, speaker in AGENDA:
            s3.items.append(
                AgendaItem(
                    starts_at=local_to_utc(day, time_of(start), cohort.timezone),
                    ends_at=local_to_utc(day, time_of(end), cohort.timezone),
                    kind=kind,
                    title=title,
                    speaker=speaker,
                )
            )
        statuses = ["present"] * 8 + ["late", "excused", "absent"]
        participants = db.session.scalars(
            select(Membership).where(
                Membership.cohort_id == cohort.id, Membership.role == Role.CATALYSEUR
            )
        ).all()
        for code in ("S1", "S3"):
            event = events[code]
            marks = {
                (m.user_id, slot.day, slot.half.value): Mark(statuses[(i + j) % len(statuses)])
                for i, m in enumerate(participants)
                for j, slot in enumerate(half_days(event))
            }
            operations.record_attendances(event, marks, recorded_by=coordinator)
        db.session.commit()
        return {"s3": s3.id, "cohort": cohort.id, "member": participants[0].id}


def time_of(value: str):
    return datetime.strptime(value, "%H:%M").time()


def median_ms(function, runs: int) -> float:
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        function()
        timings.append((time.perf_counter() - start) * 1000)
    return statistics.median(timings)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--out", type=Path, help="write the PDFs into this folder")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        app = create_app(
            {
                "TESTING": True,
                "SECRET_KEY": "benchmark-secret-key-that-is-long-enough-0123456789",
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/bench.sqlite3",
                "PARCOURS_MAIL_BACKEND": "memory",
                "PARCOURS_ARGON2": {"time_cost": 1, "memory_cost": 8, "parallelism": 1},
            }
        )
        with app.app_context():
            upgrade()
        ids = build(app)
        with app.test_request_context():
            event = db.session.get(Event, ids["s3"])
            member = db.session.get(Membership, ids["member"])
            cohort = member.cohort

            def sheet(prefill: bool) -> bytes:
                db.session.expire_all()  # read from the database each time, as a request does
                return pdf.render_signature_sheet(reports.signature_sheet(event, prefill=prefill))

            def attestation() -> bytes:
                db.session.expire_all()
                return pdf.render_attestation(reports.attestation(cohort, member))

            first = time.perf_counter()
            sheet(False)  # the first call also loads the fonts
            elapsed = (time.perf_counter() - first) * 1000
            print(f"first signature sheet (fonts loaded): {elapsed:.0f} ms")
            data = reports.signature_sheet(event)
            print(
                f"participants: {data.participant_count}, territories: {len(data.groups)}, "
                f"half-days: {len(data.half_days)}, runs: {args.runs}"
            )
            results = {
                "signature sheet, blank": median_ms(lambda: sheet(False), args.runs),
                "signature sheet, pre-filled": median_ms(lambda: sheet(True), args.runs),
                "attestation": median_ms(attestation, args.runs),
            }
            for label, value in results.items():
                print(f"median {label}: {value:.1f} ms")
            if args.out:
                args.out.mkdir(parents=True, exist_ok=True)
                for name, content in (
                    ("emargement-vierge.pdf", sheet(False)),
                    ("emargement-prerempli.pdf", sheet(True)),
                    ("attestation.pdf", attestation()),
                ):
                    (args.out / name).write_bytes(content)
                print(f"PDFs written to {args.out}")


if __name__ == "__main__":
    main()
