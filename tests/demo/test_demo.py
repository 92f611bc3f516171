"""``flask demo``: a realistic fictitious cohort, and every page each account can reach."""

import re
from collections import Counter
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import case, func, select
from werkzeug.exceptions import HTTPException

from parcours.accounts.models import DEMO_EMAIL_DOMAIN, User
from parcours.cohorts.models import Cohort, Membership, Territory
from parcours.core.extensions import db
from parcours.core.time import PARIS, freeze
from tests.conftest import login, page_text
from tests.demo import CURRENT, CURRENT_ID

PASSWORD = "demo-password-for-tests"


@pytest.fixture
def demo(app):
    result = app.test_cli_runner().invoke(args=["demo", "--password", PASSWORD])
    assert result.exit_code == 0, result.output
    return result.output


def test_demo_builds_a_promotion_named_after_its_start_year(app, demo):
    with app.app_context():
        cohort = db.session.scalar(CURRENT)
        year = cohort.start_date.year
        assert cohort.name == f"Co-construction territoriale — promotion {year}"
        statuses = Counter(t.status for t in cohort.territories)
        assert statuses == {"accepted": 12, "refused": 1}
        refused = next(t for t in cohort.territories if t.status == "refused")
        assert refused.status_reason.endswith(f"en {year}.")
        accepted = [t for t in cohort.territories if t.status == "accepted"]
        assert {len(t.catalyseurs) for t in accepted} == {1, 2}  # binômes and singles
        assert all(t.coach_id for t in accepted)
        assert len({t.kind for t in accepted}) >= 8  # varied profiles
        roles = Counter(
            db.session.scalars(select(Membership.role).where(Membership.cohort_id == cohort.id))
        )
        # Plus a coach and a committee member invited who have not answered yet.
        assert roles["coordinator"] == 1 and roles["coach"] == 3 and roles["committee"] == 4
        assert db.session.scalar(select(func.count(User.id)).where(User.is_admin)) == 1
        # Every address is fictitious: the demo's domain, or the reserved one of the erased.
        emails = db.session.scalars(select(User.email).where(User.erased_at.is_(None))).all()
        assert all(email.endswith("@" + DEMO_EMAIL_DOMAIN) for email in emails)
        erased = db.session.scalars(select(User.email).where(User.erased_at.is_not(None))).all()
        assert len(erased) == 1 and erased[0].endswith("@parcours.invalid")
        # Everyone else joined: the cohort shows each person's own name.
        members = db.session.scalars(
            select(Membership).where(Membership.cohort_id == cohort.id)
        ).all()
        waiting = [m for m in members if not m.user.has_password]
        assert sorted(m.invited_name for m in waiting) == ["Mathilde Garnier", "Romain Chevalier"]
        assert not any(m.accepted for m in waiting)
        joined = [m for m in members if m.user.has_password]
        assert all(m.accepted and m.shown_name == m.user.full_name for m in joined)
    # One line per account one can log into, with its role and e-mail, and the password once.
    # (The past promotion's catalyseurs are not all listed: one of them stands for the rest.)
    account_lines = [line for line in demo.splitlines() if DEMO_EMAIL_DOMAIN in line]
    printed = {word for line in account_lines for word in line.split() if "@" in word}
    assert {m.user.email for m in joined} | {f"admin@{DEMO_EMAIL_DOMAIN}"} < printed
    # Beyond the members: the admin, the committee member removed, a past catalyseur.
    assert len(printed - {m.user.email for m in joined}) == 3
    assert any("promotion précédente" in line for line in account_lines)
    assert any(line.strip().startswith("coordinatrice") for line in account_lines)
    assert f"Mot de passe de tous les comptes : {PASSWORD}" in demo
    assert "fictive" in demo


def test_demo_can_be_run_again(app, demo):
    again = app.test_cli_runner().invoke(args=["demo", "--password", PASSWORD])
    assert again.exit_code == 0, again.output
    with app.app_context():
        # The promotion in progress (12 territories and a refusal) and the past one (12).
        assert db.session.scalar(select(func.count(Cohort.id))) == 2
        assert db.session.scalar(select(func.count(Territory.id))) == 13 + 12


