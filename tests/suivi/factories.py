"""Rows of the suivi written straight into the database, for tests that need them as a start."""

from datetime import date

from parcours.accounts.models import User
from parcours.cohorts.models import Territory
from parcours.core.extensions import db
from parcours.suivi.actions import operations as actions
from parcours.suivi.models import ActionItem, FollowUpRecord, Visibility

#: Text that only the team may read: a page, list or e-mail that shows it to the binôme leaks.
TEAM_SECRET = "Confidentiel-équipe : la présidente envisage de partir"
SHARED_TEXT = "Partagé : point sur le forum des acteurs"


def add_record(territory_id: int, author_id: int, **fields) -> FollowUpRecord:
    """Add a record to a territory, with a team-only block and a shared one; flushed."""
    values = {
        "held_on": date(2026, 4, 8),
        "mode": "video",
        "agenda": "Ordre du jour : " + SHARED_TEXT,
        "notes": "Notes : " + TEAM_SECRET,
        "notes_visibility": Visibility.TEAM,
        "decisions": "Décisions partagées : relancer la mairie",
        "team_notes": "Lecture du coach : " + TEAM_SECRET,
        "participant_ids": [],
        **fields,
    }
    record = FollowUpRecord(territory_id=territory_id, created_by_id=author_id, **values)
    db.session.add(record)
    db.session.flush()
    return record


def add_items(
    record: FollowUpRecord, author_id: int, rows: list[actions.ActionRow]
) -> list[ActionItem]:
    """Give ``record`` these items through the operation, as its form would; flushed."""
    territory = db.session.get(Territory, record.territory_id)
    actions.sync_items(record, rows, territory=territory, user=db.session.get(User, author_id))
    db.session.flush()
    return list(record.action_items)


OTHER_COACH = "coach-bis@example.org"


def add_other_coach(cohort_id: int) -> int:
    """Add a second coach to the cohort, who follows none of its territories; flushed."""
    from parcours.accounts import operations as accounts
    from parcours.cohorts.models import Membership, Role
    from tests.conftest import PASSWORD

    user, _created = accounts.ensure_user(OTHER_COACH, "Coach bis")
    accounts.set_password(user, PASSWORD)
    db.session.add(Membership(cohort_id=cohort_id, user_id=user.id, role=Role.COACH))
    db.session.flush()
    return user.id


def page_queries(client, query_counter, url: str) -> int:
    """Return the SQL statements a second GET of ``url`` runs (the first warms the caches)."""
    assert client.get(url).status_code == 200
    with query_counter as counter:
        assert client.get(url).status_code == 200
    return counter.count
