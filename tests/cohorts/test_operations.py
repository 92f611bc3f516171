"""Cohort operations: timeline generation, territories, binômes, roles."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from parcours.accounts.models import User
from parcours.agenda.models import Event
from parcours.cohorts import operations
from parcours.cohorts.models import Cohort, Membership, Role, Territory
from parcours.core.extensions import db
from parcours.curricula.loader import load_document, parse_file
from parcours.curricula.models import CurriculumVersion
from tests.conftest import CURRICULUM

PARIS = ZoneInfo("Europe/Paris")
TERRITORY = {
    "region": "Bretagne",
    "department": "Finistère",
    "kind": "rural",
    "carrier_structure": "Asso",
    "carrier_type": "associatif",
    "status_reason": "",
}


@pytest.fixture
def coordinator(ctx, create_user):
    return db.session.get(User, create_user("coord@example.org", "Coordination"))


@pytest.fixture
def cohort(ctx, coordinator, curriculum_version):
    version = db.session.get(CurriculumVersion, curriculum_version())
    return operations.create_cohort(
        version=version, name="Promo test", start_date=date(2026, 3, 2), created_by=coordinator
    )


def _events(cohort, **criteria):
    query = select(Event).where(Event.cohort_id == cohort.id)
    for key, value in criteria.items():
        query = query.where(getattr(Event, key) == value)
    return db.session.scalars(query.order_by(Event.starts_at)).all()


def test_creating_a_cohort_generates_its_timeline_from_the_curriculum(cohort, coordinator):
    document = cohort.curriculum
    cohort_wide = [e for e in document.events if not e.per_territory]
    events = _events(cohort)
    assert len(events) == (
        len(document.sessions) + len(cohort_wide) + len(document.assessment_moments)
    )
    assert all(e.territory_id is None for e in events)
    sessions = _events(cohort, kind="session")
    assert [e.code for e in sessions] == ["S1", "S2", "S3", "S4"]
    s1 = document.sessions[0]
    local = sessions[0].starts_at.astimezone(PARIS)
    assert local.date() == date(2026, 3, 2) + timedelta(days=s1.offset_days)
    assert local.time() == s1.start_time
    assert len(_events(cohort, kind="committee")) == 3
    # The creator runs the cohort.
    member = db.session.scalar(select(Membership).where(Membership.cohort_id == cohort.id))
    assert (member.user_id, member.role) == (coordinator.id, Role.COORDINATOR)


def test_an_accepted_territory_gets_its_own_events_and_cancels_them_when_withdrawn(
    cohort, coordinator, outbox
):
    from parcours.attendance.models import Attendance
    from parcours.attendance.operations import record_attendance
    from parcours.core.time import freeze

    territory = operations.add_territory(cohort, name="Brest", status="accepted", **TERRITORY)
    operations.add_catalyseur(
        territory, email="cat@example.org", full_name="Cat", organisation="", invited_by=coordinator
    )
    per_territory = [e for e in cohort.curriculum.events if e.per_territory]
    mine = _events(cohort, territory_id=territory.id)
    assert sorted(e.code for e in mine) == sorted(e.code for e in per_territory)
    bilateral = next(e for e in mine if e.kind == "bilateral")
    member = territory.catalyseurs[0]
    local_day = bilateral.starts_at.astimezone(PARIS).date()
    record_attendance(bilateral, member.user, local_day, "am", "present", recorded_by=coordinator)
    db.session.commit()
    outbox.clear()
    # Withdrawn after the bilatérale: its history stays, what is ahead is cancelled.
    with freeze(bilateral.ends_at + timedelta(days=1)):
        operations.update_territory(
            territory,
            changed_by=coordinator,
            name="Brest",
            status="withdrawn",
            **{**TERRITORY, "status_reason": "Départ"},
        )
        db.session.commit()
    after = {e.code: e for e in _events(cohort, territory_id=territory.id)}
    assert after[bilateral.code].status == "planned"
    assert db.session.scalar(select(func.count(Attendance.id))) == 1
    assert all(e.status == "cancelled" for code, e in after.items() if code != bilateral.code)
    assert {m.to for m in outbox} == {"cat@example.org"}
    assert all(m.subject.startswith("Annulé") for m in outbox)
    # Accepted again: the cancelled meetings come back as new ones, nothing is duplicated.
    operations.update_territory(territory, name="Brest", status="accepted", **TERRITORY)
    planned = [e for e in _events(cohort, territory_id=territory.id) if e.status == "planned"]
    assert sorted(e.code for e in planned) == sorted(e.code for e in per_territory)


def test_a_refused_territory_needs_a_reason_and_gets_no_events(cohort):
    with pytest.raises(operations.CohortError) as error:
        operations.add_territory(cohort, name="Quimper", status="refused", **TERRITORY)
    assert error.value.field == "status_reason"
    territory = operations.add_territory(
        cohort, name="Quimper", status="refused", **{**TERRITORY, "status_reason": "Calendrier"}
    )
    assert _events(cohort, territory_id=territory.id) == []


def test_territory_names_are_unique_in_a_cohort_whatever_the_case(cohort):
    operations.add_territory(cohort, name="Brest", status="accepted", **TERRITORY)
    with pytest.raises(operations.CohortError):
        operations.add_territory(cohort, name="  BREST ", status="accepted", **TERRITORY)


def test_a_binome_is_two_catalyseurs_at_most(cohort, coordinator, outbox):
    territory = operations.add_territory(cohort, name="Brest", status="accepted", **TERRITORY)
    for n in (1, 2):
        operations.add_catalyseur(
            territory,
            email=f"CAT{n}@Example.org",
            full_name=f"Cat {n}",
            organisation="",
            invited_by=coordinator,
        )
    assert territory.is_binome
    with pytest.raises(operations.CohortError):
        operations.add_catalyseur(
            territory,
            email="cat3@example.org",
            full_name="Cat 3",
            organisation="",
            invited_by=coordinator,
        )
    emails = sorted(m.user.email for m in territory.catalyseurs)
    assert emails == ["cat1@example.org", "cat2@example.org"]
    db.session.commit()
    assert sorted(m.to for m in outbox) == emails
    assert "/invitation/" in outbox[0].body


def test_one_role_per_person_in_a_cohort_but_roles_differ_across_cohorts(
    cohort, coordinator, curriculum_version
):
    operations.add_member(
        cohort,
        role=Role.COACH,
        email="p@example.org",
        full_name="P",
        organisation="",
        invited_by=coordinator,
    )
    with pytest.raises(operations.CohortError):
        operations.add_member(
            cohort,
            role=Role.COMMITTEE,
            email="p@example.org",
            full_name="P",
            organisation="",
            invited_by=coordinator,
        )
    other = operations.create_cohort(
        version=cohort.curriculum_version,
        name="Autre promo",
        start_date=date(2027, 1, 4),
        created_by=coordinator,
    )
    territory = operations.add_territory(other, name="Brest", status="accepted", **TERRITORY)
    member = operations.add_catalyseur(
        territory, email="p@example.org", full_name="P", organisation="", invited_by=coordinator
    )
    assert member.role == Role.CATALYSEUR
    assert db.session.scalar(select(func.count(User.id)).where(User.email == "p@example.org")) == 1


def test_the_last_coordinator_cannot_be_removed(cohort, coordinator):
    member = db.session.scalar(select(Membership).where(Membership.user_id == coordinator.id))
    with pytest.raises(operations.CohortError):
        operations.remove_member(member)
    operations.add_member(
        cohort,
        role=Role.COORDINATOR,
        email="c2@example.org",
        full_name="C2",
        organisation="",
        invited_by=coordinator,
    )
    operations.remove_member(member)
    assert db.session.get(Membership, member.id) is None


def test_removing_a_coach_unassigns_their_territories(cohort, coordinator):
    coach = operations.add_member(
        cohort,
        role=Role.COACH,
        email="coach@example.org",
        full_name="Coach",
        organisation="",
        invited_by=coordinator,
    )
    territory = operations.add_territory(cohort, name="Brest", status="accepted", **TERRITORY)
    operations.assign_coach(territory, coach.user)
    operations.remove_member(coach)
    assert territory.coach_id is None


def test_only_a_coach_of_the_cohort_can_follow_a_territory(cohort, coordinator):
    territory = operations.add_territory(cohort, name="Brest", status="accepted", **TERRITORY)
    with pytest.raises(operations.CohortError):
        operations.assign_coach(territory, coordinator)
    assert territory.coach_id is None


def test_moving_the_start_date_moves_the_timeline_keeping_local_times(cohort):
    before = {e.code: e.starts_at.astimezone(PARIS) for e in _events(cohort)}
    operations.update_cohort(
        cohort,
        name=cohort.name,
        start_date=date(2026, 2, 2),
        timezone="Europe/Paris",
        target_territories=12,
    )
    after = {e.code: e.starts_at.astimezone(PARIS) for e in _events(cohort)}
    for code, moment in before.items():
        moved = after[code]
        assert moved.date() == moment.date() - timedelta(days=28)
        # S1 crosses no DST change, but later events do: wall-clock time is what must stay.
        assert moved.time() == moment.time()


def test_a_cohort_keeps_the_curriculum_version_it_started_with(cohort, tmp_path):
    document = parse_file(CURRICULUM)
    changed = document.model_copy(
        update={
            "sessions": [
                document.sessions[0].model_copy(update={"title": "Nouveau"}),
                *document.sessions[1:],
            ]
        }
    )
    new_version = load_document(changed, "changed.toml").version
    assert new_version.number == 2
    db.session.expire_all()
    reloaded = db.session.get(Cohort, cohort.id)
    assert reloaded.curriculum_version.number == 1
    assert reloaded.curriculum.sessions[0].title == document.sessions[0].title


def test_cohort_names_are_unique(cohort, coordinator):
    with pytest.raises(operations.CohortError) as error:
        operations.create_cohort(
            version=cohort.curriculum_version,
            name="promo TEST",
            start_date=date(2026, 3, 2),
            created_by=coordinator,
        )
    assert error.value.field == "name"
    assert db.session.scalar(select(func.count(Territory.id))) == 0


def test_timeline_dates_are_stored_in_utc(cohort):
    s1 = _events(cohort, code="S1")[0]
    assert s1.starts_at.tzinfo is not None
    assert s1.starts_at.utcoffset() == timedelta(0)
    assert s1.starts_at == datetime.combine(
        s1.starts_at.astimezone(PARIS).date(),
        cohort.curriculum.sessions[0].start_time,
        tzinfo=PARIS,
    )


def test_changing_the_zone_keeps_wall_clock_times_and_moves_the_programme(cohort):
    from parcours.agenda.models import AgendaItem

    s1 = _events(cohort, code="S1")[0]
    s1.items.append(
        AgendaItem(
            starts_at=s1.starts_at,
            ends_at=s1.starts_at + timedelta(hours=1),
            kind="plenary",
            title="Ouverture",
        )
    )
    db.session.flush()
    before = s1.starts_at.astimezone(PARIS).time()
    operations.update_cohort(
        cohort,
        name=cohort.name,
        start_date=cohort.start_date,
        timezone="America/Cayenne",
        target_territories=12,
    )
    cayenne = ZoneInfo("America/Cayenne")
    assert s1.starts_at.astimezone(cayenne).time() == before
    assert s1.items[0].starts_at == s1.starts_at
    assert s1.sequence == 1


def test_dates_and_zone_are_fixed_once_attendance_is_recorded(cohort, coordinator):
    from parcours.attendance.operations import record_attendance

    territory = operations.add_territory(cohort, name="Brest", status="accepted", **TERRITORY)
    operations.add_catalyseur(
        territory, email="cat@example.org", full_name="Cat", organisation="", invited_by=coordinator
    )
    s1 = _events(cohort, code="S1")[0]
    catalyseur = territory.catalyseurs[0].user
    record_attendance(s1, catalyseur, date(2026, 4, 1), "am", "present", recorded_by=coordinator)
    with pytest.raises(operations.CohortError) as error:
        operations.update_cohort(
            cohort,
            name=cohort.name,
            start_date=date(2026, 3, 9),
            timezone="Europe/Paris",
            target_territories=12,
        )
    assert error.value.field == "start_date"
    operations.update_cohort(
        cohort,
        name="Nouveau nom",
        start_date=cohort.start_date,
        timezone="Europe/Paris",
        target_territories=10,
    )
    assert cohort.name == "Nouveau nom"


@pytest.mark.parametrize("again", ["Île de Ré", "ÎLE DE RÉ", " île  de ré "])
def test_a_name_with_capital_accents_is_a_duplicate_on_every_database(cohort, again):
    """SQL lower() folds only ASCII on SQLite: « Île » and « île » used to differ there."""
    operations.add_territory(cohort, name="Île de Ré", status="accepted", **TERRITORY)
    with pytest.raises(operations.CohortError) as error:
        operations.add_territory(cohort, name=again, status="accepted", **TERRITORY)
    assert (str(error.value), error.value.field) == (
        "Ce territoire existe déjà dans la cohorte.",
        "name",
    )
    other = operations.add_territory(cohort, name="Oléron", status="accepted", **TERRITORY)
    with pytest.raises(operations.CohortError):
        operations.update_territory(other, name=again, status="accepted", **TERRITORY)
    operations.update_territory(other, name="OLÉRON", status="accepted", **TERRITORY)  # itself
    assert db.session.scalar(select(func.count(Territory.id))) == 2


def test_a_cohort_name_with_capital_accents_is_a_duplicate(cohort, coordinator):
    for name in ("Été 2027", "ÉTÉ 2027"):
        try:
            operations.create_cohort(
                version=cohort.curriculum_version,
                name=name,
                start_date=date(2027, 6, 7),
                created_by=coordinator,
            )
        except operations.CohortError as error:
            assert (str(error), error.field) == ("Une cohorte porte déjà ce nom.", "name")
    assert db.session.scalars(select(Cohort.name).order_by(Cohort.id)).all() == [
        "Promo test",
        "Été 2027",
    ]


def test_the_database_itself_refuses_two_territories_with_one_key(cohort):
    from sqlalchemy.exc import IntegrityError

    operations.add_territory(cohort, name="Île de Ré", status="accepted", **TERRITORY)
    db.session.add(Territory(cohort=cohort, name="ÎLE DE RÉ", kind="rural", carrier_type="public"))
    with pytest.raises(IntegrityError):
        db.session.flush()
