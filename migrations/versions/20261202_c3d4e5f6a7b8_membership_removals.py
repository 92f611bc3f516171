"""Cohorts: a removal from a cohort is kept, so that it can be undone.

Reviewed: « Retirer » deleted the membership for good, in one click. The membership is still
deleted (every rule reads memberships as they are), and a ``membership_removals`` row keeps
what restoring it needs. New table only: the downgrade drops it, and with it the undo of
the removals made meanwhile (the people removed stay removed).

Revision ID: c3d4e5f6a7b8
Revises: e9c3f2a4b5c6
Create Date: 2026-12-02 00:00:00

"""
from alembic import op
import sqlalchemy as sa

import parcours.core.db


# revision identifiers, used by Alembic.
revision = 'c3d4e5f6a7b8'
down_revision = 'e9c3f2a4b5c6'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'membership_removals',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('cohort_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('role', sa.String(length=20), nullable=False),
        sa.Column('territory_id', sa.Integer(), nullable=True),
        sa.Column('invited_name', sa.String(length=200), nullable=False),
        sa.Column('invited_organisation', sa.String(length=200), nullable=False),
        sa.Column('accepted_at', parcours.core.db.UTCDateTime(), nullable=True),
        sa.Column('joined_at', parcours.core.db.UTCDateTime(), nullable=False),
        sa.Column('coached_territory_ids', sa.JSON(), nullable=False),
        sa.Column('removed_at', parcours.core.db.UTCDateTime(), nullable=False),
        sa.Column('removed_by_id', sa.Integer(), nullable=True),
        sa.Column('restored_at', parcours.core.db.UTCDateTime(), nullable=True),
        sa.Column('restored_by_id', sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "role IN ('coordinator', 'coach', 'catalyseur', 'committee')",
            name=op.f('ck_membership_removals_role'),
        ),
        sa.ForeignKeyConstraint(
            ['cohort_id'], ['cohorts.id'],
            name=op.f('fk_membership_removals_cohort_id_cohorts'), ondelete='CASCADE',
        ),
        sa.ForeignKeyConstraint(
            ['removed_by_id'], ['users.id'],
            name=op.f('fk_membership_removals_removed_by_id_users'), ondelete='SET NULL',
        ),
        sa.ForeignKeyConstraint(
            ['restored_by_id'], ['users.id'],
            name=op.f('fk_membership_removals_restored_by_id_users'), ondelete='SET NULL',
        ),
        sa.ForeignKeyConstraint(
            ['territory_id'], ['territories.id'],
            name=op.f('fk_membership_removals_territory_id_territories'), ondelete='CASCADE',
        ),
        sa.ForeignKeyConstraint(
            ['user_id'], ['users.id'],
            name=op.f('fk_membership_removals_user_id_users'), ondelete='CASCADE',
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_membership_removals')),
    )
    with op.batch_alter_table('membership_removals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_membership_removals_cohort_id'), ['cohort_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_membership_removals_territory_id'), ['territory_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_membership_removals_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('membership_removals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_membership_removals_user_id'))
        batch_op.drop_index(batch_op.f('ix_membership_removals_territory_id'))
        batch_op.drop_index(batch_op.f('ix_membership_removals_cohort_id'))
    op.drop_table('membership_removals')
