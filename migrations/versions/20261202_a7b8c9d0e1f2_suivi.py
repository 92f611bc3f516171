"""Suivi: follow-up records, action items, field-visit reports, the carnet de bord, dynamics.

Reviewed: new tables only, nothing existing changes. Follow-up records and visit reports
belong to a territory and, through a unique event_id, to at most one meeting each; action
items to a record or a report (or neither); tags name curriculum thematics and competences
by code and curriculum version (the self-assessment's evidence); attachments point at
stored_files; dynamics snapshots are only ever inserted; suivi_drafts keeps text posted after
the idle timeout. Records, reports and entries are soft-deleted (deleted_at). The downgrade
drops every suivi table and all that was written in them.

Revision ID: a7b8c9d0e1f2
Revises: a1b2c3d4e5f6
Create Date: 2026-12-02 02:37:59.135429

"""
from alembic import op
import sqlalchemy as sa

import parcours.core.db


# revision identifiers, used by Alembic.
revision = 'a7b8c9d0e1f2'
down_revision = 'a1b2c3d4e5f6'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('suivi_drafts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('form_key', sa.String(length=100), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('saved_at', parcours.core.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_suivi_drafts_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_suivi_drafts')),
    sa.UniqueConstraint('user_id', 'form_key', name=op.f('uq_suivi_drafts_user_id_form_key'))
    )
    op.create_table('journal_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('territory_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('written_on', sa.Date(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('what_we_did', sa.Text(), nullable=False),
    sa.Column('what_we_learned', sa.Text(), nullable=False),
    sa.Column('what_we_try_next', sa.Text(), nullable=False),
    sa.Column('visibility', sa.String(length=10), nullable=False),
    sa.Column('created_at', parcours.core.db.UTCDateTime(), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', parcours.core.db.UTCDateTime(), nullable=False),
    sa.Column('version', sa.Integer(), server_default=sa.text('1'), nullable=False),
    sa.Column('deleted_at', parcours.core.db.UTCDateTime(), nullable=True),
    sa.Column('deleted_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("visibility IN ('binome', 'coach', 'cohort')", name=op.f('ck_journal_entries_visibility')),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_journal_entries_author_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['deleted_by_id'], ['users.id'], name=op.f('fk_journal_entries_deleted_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['territory_id'], ['territories.id'], name=op.f('fk_journal_entries_territory_id_territories'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_journal_entries_updated_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_journal_entries'))
    )
    with op.batch_alter_table('journal_entries', schema=None) as batch_op:
        batch_op.create_index('ix_journal_entries_territory_id_written_on', ['territory_id', 'written_on'], unique=False)

    op.create_table('territorial_dynamics',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('territory_id', sa.Integer(), nullable=False),
    sa.Column('curriculum_version_id', sa.Integer(), nullable=False),
    sa.Column('moment', sa.String(length=10), nullable=False),
    sa.Column('recorded_on', sa.Date(), nullable=False),
    sa.Column('recorded_at', parcours.core.db.UTCDateTime(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('maturity', sa.Integer(), nullable=False),
    sa.Column('forms', sa.JSON(), nullable=False),
    sa.Column('fragilities', sa.JSON(), nullable=False),
    sa.Column('partnerships', sa.JSON(), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.CheckConstraint("moment IN ('launch', 'midway', 'end')", name=op.f('ck_territorial_dynamics_moment')),
    sa.CheckConstraint('maturity >= 0', name=op.f('ck_territorial_dynamics_maturity_not_negative')),
    sa.ForeignKeyConstraint(['curriculum_version_id'], ['curriculum_versions.id'], name=op.f('fk_territorial_dynamics_curriculum_version_id_curriculum_versions')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_territorial_dynamics_recorded_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['territory_id'], ['territories.id'], name=op.f('fk_territorial_dynamics_territory_id_territories'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_territorial_dynamics'))
    )
    with op.batch_alter_table('territorial_dynamics', schema=None) as batch_op:
        batch_op.create_index('ix_territorial_dynamics_territory_id_recorded_at', ['territory_id', 'recorded_at'], unique=False)

    op.create_table('field_visit_reports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('territory_id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=True),
    sa.Column('visited_on', sa.Date(), nullable=False),
    sa.Column('places', sa.Text(), nullable=False),
    sa.Column('observed', sa.Text(), nullable=False),
    sa.Column('what_works', sa.Text(), nullable=False),
    sa.Column('difficulties', sa.Text(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', parcours.core.db.UTCDateTime(), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', parcours.core.db.UTCDateTime(), nullable=False),
    sa.Column('version', sa.Integer(), server_default=sa.text('1'), nullable=False),
    sa.Column('deleted_at', parcours.core.db.UTCDateTime(), nullable=True),
    sa.Column('deleted_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_field_visit_reports_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['deleted_by_id'], ['users.id'], name=op.f('fk_field_visit_reports_deleted_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_field_visit_reports_event_id_events'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['territory_id'], ['territories.id'], name=op.f('fk_field_visit_reports_territory_id_territories'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_field_visit_reports_updated_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_field_visit_reports')),
    sa.UniqueConstraint('event_id', name=op.f('uq_field_visit_reports_event_id'))
    )
    with op.batch_alter_table('field_visit_reports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_field_visit_reports_territory_id'), ['territory_id'], unique=False)

    op.create_table('follow_up_records',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('territory_id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=True),
    sa.Column('held_on', sa.Date(), nullable=False),
    sa.Column('mode', sa.String(length=20), nullable=False),
    sa.Column('participant_ids', sa.JSON(), nullable=False),
    sa.Column('other_participants', sa.Text(), nullable=False),
    sa.Column('agenda', sa.Text(), nullable=False),
    sa.Column('agenda_visibility', sa.String(length=10), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('notes_visibility', sa.String(length=10), nullable=False),
    sa.Column('decisions', sa.Text(), nullable=False),
    sa.Column('decisions_visibility', sa.String(length=10), nullable=False),
    sa.Column('team_notes', sa.Text(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', parcours.core.db.UTCDateTime(), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', parcours.core.db.UTCDateTime(), nullable=False),
    sa.Column('version', sa.Integer(), server_default=sa.text('1'), nullable=False),
    sa.Column('deleted_at', parcours.core.db.UTCDateTime(), nullable=True),
    sa.Column('deleted_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("agenda_visibility IN ('team', 'shared')", name=op.f('ck_follow_up_records_agenda_visibility')),
    sa.CheckConstraint("decisions_visibility IN ('team', 'shared')", name=op.f('ck_follow_up_records_decisions_visibility')),
    sa.CheckConstraint("mode IN ('onsite', 'video', 'phone')", name=op.f('ck_follow_up_records_mode')),
    sa.CheckConstraint("notes_visibility IN ('team', 'shared')", name=op.f('ck_follow_up_records_notes_visibility')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_follow_up_records_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['deleted_by_id'], ['users.id'], name=op.f('fk_follow_up_records_deleted_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_follow_up_records_event_id_events'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['territory_id'], ['territories.id'], name=op.f('fk_follow_up_records_territory_id_territories'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_follow_up_records_updated_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_follow_up_records')),
    sa.UniqueConstraint('event_id', name=op.f('uq_follow_up_records_event_id'))
    )
    with op.batch_alter_table('follow_up_records', schema=None) as batch_op:
        batch_op.create_index('ix_follow_up_records_territory_id_held_on', ['territory_id', 'held_on'], unique=False)

    op.create_table('action_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('territory_id', sa.Integer(), nullable=False),
    sa.Column('record_id', sa.Integer(), nullable=True),
    sa.Column('visit_report_id', sa.Integer(), nullable=True),
    sa.Column('title', sa.String(length=500), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=True),
    sa.Column('due_on', sa.Date(), nullable=True),
    sa.Column('done_at', parcours.core.db.UTCDateTime(), nullable=True),
    sa.Column('done_by_id', sa.Integer(), nullable=True),
    sa.Column('owner_notified_at', parcours.core.db.UTCDateTime(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', parcours.core.db.UTCDateTime(), nullable=False),
    sa.Column('version', sa.Integer(), server_default=sa.text('1'), nullable=False),
    sa.CheckConstraint('(record_id IS NULL) OR (visit_report_id IS NULL)', name=op.f('ck_action_items_one_source_at_most')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_action_items_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['done_by_id'], ['users.id'], name=op.f('fk_action_items_done_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['owner_id'], ['users.id'], name=op.f('fk_action_items_owner_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['record_id'], ['follow_up_records.id'], name=op.f('fk_action_items_record_id_follow_up_records'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['territory_id'], ['territories.id'], name=op.f('fk_action_items_territory_id_territories'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['visit_report_id'], ['field_visit_reports.id'], name=op.f('fk_action_items_visit_report_id_field_visit_reports'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_action_items'))
    )
    with op.batch_alter_table('action_items', schema=None) as batch_op:
        batch_op.create_index('ix_action_items_owner_id_done_at', ['owner_id', 'done_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_action_items_record_id'), ['record_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_action_items_territory_id'), ['territory_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_action_items_visit_report_id'), ['visit_report_id'], unique=False)

    op.create_table('field_visit_stakeholders',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('organisation', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['report_id'], ['field_visit_reports.id'], name=op.f('fk_field_visit_stakeholders_report_id_field_visit_reports'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_field_visit_stakeholders'))
    )
    with op.batch_alter_table('field_visit_stakeholders', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_field_visit_stakeholders_report_id'), ['report_id'], unique=False)

    op.create_table('suivi_attachments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('file_id', sa.Integer(), nullable=False),
    sa.Column('record_id', sa.Integer(), nullable=True),
    sa.Column('visit_report_id', sa.Integer(), nullable=True),
    sa.Column('journal_entry_id', sa.Integer(), nullable=True),
    sa.Column('added_by_id', sa.Integer(), nullable=True),
    sa.Column('added_at', parcours.core.db.UTCDateTime(), nullable=False),
    sa.Column('removed_at', parcours.core.db.UTCDateTime(), nullable=True),
    sa.Column('removed_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('(CASE WHEN record_id IS NULL THEN 0 ELSE 1 END + CASE WHEN visit_report_id IS NULL THEN 0 ELSE 1 END + CASE WHEN journal_entry_id IS NULL THEN 0 ELSE 1 END) = 1', name=op.f('ck_suivi_attachments_exactly_one_owner')),
    sa.ForeignKeyConstraint(['added_by_id'], ['users.id'], name=op.f('fk_suivi_attachments_added_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['file_id'], ['stored_files.id'], name=op.f('fk_suivi_attachments_file_id_stored_files')),
    sa.ForeignKeyConstraint(['journal_entry_id'], ['journal_entries.id'], name=op.f('fk_suivi_attachments_journal_entry_id_journal_entries'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['record_id'], ['follow_up_records.id'], name=op.f('fk_suivi_attachments_record_id_follow_up_records'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['removed_by_id'], ['users.id'], name=op.f('fk_suivi_attachments_removed_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['visit_report_id'], ['field_visit_reports.id'], name=op.f('fk_suivi_attachments_visit_report_id_field_visit_reports'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_suivi_attachments'))
    )
    with op.batch_alter_table('suivi_attachments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_suivi_attachments_journal_entry_id'), ['journal_entry_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_suivi_attachments_record_id'), ['record_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_suivi_attachments_visit_report_id'), ['visit_report_id'], unique=False)

    op.create_table('suivi_tags',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('curriculum_version_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('journal_entry_id', sa.Integer(), nullable=True),
    sa.Column('visit_report_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("kind IN ('thematic', 'competence')", name=op.f('ck_suivi_tags_kind')),
    sa.CheckConstraint('(journal_entry_id IS NULL) <> (visit_report_id IS NULL)', name=op.f('ck_suivi_tags_exactly_one_source')),
    sa.ForeignKeyConstraint(['curriculum_version_id'], ['curriculum_versions.id'], name=op.f('fk_suivi_tags_curriculum_version_id_curriculum_versions')),
    sa.ForeignKeyConstraint(['journal_entry_id'], ['journal_entries.id'], name=op.f('fk_suivi_tags_journal_entry_id_journal_entries'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['visit_report_id'], ['field_visit_reports.id'], name=op.f('fk_suivi_tags_visit_report_id_field_visit_reports'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_suivi_tags')),
    sa.UniqueConstraint('journal_entry_id', 'visit_report_id', 'kind', 'code', name=op.f('uq_suivi_tags_journal_entry_id_visit_report_id_kind_code'))
    )
    with op.batch_alter_table('suivi_tags', schema=None) as batch_op:
        batch_op.create_index('ix_suivi_tags_curriculum_version_id_kind_code', ['curriculum_version_id', 'kind', 'code'], unique=False)
        batch_op.create_index(batch_op.f('ix_suivi_tags_journal_entry_id'), ['journal_entry_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_suivi_tags_visit_report_id'), ['visit_report_id'], unique=False)



def downgrade():
    with op.batch_alter_table('suivi_tags', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_suivi_tags_visit_report_id'))
        batch_op.drop_index(batch_op.f('ix_suivi_tags_journal_entry_id'))
        batch_op.drop_index('ix_suivi_tags_curriculum_version_id_kind_code')

    op.drop_table('suivi_tags')
    with op.batch_alter_table('suivi_attachments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_suivi_attachments_visit_report_id'))
        batch_op.drop_index(batch_op.f('ix_suivi_attachments_record_id'))
        batch_op.drop_index(batch_op.f('ix_suivi_attachments_journal_entry_id'))

    op.drop_table('suivi_attachments')
    with op.batch_alter_table('field_visit_stakeholders', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_field_visit_stakeholders_report_id'))

    op.drop_table('field_visit_stakeholders')
    with op.batch_alter_table('action_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_action_items_visit_report_id'))
        batch_op.drop_index(batch_op.f('ix_action_items_territory_id'))
        batch_op.drop_index(batch_op.f('ix_action_items_record_id'))
        batch_op.drop_index('ix_action_items_owner_id_done_at')

    op.drop_table('action_items')
    with op.batch_alter_table('follow_up_records', schema=None) as batch_op:
        batch_op.drop_index('ix_follow_up_records_territory_id_held_on')

    op.drop_table('follow_up_records')
    with op.batch_alter_table('field_visit_reports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_field_visit_reports_territory_id'))

    op.drop_table('field_visit_reports')
    with op.batch_alter_table('territorial_dynamics', schema=None) as batch_op:
        batch_op.drop_index('ix_territorial_dynamics_territory_id_recorded_at')

    op.drop_table('territorial_dynamics')
    with op.batch_alter_table('journal_entries', schema=None) as batch_op:
        batch_op.drop_index('ix_journal_entries_territory_id_written_on')

    op.drop_table('journal_entries')
    op.drop_table('suivi_drafts')