def test_demo_refuses_a_database_with_real_accounts(app, create_user):
    create_user("vraie.personne@example.org")
    runner = app.test_cli_runner()
    result = runner.invoke(args=["demo", "--password", PASSWORD])
    assert result.exit_code != 0
    assert "Rien n'a été modifié" in result.output
    with app.app_context():
        assert db.session.scalar(select(func.count(Cohort.id))) == 0
        assert db.session.scalar(select(func.count(User.id))) == 1
    forced = runner.invoke(args=["demo", "--password", PASSWORD, "--force"])
    assert forced.exit_code == 0, forced.output
    with app.app_context():
        assert (
            db.session.scalar(select(User).where(User.email == "vraie.personne@example.org"))
            is None
        )


def test_demo_refuses_a_weak_password(app):
    result = app.test_cli_runner().invoke(args=["demo", "--password", "azerty"])
    assert result.exit_code != 0
    with app.app_context():
        assert db.session.scalar(select(func.count(User.id))) == 0


LINK = re.compile(r'href="(/[^"#]*)"')


def _page_kind(app, url: str, event_kinds: dict[int, str]):
    """Name what ``url`` shows: its route and query parameters, not their values.

    Every month of a calendar is one kind of page. An event's pages show different things
    for each kind of event (a session's programme and attendance, a visit's territory), so
    the event's kind is part of the page's kind.
    """
    parts = urlsplit(url)
    try:
        endpoint, args = app.url_map.bind("parcours.test").match(parts.path)
    except HTTPException:
        return url  # no route: fetched once, and reported as broken
    query = tuple(sorted(parse_qs(parts.query, keep_blank_values=True)))
    return endpoint, query, event_kinds.get(args.get("event_id"))


def _crawl(app, client, event_kinds, start="/", limit=150):
    """Follow internal links from ``start``, one page of each kind; return {url: status}.

    ``limit`` only guards against a runaway crawl: reaching it fails the test.
    """
    seen, kinds, queue = {}, set(), [start]
    while queue:
        assert len(seen) < limit, f"more than {limit} kinds of pages: {sorted(seen)}"
        url = queue.pop(0)
        kind = _page_kind(app, url, event_kinds)
        if kind in kinds:
            continue
        kinds.add(kind)
        response = client.get(url)
        seen[url] = response.status_code
        if response.mimetype == "text/html":
            for link in LINK.findall(response.get_data(as_text=True)):
                if not link.startswith("/static/") and link not in seen:
                    queue.append(link.replace("&amp;", "&"))
    return seen


def test_every_demo_account_reaches_its_pages_without_error(app, demo):
    from parcours.agenda.models import Event

    with app.app_context():
        emails = db.session.scalars(
            select(User.email).where(User.password_hash.is_not(None)).order_by(User.id)
        ).all()
        event_kinds = dict(db.session.execute(select(Event.id, Event.kind)).all())
    visited = 0
    for email in emails:
        client = app.test_client()
        login(client, email, PASSWORD)
        pages = _crawl(app, client, event_kinds)
        broken = {url: status for url, status in pages.items() if status != 200}
        assert not broken, f"{email}: {broken}"
        assert len(pages) >= 2, f"{email} reaches nothing but {pages}"
        visited += len(pages)
    assert visited > len(emails) * 3


def test_the_demo_admin_sees_people_and_programmes_with_a_pending_and_an_expired_invitation(
    app, demo
):
    admin = app.test_client()
    login(admin, f"admin@{DEMO_EMAIL_DOMAIN}", PASSWORD)
    people = "".join(  # more than one page of people, with the past promotion's
        admin.get(f"/admin/users?page={page}").get_data(as_text=True) for page in (1, 2)
    )
    states = re.findall(r"invitation (en attente|expirée)</span>", people)
    assert Counter(states) == {"en attente": 1, "expirée": 1}
    assert "Mathilde Garnier" in people and "Romain Chevalier" in people
    programmes = admin.get("/admin/curricula").get_data(as_text=True)
    assert "Co-construction territoriale — promotion" in programmes
    assert "modeles-socio-economiques" in programmes
    coordinator = app.test_client()
    login(coordinator, f"coordination@{DEMO_EMAIL_DOMAIN}", PASSWORD)
    with app.app_context():
        cohort_id = db.session.scalar(CURRENT_ID)
    members = coordinator.get(f"/cohorts/{cohort_id}/members").get_data(as_text=True)
    assert "invitation expirée" in members and "invitation en attente" in members
    assert coordinator.get("/cohorts/new").status_code == 200  # allowed by the administrator


