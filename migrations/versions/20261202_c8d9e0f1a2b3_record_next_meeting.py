"""A follow-up record names the next meeting agreed in it (« prochain rendez-vous »).

Reviewed: one nullable column, follow_up_records.next_event_id, pointing at events (SET NULL
when the event is deleted). A coach who ends a meeting with « on se revoit le 12 » creates
that follow-up from the record, or links one already in the agenda; the record and the
territory's suivi then say when the next meeting is. Existing records get none. The
downgrade drops the column: which meeting each record named as the next one is lost (the
events themselves stay in the agenda).

Revision ID: c8d9e0f1a2b3
Revises: b5c6d7e8f9a0
Create Date: 2026-12-02 02:54:09.267073

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "c8d9e0f1a2b3"
down_revision = "b5c6d7e8f9a0"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("follow_up_records", schema=None) as batch_op:
        batch_op.add_column(sa.Column("next_event_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_follow_up_records_next_event_id_events"),
            "events",
            ["next_event_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade():
    with op.batch_alter_table("follow_up_records", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_follow_up_records_next_event_id_events"), type_="foreignkey"
        )
        batch_op.drop_column("next_event_id")
