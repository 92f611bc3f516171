"""The evidence a form offers, grouped: the very rule of evidence_for, in two queries."""

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from parcours.accounts.models import User
from parcours.agenda.models import Event
from parcours.cohorts.models import Territory
from parcours.core.extensions import db
from parcours.core.time import freeze
from parcours.outbox import mail
from parcours.suivi.journal import operations as journal_ops
from parcours.suivi.journal.operations import EntryDraft
from parcours.suivi.journal.queries import evidence_by_competence, evidence_for
from parcours.suivi.models import JournalVisibility
from parcours.suivi.visits import operations as visit_ops
from parcours.suivi.visits.operations import VisitFields

AFTER_THE_VISITS = datetime(2026, 10, 5, 8, 0, tzinfo=UTC)


@pytest.fixture
def written(app, world):
    """Entries of A1 in each visibility (by a1, and one by the coach), one of A2, a visit."""
    with freeze(AFTER_THE_VISITS), app.test_request_context():
        mail.suppress_until_commit()
        a1 = db.session.get(Territory, world["territory_a1"])
        a2 = db.session.get(Territory, world["territory_a2"])

        def entry(territory, author, visibility, competences):
            journal_ops.create_entry(
                territory,
                EntryDraft(
                    written_on=date(2026, 4, 2),
                    title=f"{visibility} {author}",
                    what_we_did="Fait.",
                    what_we_learned="",
                    what_we_try_next="",
                    visibility=visibility,
                    thematics=(),
                    competences=competences,
                ),
                db.session.get(User, world[author]),
            )

        for visibility in JournalVisibility:
            entry(a1, "a1", visibility, ("D0.1", "D1.1"))
        entry(a1, "coach", JournalVisibility.COACH, ("D0.1",))
        entry(a2, "a2", JournalVisibility.COHORT, ("D0.1",))
        event = db.session.scalar(
            select(Event).where(Event.kind == "field_visit", Event.territory_id == a1.id)
        )
        visit_ops.create_report(
            event,
            VisitFields(
                visited_on=date(2026, 8, 6),
                places="Tiers-lieu La Grange\nMairie",
                observed="",
                what_works="",
                difficulties="",
                stakeholders=[],
                thematics=[],
                competences=["D0.1", "D4.2"],
            ),
            user=db.session.get(User, world["coordinator"]),
        )
        db.session.commit()


@pytest.mark.parametrize("role", ["a1", "a1bis", "coach", "coordinator", "a2", "committee"])
def test_grouped_evidence_is_evidence_for_each_competence(app, world, written, role):
    with app.test_request_context():
        user = db.session.get(User, world[role])
        territory = db.session.get(Territory, world["territory_a1"])
        version = territory.cohort.curriculum_version_id
        grouped = evidence_by_competence(user, territory, version)
        for code in ("D0.1", "D1.1", "D4.2", "D2.1"):
            assert grouped.get(code, []) == evidence_for(user, territory, version, code), code
        if role == "a1":
            assert {e.kind for e in grouped["D0.1"]} == {"journal_entry", "visit_report"}


def test_grouped_evidence_takes_two_queries(app, world, written, query_counter):
    with app.test_request_context():
        user = db.session.get(User, world["a1"])
        territory = db.session.get(Territory, world["territory_a1"])
        version = territory.cohort.curriculum_version_id
        evidence_by_competence(user, territory, version)  # memberships: once per request
        with query_counter:
            found = evidence_by_competence(user, territory, version)
        assert query_counter.count == 2 and len(found) == 3