def test_demo_sessions_have_venues_a_programme_and_past_attendance(app, demo):
    from parcours.agenda.models import Event
    from parcours.attendance.models import Attendance
    from parcours.core.time import now_utc

    with app.app_context():
        cohort_id = db.session.scalar(CURRENT_ID)
        sessions = db.session.scalars(
            select(Event).where(Event.kind == "session", Event.cohort_id == cohort_id)
        ).all()
        assert all(s.venue_name and s.venue_address for s in sessions)
        s1 = next(s for s in sessions if s.code == "S1")
        assert len(s1.items) >= 5 and s1.speaker_list
        held = [s for s in sessions if s.ends_at < now_utc()]
        for session in held:
            statuses = db.session.scalars(
                select(Attendance.status).where(Attendance.event_id == session.id)
            ).all()
            assert len(statuses) >= 18, session.code  # every catalyseur, each half-day
            assert Counter(statuses)["present"] > len(statuses) // 2


def test_every_demo_feed_validates_and_holds_exactly_that_persons_events(app, demo):
    from icalendar import Calendar

    from parcours.agenda.models import Event
    from parcours.agenda.operations import feed_for
    from parcours.agenda.permissions import can_view_event, visible_events_clause

    with app.test_request_context():
        # An erased person has no calendar feed any more.
        users = db.session.scalars(
            select(User).where(User.erased_at.is_(None)).order_by(User.id)
        ).all()
        every = db.session.scalars(select(Event)).all()
        cases = []
        for user in users:
            expected = {
                e.id
                for e in every
                if can_view_event(user, e)
                and e.id
                in set(
                    db.session.scalars(
                        select(Event.id).where(visible_events_clause(user, as_participant=True))
                    )
                )
            }
            cases.append((user.email, feed_for(user).token, expected))
        db.session.commit()
    client = app.test_client()
    for email, token, expected in cases:
        response = client.get(f"/calendar/{token}.ics")
        assert response.status_code == 200, email
        calendar = Calendar.from_ical(response.data)
        uids = {str(v["UID"]) for v in calendar.walk("VEVENT")}
        ids = {int(uid.split("@")[0].removeprefix("parcours-event-")) for uid in uids}
        assert ids == expected, email
        # Every zone in use is described; a feed without events still holds its own zone,
        # since RFC 5545 wants one component at least.
        zones = {tz.tz_name for tz in calendar.timezones}
        assert zones, email
        assert calendar.get_used_tzids() == (zones if expected else set()), email


def _build_demo_at(app, moment: datetime) -> str:
    with freeze(moment):
        result = app.test_cli_runner().invoke(args=["demo", "--password", PASSWORD])
    assert result.exit_code == 0, result.output
    return result.output


def _local_days(event):
    day, last = event.starts_at.astimezone(PARIS).date(), event.ends_at.astimezone(PARIS).date()
    while day <= last:
        yield day
        day += timedelta(days=1)


DEMO_DAYS = {
    "a Monday in March": datetime(2027, 3, 1, 9, 0, tzinfo=PARIS),
    "a Sunday in December": datetime(2026, 12, 6, 15, 0, tzinfo=PARIS),
    "29 February": datetime(2028, 2, 29, 12, 0, tzinfo=PARIS),
    "the day before summer time": datetime(2027, 3, 27, 10, 0, tzinfo=PARIS),
    "the day before winter time": datetime(2026, 10, 24, 22, 0, tzinfo=PARIS),
    "New Year's Eve in UTC, already January in Paris": datetime(2026, 12, 31, 23, 30, tzinfo=UTC),
}


