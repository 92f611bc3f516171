"""Carnet de bord: when a « belle histoire » was shared, and when its author withdrew consent.

Reviewed: an entry shared with the whole cohort is published with its binôme's consent, and
the author may withdraw it from « Mes données ». Two nullable columns on journal_entries:
``shared_at`` (when it was last made a belle histoire) and ``consent_withdrawn_at``. The
upgrade dates the consent of the entries shared today with their last save (``updated_at``),
the latest moment at which the binôme chose that visibility. The downgrade drops both
columns: when each story was shared and which consents were withdrawn are lost (withdrawn
stories stay unshared, since their visibility was changed).

Revision ID: b8f2d3e4f5a6
Revises: f1a2b3c4d5e6
Create Date: 2026-12-02 18:32:58

"""
from alembic import op
import sqlalchemy as sa

import parcours.core.db


# revision identifiers, used by Alembic.
revision = 'b8f2d3e4f5a6'
down_revision = 'f1a2b3c4d5e6'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('journal_entries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('shared_at', parcours.core.db.UTCDateTime(), nullable=True))
        batch_op.add_column(
            sa.Column('consent_withdrawn_at', parcours.core.db.UTCDateTime(), nullable=True)
        )
    op.execute(
        "UPDATE journal_entries SET shared_at = updated_at WHERE visibility = 'cohort'"
    )


def downgrade():
    with op.batch_alter_table('journal_entries', schema=None) as batch_op:
        batch_op.drop_column('consent_withdrawn_at')
        batch_op.drop_column('shared_at')
