"""The demo shows the suivi to each role: records of both kinds, items late, open and done."""

import pytest
from sqlalchemy import select

from parcours.accounts.models import DEMO_EMAIL_DOMAIN
from parcours.cohorts.models import Role, Territory
from parcours.core.extensions import db
from parcours.suivi.models import ActionItem, FollowUpRecord
from tests.conftest import login, page_text

PASSWORD = "demo-password-for-tests"


@pytest.fixture
def demo(app):
    result = app.test_cli_runner().invoke(args=["demo", "--password", PASSWORD])
    assert result.exit_code == 0, result.output


def test_the_demo_has_records_with_both_visibilities_and_items_in_every_state(app, demo):
    from parcours.suivi.actions.queries import local_today

    with app.app_context():
        records = db.session.scalars(select(FollowUpRecord)).all()
        assert len({r.territory_id for r in records}) >= 3
        visibilities = {r.notes_visibility for r in records} | {
            r.decisions_visibility for r in records
        }
        assert visibilities == {"team", "shared"}
        assert all(r.team_notes for r in records)
        assert any(r.mode == "phone" and r.event_id is None for r in records)
        assert sum(r.is_deleted for r in records) == 1
        assert any(r.next_event_id for r in records)
        items = db.session.scalars(select(ActionItem)).all()
        today = local_today(items[0].territory.cohort)
        coaches = {t.coach_id for t in db.session.scalars(select(Territory))}
        assert any(i.owner_id in coaches for i in items)
        assert any(i.owner_id not in coaches for i in items)
        assert any(i.is_done for i in items)
        assert any(i.is_overdue(today) for i in items)
        assert any(not i.is_done and not i.is_overdue(today) for i in items)


def test_a_demo_catalyseur_reads_the_shared_part_and_ticks_their_items(app, demo):
    from parcours.cohorts.models import Membership

    with app.app_context():
        record = db.session.scalar(
            select(FollowUpRecord)
            .where(FollowUpRecord.notes_visibility == "team", FollowUpRecord.deleted_at.is_(None))
            .order_by(FollowUpRecord.id)
        )
        member = db.session.scalar(
            select(Membership).where(
                Membership.territory_id == record.territory_id, Membership.role == Role.CATALYSEUR
            )
        )
        email, cohort_id, team_notes = member.user.email, member.cohort_id, record.team_notes
        notes = record.notes
    client = app.test_client()
    login(client, email, PASSWORD)
    html = client.get(f"/suivi/records/{record.id}").get_data(as_text=True)
    assert notes not in html and team_notes not in html
    my_path = page_text(client.get(f"/cohorts/{cohort_id}/my-path"))
    assert "Mes actions" in my_path and "C'est fait" in my_path
    assert email.endswith(DEMO_EMAIL_DOMAIN)
