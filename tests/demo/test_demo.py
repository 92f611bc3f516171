"""``flask demo``: a realistic fictitious cohort, and every page each account can reach."""

import re
from collections import Counter

import pytest
from sqlalchemy import func, select

from parcours.accounts.models import DEMO_EMAIL_DOMAIN, User
from parcours.cohorts.models import Cohort, Membership, Territory
from parcours.core.extensions import db
from tests.conftest import login

PASSWORD = "demo-password-for-tests"


@pytest.fixture
def demo(app):
    result = app.test_cli_runner().invoke(args=["demo", "--password", PASSWORD])
    assert result.exit_code == 0, result.output
    return result.output


def test_demo_builds_the_promotion_2026(app, demo):
    with app.app_context():
        cohort = db.session.scalar(select(Cohort))
        assert cohort.name == "Co-construction territoriale — promotion 2026"
        statuses = Counter(t.status for t in cohort.territories)
        assert statuses == {"accepted": 12, "refused": 1}
        refused = next(t for t in cohort.territories if t.status == "refused")
        assert refused.status_reason
        accepted = [t for t in cohort.territories if t.status == "accepted"]
        assert {len(t.catalyseurs) for t in accepted} == {1, 2}  # binômes and singles
        assert all(t.coach_id for t in accepted)
        assert len({t.kind for t in accepted}) >= 8  # varied profiles
        roles = Counter(db.session.scalars(select(Membership.role)))
        assert roles["coordinator"] == 1 and roles["coach"] == 2 and roles["committee"] == 3
        assert db.session.scalar(select(func.count(User.id)).where(User.is_admin)) == 1
        emails = db.session.scalars(select(User.email)).all()
        assert all(email.endswith("@" + DEMO_EMAIL_DOMAIN) for email in emails)
    # One line per account, with its role and e-mail, and the password once.
    account_lines = [line for line in demo.splitlines() if DEMO_EMAIL_DOMAIN in line]
    assert len(account_lines) == len(emails)
    assert any(line.strip().startswith("coordinatrice") for line in account_lines)
    assert f"Mot de passe de tous les comptes : {PASSWORD}" in demo
    assert "fictive" in demo


def test_demo_can_be_run_again(app, demo):
    again = app.test_cli_runner().invoke(args=["demo", "--password", PASSWORD])
    assert again.exit_code == 0, again.output
    with app.app_context():
        assert db.session.scalar(select(func.count(Cohort.id))) == 1
        assert db.session.scalar(select(func.count(Territory.id))) == 13


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


def _crawl(client, start="/", limit=150):
    """Follow every internal link from ``start``; return {url: status}."""
    seen, queue = {}, [start]
    while queue and len(seen) < limit:
        url = queue.pop(0)
        if url in seen:
            continue
        response = client.get(url)
        seen[url] = response.status_code
        if response.mimetype == "text/html":
            for link in LINK.findall(response.get_data(as_text=True)):
                if not link.startswith("/static/") and link not in seen:
                    queue.append(link.replace("&amp;", "&"))
    return seen


def test_every_demo_account_reaches_its_pages_without_error(app, demo):
    with app.app_context():
        emails = db.session.scalars(select(User.email).order_by(User.id)).all()
    visited = 0
    for email in emails:
        client = app.test_client()
        login(client, email, PASSWORD)
        pages = _crawl(client)
        broken = {url: status for url, status in pages.items() if status != 200}
        assert not broken, f"{email}: {broken}"
        assert len(pages) >= 2, f"{email} reaches nothing but {pages}"
        visited += len(pages)
    assert visited > len(emails) * 3


def test_demo_sessions_have_venues_a_programme_and_past_attendance(app, demo):
    from parcours.agenda.models import Event
    from parcours.attendance.models import Attendance
    from parcours.core.time import now_utc

    with app.app_context():
        sessions = db.session.scalars(select(Event).where(Event.kind == "session")).all()
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

    from parcours.agenda.feeds import feed_for
    from parcours.agenda.models import Event
    from parcours.agenda.permissions import can_view_event, visible_events_clause

    with app.test_request_context():
        users = db.session.scalars(select(User).order_by(User.id)).all()
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
