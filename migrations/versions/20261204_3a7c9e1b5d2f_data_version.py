"""The database's version: one row whose token every committed write replaces.

Reviewed: one new table of one row, nothing existing changes. The row is written here with a
first token, so that the page cache works from the first request; the application writes it
again (an upsert) if it is ever missing.

The downgrade drops the table: the application of the previous revision never reads it.

Revision ID: 3a7c9e1b5d2f
Revises: 29fcec620cf0
Create Date: 2026-12-04 05:10:00

"""

import secrets

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '3a7c9e1b5d2f'
down_revision = '29fcec620cf0'
branch_labels = None
depends_on = None


def upgrade():
    table = op.create_table('data_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token', sa.String(length=32), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_data_version'))
    )
    op.bulk_insert(table, [{'id': 1, 'token': secrets.token_hex(16)}])


def downgrade():
    op.drop_table('data_version')
