"""Erasure on request (RGPD): when an account was erased, and which frozen packs it touched.

Reviewed: two nullable columns and one new table, nothing existing changes.

- users.erased_at: set once by the erasure, which anonymises the account; an erased account
  is never reactivated nor logged into.
- users.counted_until: until when an erased account still counts in the cohort's figures
  (its erasure, if it was active then), so that an erasure changes no figure.
- pack_erasures: a frozen committee pack is kept as written; one row per pack of the person's
  cohorts says that a person it may name was erased afterwards, and when.

The downgrade drops both: the anonymised accounts stay anonymised (nothing comes back), but
nothing then marks them as erased, and the packs' notes are lost.

Revision ID: 29fcec620cf0
Revises: b8f2d3e4f5a6
Create Date: 2026-12-03 07:41:26

"""

from alembic import op
import sqlalchemy as sa

import parcours.core.db


# revision identifiers, used by Alembic.
revision = '29fcec620cf0'
down_revision = 'b8f2d3e4f5a6'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('pack_erasures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('pack_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('erased_at', parcours.core.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['pack_id'], ['committee_packs.id'], name=op.f('fk_pack_erasures_pack_id_committee_packs'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_pack_erasures_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pack_erasures')),
    sa.UniqueConstraint('pack_id', 'user_id', name=op.f('uq_pack_erasures_pack_id_user_id'))
    )
    with op.batch_alter_table('pack_erasures', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pack_erasures_pack_id'), ['pack_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_pack_erasures_user_id'), ['user_id'], unique=False)

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('erased_at', parcours.core.db.UTCDateTime(), nullable=True))
        batch_op.add_column(
            sa.Column('counted_until', parcours.core.db.UTCDateTime(), nullable=True)
        )



def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('counted_until')
        batch_op.drop_column('erased_at')

    with op.batch_alter_table('pack_erasures', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pack_erasures_user_id'))
        batch_op.drop_index(batch_op.f('ix_pack_erasures_pack_id'))

    op.drop_table('pack_erasures')
