"""A generated calendar that can be lived with: no clash, working days only, the same each time."""

from collections import defaultdict
from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from parcours.accounts.models import User
from parcours.agenda import slots
from parcours.agenda.days import meeting_days
from parcours.agenda.models import PER_TERRITORY_KINDS, Event, EventKind, EventStatus
from parcours.agenda.queries import expected_people
from parcours.cohorts import operations
from parcours.cohorts.models import Cohort, Role, Territory
from parcours.core.extensions import db
from parcours.curricula.models import CurriculumVersion
from tests.conftest import SISTER_CURRICULUM, page_text

PARIS = ZoneInfo("Europe/Paris")
TERRITORY = {
    "region": "Bretagne",
    "department": "Finistère",
    "kind": "rural",
    "carrier_structure": "Asso",
    "carrier_type": "associatif",
    "status_reason": "",
}
NAMES = [f"Territoire {n:02d}" for n in range(1, 13)]


@pytest.fixture
def coordinator(ctx, create_user):
    return db.session.get(User, create_user("coord@example.org", "Coordination"))


@pytest.fixture
def new_cohort(ctx, coordinator, curriculum_version):
    """Return a function that creates a cohort and engages its twelve territories."""

    def _create(start: date, *, name: str = "Promo test", engaged: int = 12, path=None):
        version = db.session.get(
            CurriculumVersion, curriculum_version(path) if path else curriculum_version()
        )
        cohort = operations.create_cohort(
            version=version, name=name, start_date=start, created_by=coordinator
        )
        for index, territory_name in enumerate(NAMES):
            status = "accepted" if index < engaged else "solicited"
            operations.add_territory(cohort, name=territory_name, status=status, **TERRITORY)
        return cohort

    return _create


def _coach_everything(cohort: Cohort, coordinator: User) -> User:
    """Give every territory the same coach: the hardest case for a coach's diary."""
    member = operations.add_member(
        cohort,
        role=Role.COACH,
        email=f"coach-{cohort.id}@example.org",
        full_name="Camille Coach",
        organisation="Cabinet",
        invited_by=coordinator,
    )
    for territory in cohort.territories:
        operations.assign_coach(territory, member.user)
    return member.user


def _planned(cohort: Cohort) -> list[Event]:
    return list(
        db.session.scalars(
            select(Event)
            .where(Event.cohort_id == cohort.id, Event.status == EventStatus.PLANNED)
            .order_by(Event.starts_at, Event.id)
        )
    )


def _clashes(cohort: Cohort) -> dict[str, list[tuple[str, str]]]:
    """Return, per person, the pairs of meetings they are expected at simultaneously."""
    diary = defaultdict(list)
    for event in _planned(cohort):
        if event.is_meeting:
            for person in expected_people(event):
                diary[person.user.email].append(event)
    clashes = {}
    for email, events in diary.items():
        events.sort(key=lambda e: e.starts_at)
        pairs = [
            (a.title, b.title)
            for i, a in enumerate(events)
            for b in events[i + 1 :]
            if b.starts_at < a.ends_at
        ]
        if pairs:
            clashes[email] = pairs
    return clashes, diary


def _days(event: Event, zone: str = "Europe/Paris") -> list[date]:
    return [d.day for d in meeting_days(event.starts_at, event.ends_at, zone)]


def _check_calendar(cohort: Cohort, coach: User, coordinator: User) -> list[Event]:
    clashes, diary = _clashes(cohort)
    assert clashes == {}
    # Not vacuous: the coach and the coordinator are expected at their meetings.
    territory_events = [e for e in _planned(cohort) if e.territory_id is not None]
    assert len(diary[coach.email]) >= len(territory_events)
    assert sum(e.kind == EventKind.BILATERAL for e in diary[coordinator.email]) == 12
    calendar = cohort.curriculum.calendar
    events = _planned(cohort)
    collective_days = {
        day for e in events if e.territory_id is None and e.is_meeting for day in _days(e)
    }
    for event in events:
        days = _days(event)
        if event.kind == EventKind.ASSESSMENT:
            days = days[:1]  # a window of weeks: the day it opens is announced
        assert all(slots.is_working_day(day, calendar) for day in days), (event.code, days)
        if event.territory_id is not None:
            assert not set(days) & collective_days, (event.code, days)
    return territory_events


