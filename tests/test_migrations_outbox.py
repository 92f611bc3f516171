"""The migration to leased deliveries keeps every message sendable, both ways."""

import re

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import text

from parcours.core.extensions import db

# Alembic works on a connection of its own.
pytestmark = pytest.mark.commits

BEFORE = "b3f1c2d4e5a6"  # the outbox without leases nor Message-IDs


def _insert(connection, status: str, recipient: str) -> None:
    connection.execute(
        text(
            "INSERT INTO outbox_messages (recipient, subject, body, status, attempts, "
            "next_attempt_at, last_error, created_at) VALUES (:recipient, 'S', 'B', :status, 0, "
            "'2026-05-04 08:00:00', '', '2026-05-04 08:00:00')"
        ),
        {"recipient": recipient, "status": status},
    )


def test_existing_messages_get_a_message_id_and_sending_ones_go_back_to_pending(app):
    with app.app_context():
        db.session.remove()
        downgrade(revision=BEFORE)
        # A connection of its own: the old schema has no database version to stamp.
        with db.engine.begin() as connection:
            _insert(connection, "pending", "a@example.org")
            _insert(connection, "sent", "b@example.org")
        upgrade()
        rows = db.session.execute(
            text("SELECT message_id, claimed_by, lease_until FROM outbox_messages ORDER BY id")
        ).all()
        assert len({message_id for message_id, _by, _until in rows}) == 2
        for message_id, claimed_by, lease_until in rows:
            assert re.fullmatch(r"<[0-9a-f]{32}@parcours\.test>", message_id)
            assert (claimed_by, lease_until) == ("", None)
        db.session.execute(text("UPDATE outbox_messages SET status = 'sending'"))
        db.session.commit()
        db.session.remove()
        downgrade(revision=BEFORE)
        statuses = db.session.execute(text("SELECT status FROM outbox_messages")).scalars().all()
        db.session.commit()
        db.session.remove()
        upgrade()
    assert statuses == ["pending", "pending"]
