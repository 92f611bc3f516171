"""Who may create a cohort is a flag on the account; invitations remember when they left.

Also a search key for people's names, for the administration's search.

Reviewed: ``users.can_create_cohorts`` is the right an administrator gives to start a
cohort (administrators always have it). Until now every coordinator of any cohort had it, so
the upgrade gives the flag to every account that coordinates a cohort: nobody loses the
right on upgrade; only people who become coordinators afterwards need an administrator.
``users.invitation_sent_at`` is when the last invitation e-mail was queued, which tells
whether its link (valid ``PARCOURS_TOKEN_MAX_AGE_HOURS``) has expired. Accounts without a
password take the time of their latest membership (when they were invited), or their
creation, so that old invitations read as expired rather than unknown.
``users.search_key`` is the name without case or accents (``core.text.sort_key``), filled
for every account. The downgrade drops the three columns.

Revision ID: e5f6a7b8c9d0
Revises: c3d4e5f6a7b8
Create Date: 2026-12-02 00:00:00

"""

import unicodedata

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "e5f6a7b8c9d0"
down_revision = "c3d4e5f6a7b8"
branch_labels = None
depends_on = None

KEY_LENGTH = 600


def _search_key(name):
    """parcours.accounts.models.search_key as of this revision."""
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    folded = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(folded.split())[:KEY_LENGTH]


def upgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("can_create_cohorts", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(sa.Column("invitation_sent_at", sa.DateTime(), nullable=True))
        batch_op.add_column(
            sa.Column("search_key", sa.String(length=KEY_LENGTH), nullable=False, server_default="")
        )
    connection = op.get_bind()
    for row in connection.execute(sa.text("SELECT id, full_name FROM users")).all():
        connection.execute(
            sa.text("UPDATE users SET search_key = :key WHERE id = :id"),
            {"key": _search_key(row.full_name), "id": row.id},
        )
    op.execute(
        sa.text(
            "UPDATE users SET can_create_cohorts = :yes WHERE EXISTS (SELECT 1 FROM memberships "
            "WHERE memberships.user_id = users.id AND memberships.role = 'coordinator')"
        ).bindparams(yes=True)
    )
    op.execute(
        "UPDATE users SET invitation_sent_at = COALESCE((SELECT MAX(memberships.created_at) "
        "FROM memberships WHERE memberships.user_id = users.id), users.created_at) "
        "WHERE password_hash IS NULL"
    )
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.alter_column("can_create_cohorts", server_default=None)
        batch_op.alter_column("search_key", server_default=None)


def downgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("search_key")
        batch_op.drop_column("invitation_sent_at")
        batch_op.drop_column("can_create_cohorts")
