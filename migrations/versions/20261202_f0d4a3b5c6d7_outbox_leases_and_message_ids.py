"""Outbox and jobs: a lease on each claim, and a stable Message-ID on each e-mail.

Reviewed: a message is now marked « sending » with a lease before it is handed to the SMTP
server, and each keeps the Message-ID it was given when queued, so that a repeat after a
crash can be dropped by the receiver. Existing messages get a random Message-ID at the
site's domain. Job slots get a lease so that a dead claimer's slot is taken over. The
downgrade puts messages caught « sending » back to « pending » (the old status list) and
drops the new columns.

Revision ID: f0d4a3b5c6d7
Revises: d8b2e1f3a4b5
Create Date: 2026-12-02 00:00:00

"""
import uuid
from urllib.parse import urlsplit

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'f0d4a3b5c6d7'
down_revision = 'd8b2e1f3a4b5'
branch_labels = None
depends_on = None

OLD_STATUSES = "status IN ('pending', 'sent', 'failed')"
NEW_STATUSES = "status IN ('pending', 'sending', 'sent', 'failed')"


def _domain() -> str:
    try:
        from flask import current_app

        return urlsplit(current_app.config.get("PARCOURS_BASE_URL", "")).hostname or "localhost"
    except RuntimeError:  # run outside the application
        return "localhost"


def upgrade():
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('message_id', sa.String(length=300), nullable=True))
        batch_op.add_column(sa.Column('lease_until', sa.DateTime(), nullable=True))
        batch_op.add_column(
            sa.Column('claimed_by', sa.String(length=200), nullable=False, server_default='')
        )
    connection = op.get_bind()
    messages = sa.table('outbox_messages', sa.column('id'), sa.column('message_id'))
    domain = _domain()
    ids = connection.execute(sa.select(messages.c.id)).scalars().all()
    if ids:
        connection.execute(
            messages.update()
            .where(messages.c.id == sa.bindparam('row_id'))
            .values(message_id=sa.bindparam('new_id')),
            [{'row_id': row_id, 'new_id': f'<{uuid.uuid4().hex}@{domain}>'} for row_id in ids],
        )
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.alter_column('message_id', existing_type=sa.String(length=300), nullable=False)
        batch_op.alter_column(
            'claimed_by', existing_type=sa.String(length=200), server_default=None
        )
        batch_op.create_unique_constraint(
            batch_op.f('uq_outbox_messages_message_id'), ['message_id']
        )
        batch_op.drop_constraint(batch_op.f('ck_outbox_messages_status'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_outbox_messages_status'), NEW_STATUSES)
    with op.batch_alter_table('job_runs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('lease_until', sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table('job_runs', schema=None) as batch_op:
        batch_op.drop_column('lease_until')
    op.execute("UPDATE outbox_messages SET status = 'pending' WHERE status = 'sending'")
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_outbox_messages_status'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_outbox_messages_status'), OLD_STATUSES)
        batch_op.drop_constraint(batch_op.f('uq_outbox_messages_message_id'), type_='unique')
        batch_op.drop_column('claimed_by')
        batch_op.drop_column('lease_until')
        batch_op.drop_column('message_id')