@pytest.mark.parametrize("moment", DEMO_DAYS.values(), ids=DEMO_DAYS.keys())
def test_whatever_the_day_the_demo_is_in_the_middle_of_its_programme(app, moment):
    from parcours.agenda.models import Event, EventKind
    from parcours.attendance.models import Attendance

    output = _build_demo_at(app, moment)
    with app.app_context():
        cohort = db.session.scalar(CURRENT)
        events = db.session.scalars(select(Event).where(Event.cohort_id == cohort.id)).all()
        shared = {e.code: e for e in events if e.territory_id is None}
        for code in ("S1", "S2"):
            assert shared[code].ends_at < moment, code
        ahead = shared["S3"].starts_at - moment
        assert timedelta(weeks=2) <= ahead <= timedelta(weeks=6), ahead
        assert shared["S4"].starts_at > moment
        assert timedelta(0) < moment - shared["COMITE2"].ends_at < timedelta(weeks=2)
        assert shared["COMITE3"].starts_at > moment
        # Attendance is recorded for the sessions already held, and only for them, and for
        # the evening workshop three weeks after S1 (its half-day is « soir »).
        attended = set(
            db.session.scalars(
                select(Attendance.event_id)
                .where(Attendance.event_id.in_([e.id for e in events]))
                .distinct()
            )
        )
        assert attended == {shared["S1"].id, shared["S2"].id, shared["SOIR1"].id}
        evening = select(Attendance.half).where(Attendance.event_id == shared["SOIR1"].id)
        assert set(db.session.scalars(evening)) == {"ev"}
        # Every event within the cohort's dates, none on a weekend (an assessment is a
        # window of weeks: the day it opens counts).
        for event in events:
            days = list(_local_days(event))
            if event.kind == EventKind.ASSESSMENT:
                days = days[:1]
            assert all(day.weekday() < 5 for day in days), (event.code, days)
            assert cohort.start_date <= days[0] and days[-1] <= cohort.end_date, event.code
        # Each territory's field visit follows the same anchor, one visit a day.
        visits = sorted((e for e in events if e.code == "VISITE"), key=lambda e: e.starts_at)
        assert len(visits) == 12
        assert len({v.starts_at.astimezone(PARIS).date() for v in visits}) == 12
        assert shared["COMITE2"].starts_at < visits[0].starts_at < shared["S3"].starts_at
        s1_day = shared["S1"].starts_at.astimezone(PARIS).date()
        assert {i.starts_at.astimezone(PARIS).date() for i in shared["S1"].items} == {s1_day}
        assert cohort.name.endswith(f"promotion {cohort.start_date.year}")
        s3_day = shared["S3"].starts_at.astimezone(PARIS)
    # The coordinator's suivi page flags the three territories the README names, not two or
    # four depending on the day the demo was built.
    with freeze(moment), app.test_request_context():
        from parcours.suivi.dashboards.queries import cohort_dashboard

        cohort = db.session.scalar(CURRENT)
        admin = db.session.scalar(select(User).where(User.is_admin))
        stale = [line.name for line in cohort_dashboard(cohort, admin).lines if line.stale]
    assert len(stale) == 3, stale
    assert f"prochaine session : S3 le {s3_day:%d/%m/%Y}" in output


def _snapshot(app) -> dict:
    """The dates, places and marks of the demo, keyed by what stays from one build to the next."""
    from parcours.agenda.models import AgendaItem, Event
    from parcours.attendance.models import Attendance

    with app.app_context():
        cohort = db.session.scalar(CURRENT)
        events = db.session.execute(
            select(Event.code, Territory.name, Event.starts_at, Event.ends_at, Event.venue_name)
            .outerjoin(Territory, Event.territory_id == Territory.id)
            # Every column: past and current cohorts have territories of the same name.
            .order_by(Event.code, Territory.name, Event.starts_at, Event.ends_at, Event.venue_name)
        ).all()
        items = db.session.execute(
            select(Event.code, AgendaItem.starts_at, AgendaItem.ends_at, AgendaItem.title)
            .join(AgendaItem.event)
            .order_by(AgendaItem.starts_at, Event.code, AgendaItem.ends_at, AgendaItem.title)
        ).all()
        # The erased account's address holds its id, which PostgreSQL does not give twice.
        person = case((User.erased_at.is_not(None), "erased"), else_=User.email)
        marks = db.session.execute(
            select(Event.code, person, Attendance.day, Attendance.half, Attendance.status)
            .join(Attendance.event)
            .join(User, Attendance.user_id == User.id)
            .order_by(Event.code, person, Attendance.day, Attendance.half, Attendance.status)
        ).all()
        return {
            "cohort": (cohort.name, cohort.start_date),
            "events": [tuple(row) for row in events],
            "items": [tuple(row) for row in items],
            "marks": [tuple(row) for row in marks],
        }


