"""Every editable row carries a version, so that a stale form is a conflict, not an overwrite.

Reviewed: SQLAlchemy's version_id_col adds ``WHERE version = :seen`` to each UPDATE and
DELETE and raises the version by one. Existing rows start at 1, as new ones do. The downgrade
drops the columns (nothing else reads them).

Revision ID: c7a1d0e2f3a4
Revises: b3f1c2d4e5a6
Create Date: 2026-12-02 00:00:00

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "c7a1d0e2f3a4"
down_revision = "b3f1c2d4e5a6"
branch_labels = None
depends_on = None

TABLES = ("cohorts", "territories", "memberships", "events", "attendances")


def upgrade():
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(
                sa.Column("version", sa.Integer(), nullable=False, server_default=sa.text("1"))
            )


def downgrade():
    for table in reversed(TABLES):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("version")
