"""Storage: uploaded files (attachments, scanned signature sheets) kept in the database.

Reviewed: new table only. The bytes sit in the database so that every web worker and host
sees them and a database backup holds them; the SHA-256 proves a file did not change. The
downgrade drops the table and every stored file with it.

Revision ID: a1b2c3d4e5f6
Revises: d4e5f6a7b8c9
Create Date: 2026-12-02 02:32:58.789796

"""
from alembic import op
import sqlalchemy as sa

import parcours.core.db


# revision identifiers, used by Alembic.
revision = 'a1b2c3d4e5f6'
down_revision = 'd4e5f6a7b8c9'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('stored_files',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.Column('thumbnail_id', sa.Integer(), nullable=True),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.Column('uploaded_at', parcours.core.db.UTCDateTime(), nullable=False),
    sa.CheckConstraint('length(sha256) = 64', name=op.f('ck_stored_files_sha256_hex')),
    sa.CheckConstraint('size >= 0', name=op.f('ck_stored_files_size_not_negative')),
    sa.ForeignKeyConstraint(['thumbnail_id'], ['stored_files.id'], name=op.f('fk_stored_files_thumbnail_id_stored_files'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'], name=op.f('fk_stored_files_uploaded_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stored_files'))
    )
    with op.batch_alter_table('stored_files', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_stored_files_sha256'), ['sha256'], unique=False)



def downgrade():
    with op.batch_alter_table('stored_files', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_stored_files_sha256'))

    op.drop_table('stored_files')
