"""Attendance: scans of the signed feuilles d'émargement, attached to their event.

Reviewed: new table only. Each row links an event to a stored file (stored_files, the scan's
bytes and SHA-256), with who attached it and when; a removal only sets removed_at and
removed_by_id, so that funders auditing attendance still see every scan and who withdrew it.
An event may have several (one per half-day or page). The downgrade drops the table: which
scan belonged to which event, and who attached or removed it, are lost; the scans' bytes
stay in stored_files.

Revision ID: b5c6d7e8f9a0
Revises: a7b8c9d0e1f2
Create Date: 2026-12-02 02:47:06.972056

"""
from alembic import op
import sqlalchemy as sa

import parcours.core.db


# revision identifiers, used by Alembic.
revision = 'b5c6d7e8f9a0'
down_revision = 'a7b8c9d0e1f2'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('signed_sheets',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('file_id', sa.Integer(), nullable=False),
    sa.Column('attached_by_id', sa.Integer(), nullable=True),
    sa.Column('attached_at', parcours.core.db.UTCDateTime(), nullable=False),
    sa.Column('removed_at', parcours.core.db.UTCDateTime(), nullable=True),
    sa.Column('removed_by_id', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), server_default=sa.text('1'), nullable=False),
    sa.CheckConstraint('removed_by_id IS NULL OR removed_at IS NOT NULL', name=op.f('ck_signed_sheets_removal_has_a_time')),
    sa.ForeignKeyConstraint(['attached_by_id'], ['users.id'], name=op.f('fk_signed_sheets_attached_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_signed_sheets_event_id_events'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['file_id'], ['stored_files.id'], name=op.f('fk_signed_sheets_file_id_stored_files')),
    sa.ForeignKeyConstraint(['removed_by_id'], ['users.id'], name=op.f('fk_signed_sheets_removed_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_signed_sheets')),
    sa.UniqueConstraint('file_id', name=op.f('uq_signed_sheets_file_id'))
    )
    with op.batch_alter_table('signed_sheets', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_signed_sheets_event_id'), ['event_id'], unique=False)



def downgrade():
    with op.batch_alter_table('signed_sheets', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_signed_sheets_event_id'))

    op.drop_table('signed_sheets')
