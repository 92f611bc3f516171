"""A visit report whose author is erased: its texts and the names of the people met go, the
kinds of actors met stay, so the territory's counts do not change."""

from sqlalchemy import select

from parcours.accounts.models import User
from parcours.cohorts.models import Territory
from parcours.core.extensions import db
from parcours.privacy import erasure
from parcours.suivi.models import FieldVisitReport, StakeholderMet
from parcours.suivi.visits import queries


def _counts(territory_id: int):
    territory = db.session.get(Territory, territory_id)
    visits = queries.territory_visits(territory, with_deleted=True)
    return [row.stakeholders for row in visits.reports]


def test_the_people_met_lose_their_names_not_their_kinds(app, world, make_report):
    report_id = make_report("A1")
    with app.test_request_context():
        before = _counts(world["territory_a1"])
        assert before == [3]
        kinds = db.session.scalars(
            select(StakeholderMet.kind).where(StakeholderMet.report_id == report_id)
        ).all()
        author = db.session.get(User, world["coordinator"])
        erasure.erase_person(author, by=None, reason="request_email")
        assert _counts(world["territory_a1"]) == before
        people = db.session.execute(
            select(StakeholderMet.kind, StakeholderMet.name, StakeholderMet.organisation).where(
                StakeholderMet.report_id == report_id
            )
        ).all()
        assert sorted(kind for kind, _name, _org in people) == sorted(kinds)
        assert {name for _kind, name, _org in people} == {erasure.ERASED_TEXT, ""}
        assert {org for _kind, _name, org in people} == {erasure.ERASED_TEXT}
        report = db.session.get(FieldVisitReport, report_id)
        assert report.observed == erasure.ERASED_TEXT
