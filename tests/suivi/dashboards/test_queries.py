"""The dashboards' figures, exactly: what each column counts, what it leaves out, for whom."""

from dataclasses import replace
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select

from parcours.accounts.models import User
from parcours.agenda.models import Event
from parcours.cohorts.models import Cohort, Territory
from parcours.core.extensions import db
from parcours.core.time import freeze, local_to_utc
from parcours.suivi.dashboards import queries
from parcours.suivi.dashboards.queries import (
    NO_COACH,
    CoachSummary,
    MaturityCount,
    NextMeeting,
    Sort,
    TerritorySuivi,
)
from tests.suivi.dashboards import helpers
from tests.suivi.dashboards.helpers import NOW, TODAY


def paris(day: date, hour: int) -> datetime:
    return local_to_utc(day, datetime.min.time().replace(hour=hour), "Europe/Paris")


@pytest.fixture
def suivi(app, world):
    """Fill cohort A's suivi: A1 busy (coached), A2 untouched (no coach); noise in cohort B."""
    a1, a2, b1 = world["territory_a1"], world["territory_a2"], world["territory_b1"]
    with freeze(NOW), app.app_context():
        helpers.record(a1, date(2026, 4, 20))
        kept = helpers.record(a1, date(2026, 5, 2))
        gone = helpers.record(a1, date(2026, 6, 1), deleted=True)
        visit = helpers.visit_report(a1, date(2026, 4, 28))
        gone_visit = helpers.visit_report(a1, date(2026, 4, 29), deleted=True)
        helpers.item(a1, "sans échéance", record_id=kept.id)
        helpers.item(a1, "en retard", due_on=date(2026, 6, 1), record_id=kept.id)
        helpers.item(a1, "pour aujourd'hui", due_on=TODAY)
        helpers.item(a1, "fait, en retard", due_on=date(2026, 5, 1), done=True)
        helpers.item(a1, "d'un compte rendu supprimé", due_on=date(2026, 5, 1), record_id=gone.id)
        helpers.item(a1, "de la visite", due_on=date(2026, 5, 1), report=visit.id)
        helpers.item(a1, "d'une visite supprimée", due_on=date(2026, 5, 1), report=gone_visit.id)
        helpers.entry(a1, date(2026, 6, 1), "coach")
        helpers.entry(a1, date(2026, 5, 10), "cohort")
        helpers.entry(a1, date(2026, 6, 10), "binome")
        helpers.entry(a1, date(2026, 6, 12), "cohort", deleted=True)
        helpers.meeting(a1, paris(date(2026, 6, 17), 9), status="cancelled")
        helpers.meeting(a1, paris(date(2026, 6, 10), 9))  # over
        next_one = helpers.meeting(a1, paris(date(2026, 6, 20), 9))
        helpers.meeting(a1, paris(date(2026, 6, 25), 9), kind="field_visit")
        helpers.snapshot(a1, "launch", 1, NOW - timedelta(days=90))
        helpers.snapshot(a1, "launch", 2, NOW - timedelta(days=89))  # corrected the next day
        helpers.snapshot(a1, "midway", 3, NOW - timedelta(days=5))
        helpers.record(b1, date(2026, 6, 14))
        helpers.item(b1, "autre cohorte", due_on=date(2026, 5, 1))
        helpers.entry(b1, date(2026, 6, 14), "cohort")
        a2_next = db.session.scalar(
            select(Event).where(Event.territory_id == a2, Event.code == "SUIVI2")
        )
        db.session.commit()
        return {
            "next": NextMeeting(next_one.id, "follow_up", next_one.title, next_one.starts_at),
            "a2_next": NextMeeting(a2_next.id, "follow_up", a2_next.title, a2_next.starts_at),
        }


def _a1(world, suivi, **changes) -> TerritorySuivi:
    line = TerritorySuivi(
        territory_id=world["territory_a1"],
        name="Territoire A1",
        coach_id=world["coach"],
        coach_name=None,
        last_record_on=date(2026, 5, 2),
        days_since_record=44,
        stale=False,
        next_meeting=suivi["next"],
        open_items=4,
        overdue_items=2,
        last_entry_on=date(2026, 6, 1),
        maturity=3,
        maturity_label="Tout à fait ancrées",
        launch_maturity=2,
    )
    return replace(line, **changes)


def _a2(world, suivi, **changes) -> TerritorySuivi:
    line = TerritorySuivi(
        territory_id=world["territory_a2"],
        name="Territoire A2",
        coach_id=None,
        coach_name=None,
        last_record_on=None,
        days_since_record=None,
        stale=True,  # nothing since the cohort started on 2 March: 105 days
        next_meeting=suivi["a2_next"],
        open_items=0,
        overdue_items=0,
        last_entry_on=None,
        maturity=None,
        maturity_label=None,
        launch_maturity=None,
    )
    return replace(line, **changes)


