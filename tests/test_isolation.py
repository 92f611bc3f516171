"""The test database itself: what a test commits is rolled back, unless it ``commits`` for real.

A connection of its own (as another process would open) shows what is really committed.
"""

import pytest
from sqlalchemy import select

from parcours.accounts.models import User
from parcours.cohorts.models import Cohort
from parcours.core.extensions import db
from parcours.outbox import mail
from parcours.outbox.models import OutboxMessage

PASSWORD = "un mot de passe solide pour l'admin"


def _committed(app, column) -> list:
    """Read ``column`` on a connection of its own: only what is really committed."""
    with app.app_context(), db.engine.connect() as connection:
        return list(connection.scalars(select(column).order_by(column)))


def _seen_by_the_app(app, column) -> list:
    with app.app_context():
        return list(db.session.scalars(select(column).order_by(column)))


def test_a_fixture_commit_is_seen_by_the_app_but_not_committed(app, create_user):
    create_user("fixture@example.org")
    assert _seen_by_the_app(app, User.email) == ["fixture@example.org"]
    assert _committed(app, User.email) == []


def test_a_cli_command_commit_is_seen_by_the_app_but_not_committed(app):
    result = app.test_cli_runner().invoke(
        args=["users", "create-admin", "cli@example.org", "--name", "CLI", "--password", PASSWORD]
    )
    assert result.exit_code == 0, result.output
    assert _seen_by_the_app(app, User.email) == ["cli@example.org"]
    assert _committed(app, User.email) == []


def test_a_view_commit_and_its_e_mail_are_rolled_back_with_the_world(app, world, login_as, outbox):
    response = login_as("coordinator").post(
        f"/territories/{world['territory_a2']}/catalyseurs",
        data={
            "full_name": "Nouvelle Personne",
            "email": "nouvelle@example.org",
            "organisation": "",
        },
    )
    assert response.status_code == 302
    # The invitation went out after the commit, through the test's connection...
    assert [message.to for message in outbox] == ["nouvelle@example.org"]
    assert _seen_by_the_app(app, OutboxMessage.status) == ["sent"]
    assert "nouvelle@example.org" in _seen_by_the_app(app, User.email)
    # ...and the database still holds the world alone.
    assert _committed(app, OutboxMessage.status) == []
    assert "nouvelle@example.org" not in _committed(app, User.email)
    assert "coord@example.org" in _committed(app, User.email)


def test_a_change_to_the_world_is_not_committed(app, world):
    with app.app_context():
        db.session.get(Cohort, world["cohort_a"]).name = "Renommée"
        db.session.commit()
    assert _seen_by_the_app(app, Cohort.name) == ["Cohorte B", "Renommée"]
    assert _committed(app, Cohort.name) == ["Cohorte A", "Cohorte B"]


def test_a_savepoint_rolled_back_by_the_app_keeps_the_rest_of_the_test(ctx):
    db.session.add(User(email="kept@example.org", full_name="Gardé"))
    db.session.commit()
    db.session.add(User(email="dropped@example.org", full_name="Abandonné"))
    db.session.flush()
    db.session.rollback()
    assert list(db.session.scalars(select(User.email))) == ["kept@example.org"]


@pytest.mark.commits
def test_a_commits_test_commits_for_real(app, create_user):
    with app.app_context():
        mail.queue(mail.Message(to="ana@example.org", subject="Bonjour", body="Corps"))
        db.session.commit()
    create_user("real@example.org")
    assert _committed(app, User.email) == ["real@example.org"]
    assert _committed(app, OutboxMessage.status) == ["sent"]


def test_a_test_without_the_world_finds_an_empty_database(app):
    # Whatever ran before (the world, a test that committed for real), none of it is left.
    assert _committed(app, User.email) == []
    assert _committed(app, Cohort.name) == []
    assert _committed(app, OutboxMessage.id) == []
