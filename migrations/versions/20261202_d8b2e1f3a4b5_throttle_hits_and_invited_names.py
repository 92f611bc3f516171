"""Attempt limits in one table; memberships remember what the coordinator typed.

Reviewed: ``throttle_hits`` replaces ``failed_logins`` (which counted failed logins per
address only); recent failures are not carried over, so the worst case after the upgrade is
one fresh window of attempts. A membership keeps the name and organisation typed when the
person was invited, shown until they accept (log in): an existing account's own name is
theirs to reveal. Existing memberships take their person's current name; those whose person
has a password count as accepted. The downgrade drops the new columns and table and recreates
an empty ``failed_logins``.

Revision ID: d8b2e1f3a4b5
Revises: c7a1d0e2f3a4
Create Date: 2026-12-02 00:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd8b2e1f3a4b5'
down_revision = 'c7a1d0e2f3a4'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('throttle_hits',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('scope', sa.String(length=30), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_throttle_hits'))
    )
    with op.batch_alter_table('throttle_hits', schema=None) as batch_op:
        batch_op.create_index('ix_throttle_hits_scope_key_at', ['scope', 'key', 'at'], unique=False)

    with op.batch_alter_table('failed_logins', schema=None) as batch_op:
        batch_op.drop_index('ix_failed_logins_email_attempted_at')
    op.drop_table('failed_logins')

    with op.batch_alter_table('memberships', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('invited_name', sa.String(length=200), nullable=False, server_default='')
        )
        batch_op.add_column(
            sa.Column(
                'invited_organisation', sa.String(length=200), nullable=False, server_default=''
            )
        )
        batch_op.add_column(sa.Column('accepted_at', sa.DateTime(), nullable=True))
    op.execute(
        "UPDATE memberships SET "
        "invited_name = (SELECT full_name FROM users WHERE users.id = memberships.user_id), "
        "invited_organisation = "
        "(SELECT organisation FROM users WHERE users.id = memberships.user_id)"
    )
    op.execute(
        "UPDATE memberships SET accepted_at = created_at WHERE EXISTS (SELECT 1 FROM users "
        "WHERE users.id = memberships.user_id AND users.password_hash IS NOT NULL)"
    )
    with op.batch_alter_table('memberships', schema=None) as batch_op:
        batch_op.alter_column('invited_name', server_default=None)
        batch_op.alter_column('invited_organisation', server_default=None)


def downgrade():
    with op.batch_alter_table('memberships', schema=None) as batch_op:
        batch_op.drop_column('accepted_at')
        batch_op.drop_column('invited_organisation')
        batch_op.drop_column('invited_name')

    op.create_table('failed_logins',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('attempted_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_failed_logins'))
    )
    with op.batch_alter_table('failed_logins', schema=None) as batch_op:
        batch_op.create_index('ix_failed_logins_email_attempted_at', ['email', 'attempted_at'], unique=False)

    with op.batch_alter_table('throttle_hits', schema=None) as batch_op:
        batch_op.drop_index('ix_throttle_hits_scope_key_at')
    op.drop_table('throttle_hits')
