"""The evidence a participant may attach to a competence, and the lists' contents."""

from datetime import date

from parcours.accounts.models import User
from parcours.cohorts.models import Territory
from parcours.core.extensions import db
from parcours.core.time import now_utc
from parcours.suivi.journal.queries import Evidence, evidence_for
from parcours.suivi.models import FieldVisitReport, Tag
from tests.conftest import SISTER_CURRICULUM


def _report(territory_id: int, version_id: int, day: date, places: str, *, deleted=False) -> int:
    report = FieldVisitReport(
        territory_id=territory_id,
        visited_on=day,
        places=places,
        deleted_at=now_utc() if deleted else None,
    )
    db.session.add(report)
    db.session.flush()
    db.session.add(
        Tag(
            curriculum_version_id=version_id,
            kind="competence",
            code="D1.2",
            visit_report_id=report.id,
        )
    )
    return report.id


def test_evidence_is_what_the_reader_reads_tagged_with_that_competence_of_that_version(
    app, world, write_entry, delete_entry, curriculum_version
):
    d12 = ("D1.2",)
    binome = write_entry(
        visibility="binome", title="Privé", competences=d12, written_on=date(2026, 4, 1)
    )
    coach = write_entry(
        visibility="coach", title="Coach", competences=d12, written_on=date(2026, 4, 2)
    )
    cohort = write_entry(
        visibility="cohort", title="Cohorte", competences=d12, written_on=date(2026, 4, 3)
    )
    write_entry(visibility="cohort", title="Autre compétence", competences=("D1.3",))
    write_entry(visibility="cohort", title="Thématique", thematics=("T1",))
    write_entry(territory="territory_a2", author="a2", visibility="cohort", competences=d12)
    gone = write_entry(visibility="cohort", title="Supprimée", competences=d12)
    delete_entry(gone)
    sister = curriculum_version(SISTER_CURRICULUM)
    with app.test_request_context():
        a1 = db.session.get(Territory, world["territory_a1"])
        version_id = a1.cohort.curriculum_version_id
        visit = _report(a1.id, version_id, date(2026, 4, 10), "Tiers-lieu La Fabrique\nMairie")
        _report(a1.id, version_id, date(2026, 4, 11), "Supprimée", deleted=True)
        _report(world["territory_a2"], version_id, date(2026, 4, 12), "Ailleurs")
        # The same code in another curriculum version means another competence.
        other = write_entry(visibility="cohort", title="Autre version")
        db.session.query(Tag).filter(Tag.journal_entry_id == other).delete()
        db.session.add(
            Tag(
                curriculum_version_id=sister, kind="competence", code="D1.2", journal_entry_id=other
            )
        )
        db.session.flush()

        def found(role: str) -> list[Evidence]:
            return evidence_for(db.session.get(User, world[role]), a1, version_id, "D1.2")

        visit_evidence = Evidence(
            "visit_report", visit, date(2026, 4, 10), "Tiers-lieu La Fabrique"
        )
        entries = {
            "binome": Evidence("journal_entry", binome, date(2026, 4, 1), "Privé"),
            "coach": Evidence("journal_entry", coach, date(2026, 4, 2), "Coach"),
            "cohort": Evidence("journal_entry", cohort, date(2026, 4, 3), "Cohorte"),
        }
        for role in ("a1", "a1bis"):
            assert found(role) == [
                visit_evidence,
                entries["cohort"],
                entries["coach"],
                entries["binome"],
            ], role
        assert found("coach") == [visit_evidence, entries["cohort"], entries["coach"]]
        assert found("coordinator") == [visit_evidence, entries["cohort"]]
        assert found("a2") == [entries["cohort"]], "a peer reads the shared entry, no visit"
        for role in ("committee", "coordinator_b", "b1", "outsider"):
            assert found(role) == [], role
        assert evidence_for(db.session.get(User, world["a1"]), a1, sister, "D1.2") == [
            Evidence("journal_entry", other, date(2026, 4, 20), "Autre version")
        ]
        db.session.rollback()