def _layout(cohort: Cohort) -> list[tuple]:
    rows = db.session.execute(
        select(Territory.name, Event.code, Event.starts_at, Event.ends_at)
        .join(Territory, Event.territory_id == Territory.id)
        .where(Event.cohort_id == cohort.id)
        .order_by(Territory.name, Event.code)
    )
    return [tuple(row) for row in rows]


def test_a_new_cohort_spreads_each_territory_meeting_over_its_window(new_cohort, coordinator):
    cohort = new_cohort(date(2027, 1, 4))
    coach = _coach_everything(cohort, coordinator)
    territory_events = _check_calendar(cohort, coach, coordinator)
    per_territory = [e for e in cohort.curriculum.events if e.per_territory]
    assert len(territory_events) == 12 * len(per_territory)
    for planned in per_territory:
        mine = [e for e in territory_events if e.code == planned.code]
        assert len({e.territory_id for e in mine}) == 12
        assert len({e.starts_at for e in mine}) == 12  # one slot per territory
        first = cohort.start_date + timedelta(days=planned.offset_days)
        last = first + timedelta(days=planned.window - 1)
        for event in mine:
            local = event.starts_at.astimezone(PARIS)
            assert first <= local.date() <= last, (planned.code, local)
            assert event.ends_at - event.starts_at == planned.slot
            assert planned.start_time <= local.time()
        # Spread, not piled up at the start of the window.
        assert len({e.starts_at.astimezone(PARIS).date() for e in mine}) >= 6


@pytest.mark.parametrize("weekday", range(7), ids=["lun", "mar", "mer", "jeu", "ven", "sam", "dim"])
def test_whatever_weekday_the_cohort_starts_every_meeting_is_on_a_working_day(
    new_cohort, coordinator, weekday
):
    start = date(2027, 1, 4) + timedelta(days=weekday)
    cohort = new_cohort(start)
    coach = _coach_everything(cohort, coordinator)
    _check_calendar(cohort, coach, coordinator)
    # Moving to working days never puts a comité before the answers it examines are in.
    events = {e.code: e for e in _planned(cohort) if e.territory_id is None}
    for moment in cohort.curriculum.assessment_moments:
        if moment.feeds:
            assert events[moment.feeds].starts_at >= events[moment.code].ends_at, moment.code


@pytest.mark.parametrize(
    ("start", "holiday"),
    [
        (date(2026, 4, 6), date(2026, 5, 1)),  # starts on Easter Monday, 1 May in its window
        (date(2026, 6, 19), date(2026, 7, 14)),
        (date(2027, 3, 8), date(2027, 3, 29)),  # Easter Monday
    ],
    ids=["1 May", "14 July", "Easter Monday"],
)
def test_no_meeting_on_a_public_holiday_inside_a_window(new_cohort, coordinator, start, holiday):
    cohort = new_cohort(start)
    coach = _coach_everything(cohort, coordinator)
    territory_events = _check_calendar(cohort, coach, coordinator)
    bilaterals = [e for e in territory_events if e.code == "BILAT"]
    days = {e.starts_at.astimezone(PARIS).date() for e in bilaterals}
    window = next(e for e in cohort.curriculum.events if e.code == "BILAT")
    first = start + timedelta(days=window.offset_days)
    assert first <= holiday < first + timedelta(days=window.window)  # the window holds it
    assert holiday not in days
    # Twelve bilatérales over the window's nine working days: every working day has some.
    working = {
        first + timedelta(days=n)
        for n in range(window.window)
        if slots.is_working_day(first + timedelta(days=n), cohort.curriculum.calendar)
    }
    assert days == working


def test_the_same_input_gives_the_same_calendar(new_cohort):
    first = new_cohort(date(2027, 1, 11), name="Première")
    second = new_cohort(date(2027, 1, 11), name="Seconde")
    assert _layout(first) == _layout(second)
    assert len(_layout(first)) == 12 * 5


def test_a_territory_engaged_later_gets_free_slots_against_what_is_planned(new_cohort, coordinator):
    cohort = new_cohort(date(2027, 1, 4), engaged=11)
    late = next(t for t in cohort.territories if t.name == NAMES[-1])
    assert not [e for e in _planned(cohort) if e.territory_id == late.id]
    before = len(_planned(cohort))
    operations.update_territory(
        late, changed_by=coordinator, name=late.name, status="accepted", **TERRITORY
    )
    mine = [e for e in _planned(cohort) if e.territory_id == late.id]
    assert sorted(e.code for e in mine) == sorted(
        e.code for e in cohort.curriculum.events if e.per_territory
    )
    assert len(_planned(cohort)) == before + len(mine)
    coach = _coach_everything(cohort, coordinator)
    _check_calendar(cohort, coach, coordinator)