def test_the_demo_built_twice_at_the_same_moment_is_the_same(app):
    moment = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
    _build_demo_at(app, moment)
    first = _snapshot(app)
    _build_demo_at(app, moment)
    assert _snapshot(app) == first
    assert len(first["events"]) > 50 and len(first["items"]) >= 5
    statuses = Counter(mark[-1] for mark in first["marks"])
    assert statuses["present"] > 0 and statuses["excused"] > 0 and statuses["late"] > 0
    # A week later, the whole demo has moved with the clock.
    _build_demo_at(app, moment + timedelta(days=7))
    assert _snapshot(app)["cohort"][1] == first["cohort"][1] + timedelta(days=7)


def test_the_demo_shows_an_undoable_removal_and_an_upcoming_programme(app, demo):
    from parcours.agenda.models import Event
    from parcours.cohorts.models import MembershipRemoval

    client = app.test_client()
    login(client, "coordination@demo.parcours.example", PASSWORD)
    with app.app_context():
        removal = db.session.scalar(select(MembershipRemoval))
        cohort_id = removal.cohort_id
        s3 = db.session.scalar(select(Event).where(Event.code == "S3"))
        assert len(s3.items) == 4
    page = client.get(f"/cohorts/{cohort_id}/members")
    text = " ".join(page.get_data(as_text=True).split())
    assert "Retraits récents" in text and "Sophie Marchand" in text
    assert f"/cohorts/{cohort_id}/removals/{removal.id}/restore" in text


def test_the_demo_coordinator_reaches_the_planning_of_each_territory_meeting(app, demo):
    from parcours.cohorts.models import TerritoryStatus

    with app.app_context():
        cohort = db.session.scalar(CURRENT)
        accepted = db.session.scalars(
            select(Territory.name).where(
                Territory.cohort_id == cohort.id, Territory.status == TerritoryStatus.ACCEPTED
            )
        ).all()
    client = app.test_client()
    login(client, "coordination@demo.parcours.example", PASSWORD)
    overview = client.get(f"/cohorts/{cohort.id}").get_data(as_text=True)
    link = f"/cohorts/{cohort.id}/planning/BILAT"
    assert f'href="{link}"' in overview
    page = client.get(link)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert html.count('name="rows-') // 6 == len(accepted) >= 10
    text = page_text(page)
    assert all(name in text for name in accepted)


def test_the_demo_sessions_held_have_their_signed_sheets(app, demo):
    from parcours.agenda.models import Event
    from parcours.attendance.models import SignedSheet
    from parcours.storage.models import StoredFile

    with app.app_context():
        rows = db.session.execute(
            select(Event.code, StoredFile.filename, StoredFile.content_type, SignedSheet.removed_at)
            .join(SignedSheet.event)
            .join(StoredFile, StoredFile.id == SignedSheet.file_id)
            .order_by(SignedSheet.id)
        ).all()
        cohort_id = db.session.scalar(CURRENT_ID)
        s1 = db.session.scalar(select(Event.id).where(Event.code == "S1"))
    assert [(code, kind, removed is not None) for code, _name, kind, removed in rows] == [
        ("S1", "image/png", True),  # a blurred photo, removed and kept in the history
        ("S1", "application/pdf", False),
        ("S2", "image/png", False),
        ("S2", "image/png", False),
    ]
    coordinator = app.test_client()
    login(coordinator, f"coordination@{DEMO_EMAIL_DOMAIN}", PASSWORD)
    figures = page_text(coordinator.get(f"/cohorts/{cohort_id}/attendance"))
    assert figures.count("feuille signée jointe") == 2
    assert figures.count("pas encore de feuille signée") == 2  # S3 and S4, ahead
    sheet = page_text(coordinator.get(f"/events/{s1}/attendance"))
    assert "S1 feuille d'émargement signée.pdf" in sheet
    assert "1 feuille retirée" in sheet and "Retirée par Claire Dumas" in sheet