def test_the_coach_sees_each_figure_of_the_territories_they_follow(app, world, suivi):
    with freeze(NOW), app.test_request_context():
        cohort = db.session.get(Cohort, world["cohort_a"])
        dashboard = queries.coach_dashboard(cohort, db.session.get(User, world["coach"]))
    assert dashboard.today == TODAY and dashboard.stale_days == 45
    assert dashboard.lines == (_a1(world, suivi),)


def test_the_coordinator_sees_every_territory_and_only_the_entries_shared_with_the_cohort(
    app, world, suivi
):
    with freeze(NOW), app.test_request_context():
        cohort = db.session.get(Cohort, world["cohort_a"])
        dashboard = queries.cohort_dashboard(cohort, db.session.get(User, world["coordinator"]))
    assert dashboard.lines == (
        _a1(world, suivi, coach_name="Coach A", last_entry_on=date(2026, 5, 10)),
        _a2(world, suivi),
    )
    assert dashboard.coaches == (
        CoachSummary(world["coach"], "Coach A", territories=1, stale=0, overdue_items=2),
        CoachSummary(None, None, territories=1, stale=1, overdue_items=0),
    )
    assert dashboard.maturity == (
        MaturityCount(0, "Pas du tout", 0, 0),
        MaturityCount(1, "Cela commence à émerger", 0, 0),
        MaturityCount(2, "De plus en plus nombreuses", 1, 0),
        MaturityCount(3, "Tout à fait ancrées", 0, 1),
        MaturityCount(None, None, 1, 1),
    )


def test_a_record_prepared_ahead_of_its_meeting_is_not_the_last_follow_up(app, world, suivi):
    with freeze(NOW), app.test_request_context():
        helpers.record(world["territory_a1"], TODAY + timedelta(days=5))
        helpers.record(world["territory_a1"], TODAY)  # held today: the last one
        cohort = db.session.get(Cohort, world["cohort_a"])
        (line,) = queries.coach_dashboard(cohort, db.session.get(User, world["coach"])).lines
    assert (line.last_record_on, line.days_since_record, line.stale) == (TODAY, 0, False)


def test_a_meeting_under_way_is_the_next_one(app, world):
    with freeze(NOW), app.test_request_context():
        now_on = helpers.meeting(world["territory_a1"], NOW - timedelta(hours=1))
        cohort = db.session.get(Cohort, world["cohort_a"])
        lines = queries.coach_dashboard(cohort, db.session.get(User, world["coach"])).lines
    assert lines[0].next_meeting.event_id == now_on.id


def test_a_territory_not_accepted_has_no_line(app, world):
    with freeze(NOW), app.test_request_context():
        db.session.get(Territory, world["territory_a2"]).status = "withdrawn"
        cohort = db.session.get(Cohort, world["cohort_a"])
        lines = queries.cohort_dashboard(cohort, db.session.get(User, world["admin"])).lines
    assert [line.name for line in lines] == ["Territoire A1"]


@pytest.mark.parametrize(
    ("days", "stale"),
    [(45, False), (44, False), (43, True), (10, True)],
)
def test_a_territory_is_stale_after_the_configured_days(
    app, world, suivi, monkeypatch, days, stale
):
    monkeypatch.setitem(app.config, "PARCOURS_SUIVI_STALE_DAYS", days)
    with freeze(NOW), app.test_request_context():
        cohort = db.session.get(Cohort, world["cohort_a"])
        lines = queries.coach_dashboard(cohort, db.session.get(User, world["coach"])).lines
    assert lines[0].days_since_record == 44
    assert lines[0].stale is stale


def test_staleness_counts_from_the_cohort_start_while_there_is_no_record():
    start = date(2026, 3, 2)
    assert not queries.is_stale(None, date(2026, 4, 16), start, 45)  # 45 days: not more
    assert queries.is_stale(None, date(2026, 4, 17), start, 45)
    assert not queries.is_stale(None, date(2026, 1, 1), start, 45)  # not started yet
    assert not queries.is_stale(date(2026, 6, 1), date(2026, 7, 16), start, 45)
    assert queries.is_stale(date(2026, 6, 1), date(2026, 7, 17), start, 45)


# Sorting and filtering --------------------------------------------------------------------