def test_engaging_later_avoids_a_meeting_scheduled_by_hand(new_cohort, coordinator):
    from parcours.agenda.operations import EventDraft, create_event

    cohort = new_cohort(date(2027, 1, 4), engaged=0)
    first = cohort.territories[0]
    planned = next(e for e in cohort.curriculum.events if e.code == "BILAT")
    day = slots.first_working_days(
        cohort.start_date + timedelta(days=planned.offset_days), cohort.curriculum.calendar
    )
    opens, closes = slots.day_slots(planned, cohort.curriculum.calendar)[0]
    by_hand = create_event(
        cohort,
        EventDraft(
            kind="follow_up",
            title="Point ajouté à la main",
            territory=first,
            starts_at=slots._utc(day, opens, PARIS),
            ends_at=slots._utc(day, closes, PARIS),
        ),
        created_by=coordinator,
    )
    operations.update_territory(
        first, changed_by=coordinator, name=first.name, status="accepted", **TERRITORY
    )
    bilateral = next(e for e in _planned(cohort) if e.code == "BILAT")
    assert bilateral.starts_at >= by_hand.ends_at or bilateral.ends_at <= by_hand.starts_at


def test_the_sister_curriculum_generates_without_clash_too(new_cohort, coordinator):
    cohort = new_cohort(date(2027, 9, 6), path=SISTER_CURRICULUM)
    coach = _coach_everything(cohort, coordinator)
    territory_events = _check_calendar(cohort, coach, coordinator)
    assert {e.kind for e in territory_events} <= set(PER_TERRITORY_KINDS)
    assert len({e.starts_at for e in territory_events}) == len(territory_events)


def test_a_cohort_created_through_the_pages_has_no_clash(app, login_as, world):
    client = login_as("coordinator")
    with app.app_context():
        version_id = db.session.get(Cohort, world["cohort_a"]).curriculum_version_id
    response = client.post(
        "/cohorts/new",
        data={
            "curriculum": version_id,
            "name": "Promotion 2027",
            "start_date": "2027-04-01",  # a Thursday; Easter Monday, 1 and 8 May ahead
            "timezone": "Europe/Paris",
            "target_territories": "12",
        },
    )
    assert response.status_code == 302
    cohort_id = int(response.headers["Location"].rstrip("/").rsplit("/", 1)[-1])
    for name in NAMES:
        response = client.post(
            f"/cohorts/{cohort_id}/territories/new",
            data={"name": name, **TERRITORY, "status": "accepted"},
        )
        assert response.status_code == 302, page_text(response)
    with app.app_context():
        cohort = db.session.get(Cohort, cohort_id)
        coordinator = db.session.scalar(select(User).where(User.email == "coord@example.org"))
        coach = _coach_everything(cohort, coordinator)
        territory_events = _check_calendar(cohort, coach, coordinator)
        assert len(territory_events) == 60


def test_a_comite_waits_for_an_assessment_whose_opening_moved_to_a_working_day(
    ctx, coordinator, curriculum_version
):
    from parcours.curricula.loader import load_document, parse_file
    from parcours.curricula.schema import CurriculumDocument
    from tests.conftest import CURRICULUM

    data = parse_file(CURRICULUM).model_dump(mode="json")
    moment = next(m for m in data["assessment_moments"] if m["code"] == "MID")
    comite = next(e for e in data["events"] if e["code"] == "COMITE2")
    start = date(2027, 1, 4)
    moment["offset_days"] = (date(2027, 7, 14) - start).days  # a Wednesday, a holiday
    comite["offset_days"] = moment["offset_days"] + moment["window_days"]  # valid, just
    version = load_document(CurriculumDocument.model_validate(data), "variante.toml").version
    cohort = operations.create_cohort(
        version=version, name="Variante", start_date=start, created_by=coordinator
    )
    events = {e.code: e for e in _planned(cohort)}
    opens = events["MID"].starts_at.astimezone(PARIS).date()
    assert opens == date(2027, 7, 15)  # the opening moved a day, so did its close
    assert events["COMITE2"].starts_at >= events["MID"].ends_at
    comite_day = events["COMITE2"].starts_at.astimezone(PARIS).date()
    assert slots.is_working_day(comite_day, cohort.curriculum.calendar)
