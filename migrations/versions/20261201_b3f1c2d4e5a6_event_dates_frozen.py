"""Agenda: events say themselves whether attendance froze their dates.

Reviewed: the flag was a query on the attendance table, run by cohorts and the agenda, which
sit below attendance. Existing events with a mark get the flag; the downgrade drops it (the
attendance rows, which it summarises, stay).

Revision ID: b3f1c2d4e5a6
Revises: 628107dfe06d
Create Date: 2026-12-01 20:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b3f1c2d4e5a6'
down_revision = '628107dfe06d'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('dates_frozen', sa.Boolean(), nullable=False, server_default=sa.false())
        )
    op.execute(
        "UPDATE events SET dates_frozen = true WHERE EXISTS "
        "(SELECT 1 FROM attendances WHERE attendances.event_id = events.id)"
    )


def downgrade():
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_column('dates_frozen')
