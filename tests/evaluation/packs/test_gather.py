"""The pack's data, gathered from the test world: exactly what the world holds."""

from datetime import UTC, datetime

from parcours.cohorts.models import Cohort
from parcours.core.extensions import db
from parcours.curricula.schema import PackKind
from parcours.evaluation.packs.gather import PackData, gather

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def test_the_cohort_part_holds_the_world_territories_and_people(app, world):
    with app.test_request_context():
        cohort = db.session.get(Cohort, world["cohort_a"])
        data = gather(cohort, PackKind.LAUNCH, now=NOW)
    composition = data.composition
    assert [t.name for t in composition.territories] == ["Territoire A1", "Territoire A2"]
    a1, a2 = composition.territories
    assert a1.catalyseurs == ("Catalyseur A1", "Catalyseur A1 bis") and a1.is_binome
    assert a1.coach == "Coach A" and a2.coach == ""
    assert a2.catalyseurs == ("Catalyseur A2",)
    assert composition.asked == 2 and composition.count("accepted") == 2
    assert composition.participants == 3 and composition.binomes == 1
    assert data.as_of.isoformat() == "2026-03-01" and data.kind is PackKind.LAUNCH
    assert [p.territory_id for p in data.territory_pages] == [a1.id, a2.id]


def test_a_snapshot_reads_back_to_the_same_data(app, world):
    with app.test_request_context():
        cohort = db.session.get(Cohort, world["cohort_a"])
        data = gather(cohort, PackKind.FINAL, now=NOW)
    snapshot = data.snapshot()
    import json

    assert json.loads(json.dumps(snapshot)) == snapshot
    assert PackData.from_snapshot(snapshot) == data
    assert PackData.from_snapshot(json.loads(json.dumps(snapshot))) == data


def test_a_pack_leaves_out_an_anonymous_survey_until_it_closes(app, world):
    from datetime import timedelta

    from tests.evaluation.surveys.helpers import respond, session_survey

    with app.test_request_context():
        cohort = db.session.get(Cohort, world["cohort_a"])
        survey = session_survey(world, [world["a1"], world["a1bis"], world["a2"]])
        for point in (4, 3, 4, 2, 3):
            respond(survey, {"SATISFACTION": point})
        inside = survey.opened_at + timedelta(days=1)
        assert gather(cohort, PackKind.MIDWAY, now=inside).surveys == ()
        later = gather(cohort, PackKind.MIDWAY, now=survey.closes_at)
    assert [s.id for s in later.surveys] == [survey.id]
