"""Attendance: one row per person and half-day, and the check-in code of each half-day.

Reviewed: new tables only.

Revision ID: 37b67cd8a9ac
Revises: 9e37cfbd879e
Create Date: 2026-11-22 19:31:02.533938

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '37b67cd8a9ac'
down_revision = '9e37cfbd879e'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('attendances',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('half', sa.String(length=2), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('self_checked_in', sa.Boolean(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('recorded_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("half IN ('am', 'pm')", name=op.f('ck_attendances_half')),
    sa.CheckConstraint("status IN ('present', 'late', 'excused', 'absent')", name=op.f('ck_attendances_status')),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_attendances_event_id_events'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_attendances_recorded_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_attendances_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attendances')),
    sa.UniqueConstraint('event_id', 'user_id', 'day', 'half', name=op.f('uq_attendances_event_id_user_id_day_half'))
    )
    with op.batch_alter_table('attendances', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_attendances_event_id'), ['event_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_attendances_user_id'), ['user_id'], unique=False)

    op.create_table('check_in_codes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('half', sa.String(length=2), nullable=False),
    sa.Column('code', sa.String(length=12), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("half IN ('am', 'pm')", name=op.f('ck_check_in_codes_half')),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_check_in_codes_event_id_events'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_check_in_codes')),
    sa.UniqueConstraint('event_id', 'day', 'half', name=op.f('uq_check_in_codes_event_id_day_half'))
    )
    with op.batch_alter_table('check_in_codes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_check_in_codes_event_id'), ['event_id'], unique=False)



def downgrade():
    with op.batch_alter_table('check_in_codes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_check_in_codes_event_id'))

    op.drop_table('check_in_codes')
    with op.batch_alter_table('attendances', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_attendances_user_id'))
        batch_op.drop_index(batch_op.f('ix_attendances_event_id'))

    op.drop_table('attendances')