def _line(name, **fields) -> TerritorySuivi:
    values = dict(
        territory_id=hash(name) % 1000,
        name=name,
        coach_id=None,
        coach_name=None,
        last_record_on=None,
        days_since_record=None,
        stale=False,
        next_meeting=None,
        open_items=0,
        overdue_items=0,
        last_entry_on=None,
        maturity=None,
        maturity_label=None,
        launch_maturity=None,
    )
    return TerritorySuivi(**{**values, **fields})


def _meeting(day: int) -> NextMeeting:
    return NextMeeting(day, "follow_up", "Suivi", datetime(2026, 7, day, 8, 0))


LINES = [
    _line(
        "Brest",
        coach_id=2,
        coach_name="Zoé",
        last_record_on=date(2026, 6, 1),
        open_items=3,
        overdue_items=1,
        maturity=2,
        next_meeting=_meeting(20),
        last_entry_on=date(2026, 6, 2),
    ),
    _line(
        "Amiens",
        coach_id=1,
        coach_name="Alain",
        last_record_on=date(2026, 5, 1),
        open_items=1,
        overdue_items=1,
        maturity=0,
        next_meeting=_meeting(3),
    ),
    _line("Cahors", last_record_on=None, open_items=5, overdue_items=0, maturity=None),
]


@pytest.mark.parametrize(
    ("sort", "order"),
    [
        ("territory", ["Amiens", "Brest", "Cahors"]),
        ("-territory", ["Cahors", "Brest", "Amiens"]),
        ("coach", ["Amiens", "Brest", "Cahors"]),  # nobody last
        ("last_record", ["Cahors", "Amiens", "Brest"]),  # never followed, then the oldest
        ("-last_record", ["Brest", "Amiens", "Cahors"]),
        ("next_meeting", ["Amiens", "Brest", "Cahors"]),  # none planned last
        ("open_items", ["Cahors", "Brest", "Amiens"]),  # the most first
        ("overdue_items", ["Amiens", "Brest", "Cahors"]),  # ties by name
        ("-overdue_items", ["Cahors", "Amiens", "Brest"]),
        ("last_entry", ["Amiens", "Cahors", "Brest"]),
        ("maturity", ["Cahors", "Amiens", "Brest"]),  # not recorded first, then the lowest
        ("nonsense", ["Amiens", "Brest", "Cahors"]),
        ("", ["Amiens", "Brest", "Cahors"]),
        (None, ["Amiens", "Brest", "Cahors"]),
        ("--maturity", ["Amiens", "Brest", "Cahors"]),
        ("-", ["Amiens", "Brest", "Cahors"]),
    ],
)
def test_each_column_sorts_and_an_unknown_sort_falls_back_to_the_names(sort, order):
    assert [line.name for line in queries.sorted_lines(LINES, queries.parse_sort(sort))] == order


def test_a_click_on_the_sorted_column_reverses_it_another_column_starts_in_its_order():
    assert Sort("maturity", False).toggled("maturity") == Sort("maturity", True)
    assert Sort("maturity", True).toggled("maturity").value == "maturity"
    assert Sort("maturity", True).toggled("coach").value == "coach"
    assert queries.parse_sort("-coach").value == "-coach"


def test_the_coordinator_filters_per_coach_and_on_the_territories_nobody_follows(app, world, suivi):
    with freeze(NOW), app.test_request_context():
        cohort = db.session.get(Cohort, world["cohort_a"])
        coordinator = db.session.get(User, world["coordinator"])

        def names(coach):
            dashboard = queries.cohort_dashboard(cohort, coordinator, coach=coach)
            return dashboard.coach_filter, [line.name for line in dashboard.lines]

        assert names(str(world["coach"])) == (str(world["coach"]), ["Territoire A1"])
        assert names(NO_COACH) == (NO_COACH, ["Territoire A2"])
        for ignored in (None, "", "abc", "999999", str(world["a1"])):
            assert names(ignored) == (None, ["Territoire A1", "Territoire A2"])
        filtered = queries.cohort_dashboard(cohort, coordinator, coach=NO_COACH)
        assert filtered.maturity[-1] == MaturityCount(None, None, 1, 1)  # the lines shown
        assert len(filtered.coaches) == 2  # the summary stays for the whole cohort


def test_an_administrator_who_coaches_sees_only_the_territories_they_coach(app, world):
    with freeze(NOW), app.test_request_context():
        territory = db.session.get(Territory, world["territory_a2"])
        territory.coach_id = world["admin"]
        cohort = db.session.get(Cohort, world["cohort_a"])
        admin = db.session.get(User, world["admin"])
        assert [line.name for line in queries.coach_dashboard(cohort, admin).lines] == [
            "Territoire A2"
        ]
        assert len(queries.cohort_dashboard(cohort, admin).lines) == 2
