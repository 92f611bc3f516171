"""Agenda: event venue, speakers, thematics and SEQUENCE; agenda items, documents, calendar feeds.

Reviewed: new NOT NULL columns get server defaults so that existing events migrate.

Revision ID: 9e37cfbd879e
Revises: 574dfa844aec
Create Date: 2026-11-22 19:30:40.189952

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '9e37cfbd879e'
down_revision = '574dfa844aec'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('calendar_feeds',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('token', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_calendar_feeds_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_calendar_feeds')),
    sa.UniqueConstraint('token', name=op.f('uq_calendar_feeds_token')),
    sa.UniqueConstraint('user_id', name=op.f('uq_calendar_feeds_user_id'))
    )
    op.create_table('agenda_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('starts_at', sa.DateTime(), nullable=False),
    sa.Column('ends_at', sa.DateTime(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('speaker', sa.String(length=300), nullable=False),
    sa.CheckConstraint("kind IN ('plenary', 'testimony', 'visit', 'workshop', 'restitution', 'break', 'other')", name=op.f('ck_agenda_items_kind')),
    sa.CheckConstraint('ends_at > starts_at', name=op.f('ck_agenda_items_ends_after_start')),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_agenda_items_event_id_events'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agenda_items'))
    )
    with op.batch_alter_table('agenda_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_agenda_items_event_id'), ['event_id'], unique=False)

    op.create_table('event_documents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('url', sa.String(length=1000), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_event_documents_event_id_events'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_event_documents'))
    )
    with op.batch_alter_table('event_documents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_event_documents_event_id'), ['event_id'], unique=False)

    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('venue_name', sa.String(length=200), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('venue_address', sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('access_notes', sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('online_url', sa.String(length=500), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('speakers', sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('thematics', sa.JSON(), nullable=False, server_default='[]'))
        batch_op.add_column(sa.Column('sequence', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('created_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('updated_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('cancelled_at', sa.DateTime(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_events_created_by_id_users'), 'users', ['created_by_id'], ['id'], ondelete='SET NULL')

    # Existing events were last changed when they were created.
    op.execute("UPDATE events SET updated_at = created_at")
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.alter_column('updated_at', existing_type=sa.DateTime(), nullable=False)


def downgrade():
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_events_created_by_id_users'), type_='foreignkey')
        batch_op.drop_column('cancelled_at')
        batch_op.drop_column('updated_at')
        batch_op.drop_column('created_by_id')
        batch_op.drop_column('sequence')
        batch_op.drop_column('thematics')
        batch_op.drop_column('speakers')
        batch_op.drop_column('online_url')
        batch_op.drop_column('access_notes')
        batch_op.drop_column('venue_address')
        batch_op.drop_column('venue_name')

    with op.batch_alter_table('event_documents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_event_documents_event_id'))

    op.drop_table('event_documents')
    with op.batch_alter_table('agenda_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_agenda_items_event_id'))

    op.drop_table('agenda_items')
    op.drop_table('calendar_feeds')
