"""Compétences: self-assessment campaigns, drafts, and submitted answers kept as written.

Reviewed: six new tables, nothing existing changes.

- assessment_campaigns: an assessment moment of a cohort once opened, one per agenda event
  (its window); closed_at when a coordinator closes it early.
- assessment_mailings: one row per campaign, kind and local day; the unique key makes each
  opening e-mail and reminder go out once, whichever scheduler process claims it.
- assessment_drafts: one answer being written per campaign and subject (a person for a
  self-assessment, a territory for a consensus or a coach's appréciation), JSON, versioned.
- assessments, assessment_ratings, assessment_evidence: submitted answers. Triggers refuse
  UPDATE and DELETE of their rows, on SQLite (asking the function the application registers
  on each connection) and on PostgreSQL (a plpgsql function reading a transaction-local
  setting), except inside parcours.core.kept.rewriting(), for erasures and purges. A later
  migration that rebuilds one of these tables in SQLite's batch mode must recreate them.

The downgrade drops the triggers, the function and the tables: every campaign and every
answer is lost.

Revision ID: d1e2f3a4b5c6
Revises: c8d9e0f1a2b3
Create Date: 2026-12-02 05:53:34.645941

"""

from alembic import op
import sqlalchemy as sa

import parcours.core.db


# revision identifiers, used by Alembic.
revision = "d1e2f3a4b5c6"
down_revision = "c8d9e0f1a2b3"
branch_labels = None
depends_on = None


#: A frozen copy of what parcours.core.kept wrote on the day of this migration.
PG_FUNCTION = """
CREATE OR REPLACE FUNCTION parcours_refuse_rewrite() RETURNS trigger AS $$
BEGIN
    IF coalesce(current_setting('parcours.rewriting', true), '') <> 'on' THEN
        RAISE EXCEPTION '% rows are kept as written', TG_TABLE_NAME
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END
$$ LANGUAGE plpgsql
"""
TRIGGERS = {
    "postgresql": [
        "CREATE TRIGGER assessments_kept BEFORE UPDATE OR DELETE ON assessments FOR EACH ROW EXECUTE FUNCTION parcours_refuse_rewrite()",
        "CREATE TRIGGER assessment_ratings_kept BEFORE UPDATE OR DELETE ON assessment_ratings FOR EACH ROW EXECUTE FUNCTION parcours_refuse_rewrite()",
        "CREATE TRIGGER assessment_evidence_kept BEFORE UPDATE OR DELETE ON assessment_evidence FOR EACH ROW EXECUTE FUNCTION parcours_refuse_rewrite()",
    ],
    "sqlite": [
        "CREATE TRIGGER assessments_kept_update BEFORE UPDATE ON assessments WHEN NOT parcours_rewriting() BEGIN SELECT RAISE(ABORT, 'assessments rows are kept as written'); END",
        "CREATE TRIGGER assessments_kept_delete BEFORE DELETE ON assessments WHEN NOT parcours_rewriting() BEGIN SELECT RAISE(ABORT, 'assessments rows are kept as written'); END",
        "CREATE TRIGGER assessment_ratings_kept_update BEFORE UPDATE ON assessment_ratings WHEN NOT parcours_rewriting() BEGIN SELECT RAISE(ABORT, 'assessment_ratings rows are kept as written'); END",
        "CREATE TRIGGER assessment_ratings_kept_delete BEFORE DELETE ON assessment_ratings WHEN NOT parcours_rewriting() BEGIN SELECT RAISE(ABORT, 'assessment_ratings rows are kept as written'); END",
        "CREATE TRIGGER assessment_evidence_kept_update BEFORE UPDATE ON assessment_evidence WHEN NOT parcours_rewriting() BEGIN SELECT RAISE(ABORT, 'assessment_evidence rows are kept as written'); END",
        "CREATE TRIGGER assessment_evidence_kept_delete BEFORE DELETE ON assessment_evidence WHEN NOT parcours_rewriting() BEGIN SELECT RAISE(ABORT, 'assessment_evidence rows are kept as written'); END",
    ],
}
DROP_TRIGGERS = {
    "postgresql": [
        "DROP TRIGGER IF EXISTS assessments_kept ON assessments",
        "DROP TRIGGER IF EXISTS assessment_ratings_kept ON assessment_ratings",
        "DROP TRIGGER IF EXISTS assessment_evidence_kept ON assessment_evidence",
    ],
    "sqlite": [
        "DROP TRIGGER IF EXISTS assessments_kept_update",
        "DROP TRIGGER IF EXISTS assessments_kept_delete",
        "DROP TRIGGER IF EXISTS assessment_ratings_kept_update",
        "DROP TRIGGER IF EXISTS assessment_ratings_kept_delete",
        "DROP TRIGGER IF EXISTS assessment_evidence_kept_update",
        "DROP TRIGGER IF EXISTS assessment_evidence_kept_delete",
    ],
}


def upgrade():
    op.create_table(
        "assessment_campaigns",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cohort_id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("moment_code", sa.String(length=32), nullable=False),
        sa.Column("opened_at", parcours.core.db.UTCDateTime(), nullable=False),
        sa.Column("opened_by_id", sa.Integer(), nullable=True),
        sa.Column("closed_at", parcours.core.db.UTCDateTime(), nullable=True),
        sa.Column("closed_by_id", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.ForeignKeyConstraint(
            ["closed_by_id"],
            ["users.id"],
            name=op.f("fk_assessment_campaigns_closed_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["cohort_id"],
            ["cohorts.id"],
            name=op.f("fk_assessment_campaigns_cohort_id_cohorts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["event_id"], ["events.id"], name=op.f("fk_assessment_campaigns_event_id_events")
        ),
        sa.ForeignKeyConstraint(
            ["opened_by_id"],
            ["users.id"],
            name=op.f("fk_assessment_campaigns_opened_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assessment_campaigns")),
        sa.UniqueConstraint(
            "cohort_id", "moment_code", name=op.f("uq_assessment_campaigns_cohort_id_moment_code")
        ),
        sa.UniqueConstraint("event_id", name=op.f("uq_assessment_campaigns_event_id")),
    )
    op.create_table(
        "assessment_mailings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("sent_at", parcours.core.db.UTCDateTime(), nullable=False),
        sa.Column("sent_by_id", sa.Integer(), nullable=True),
        sa.Column("recipients", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "kind IN ('opening', 'before_close', 'last_day', 'manual')",
            name=op.f("ck_assessment_mailings_kind"),
        ),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["assessment_campaigns.id"],
            name=op.f("fk_assessment_mailings_campaign_id_assessment_campaigns"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["sent_by_id"],
            ["users.id"],
            name=op.f("fk_assessment_mailings_sent_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assessment_mailings")),
        sa.UniqueConstraint(
            "campaign_id", "kind", "day", name=op.f("uq_assessment_mailings_campaign_id_kind_day")
        ),
    )
    op.create_table(
        "assessments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("curriculum_version_id", sa.Integer(), nullable=False),
        sa.Column("viewpoint", sa.String(length=20), nullable=False),
        sa.Column("subject", sa.String(length=24), nullable=False),
        sa.Column("territory_id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=True),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("shared_with_partner", sa.Boolean(), nullable=False),
        sa.Column("submitted_at", parcours.core.db.UTCDateTime(), nullable=False),
        sa.Column("submitted_by_id", sa.Integer(), nullable=True),
        sa.Column("confirmed_by_id", sa.Integer(), nullable=True),
        sa.Column("reopened_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "(viewpoint = 'self') = (participant_id IS NOT NULL)",
            name=op.f("ck_assessments_participant_if_self"),
        ),
        sa.CheckConstraint(
            "viewpoint IN ('self', 'consensus', 'coach')", name=op.f("ck_assessments_viewpoint")
        ),
        sa.CheckConstraint("revision >= 1", name=op.f("ck_assessments_revision_positive")),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["assessment_campaigns.id"],
            name=op.f("fk_assessments_campaign_id_assessment_campaigns"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["confirmed_by_id"],
            ["users.id"],
            name=op.f("fk_assessments_confirmed_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["curriculum_version_id"],
            ["curriculum_versions.id"],
            name=op.f("fk_assessments_curriculum_version_id_curriculum_versions"),
        ),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["users.id"],
            name=op.f("fk_assessments_participant_id_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["reopened_by_id"],
            ["users.id"],
            name=op.f("fk_assessments_reopened_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["submitted_by_id"],
            ["users.id"],
            name=op.f("fk_assessments_submitted_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["territory_id"],
            ["territories.id"],
            name=op.f("fk_assessments_territory_id_territories"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assessments")),
        sa.UniqueConstraint(
            "campaign_id",
            "subject",
            "revision",
            name=op.f("uq_assessments_campaign_id_subject_revision"),
        ),
    )
    with op.batch_alter_table("assessments", schema=None) as batch_op:
        batch_op.create_index(
            "ix_assessments_campaign_id_viewpoint", ["campaign_id", "viewpoint"], unique=False
        )
        batch_op.create_index("ix_assessments_participant_id", ["participant_id"], unique=False)
        batch_op.create_index("ix_assessments_territory_id", ["territory_id"], unique=False)

    op.create_table(
        "assessment_drafts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("viewpoint", sa.String(length=20), nullable=False),
        sa.Column("subject", sa.String(length=24), nullable=False),
        sa.Column("territory_id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=True),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("revises_id", sa.Integer(), nullable=True),
        sa.Column("reopened_by_id", sa.Integer(), nullable=True),
        sa.Column("confirmed_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", parcours.core.db.UTCDateTime(), nullable=False),
        sa.Column("updated_at", parcours.core.db.UTCDateTime(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.CheckConstraint(
            "(viewpoint = 'self') = (participant_id IS NOT NULL)",
            name=op.f("ck_assessment_drafts_participant_if_self"),
        ),
        sa.CheckConstraint(
            "viewpoint IN ('self', 'consensus', 'coach')",
            name=op.f("ck_assessment_drafts_viewpoint"),
        ),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["assessment_campaigns.id"],
            name=op.f("fk_assessment_drafts_campaign_id_assessment_campaigns"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["confirmed_by_id"],
            ["users.id"],
            name=op.f("fk_assessment_drafts_confirmed_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["users.id"],
            name=op.f("fk_assessment_drafts_participant_id_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["reopened_by_id"],
            ["users.id"],
            name=op.f("fk_assessment_drafts_reopened_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["revises_id"],
            ["assessments.id"],
            name=op.f("fk_assessment_drafts_revises_id_assessments"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["territory_id"],
            ["territories.id"],
            name=op.f("fk_assessment_drafts_territory_id_territories"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"],
            ["users.id"],
            name=op.f("fk_assessment_drafts_updated_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assessment_drafts")),
        sa.UniqueConstraint(
            "campaign_id", "subject", name=op.f("uq_assessment_drafts_campaign_id_subject")
        ),
    )
    op.create_table(
        "assessment_ratings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("level", sa.Integer(), nullable=True),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.CheckConstraint(
            "level IS NULL OR (level >= 0 AND level <= 10)",
            name=op.f("ck_assessment_ratings_level_in_scale"),
        ),
        sa.ForeignKeyConstraint(
            ["assessment_id"],
            ["assessments.id"],
            name=op.f("fk_assessment_ratings_assessment_id_assessments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assessment_ratings")),
        sa.UniqueConstraint(
            "assessment_id", "code", name=op.f("uq_assessment_ratings_assessment_id_code")
        ),
    )
    op.create_table(
        "assessment_evidence",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("rating_id", sa.Integer(), nullable=False),
        sa.Column("journal_entry_id", sa.Integer(), nullable=True),
        sa.Column("visit_report_id", sa.Integer(), nullable=True),
        sa.Column("url", sa.String(length=1000), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.CheckConstraint(
            "(CASE WHEN journal_entry_id IS NULL THEN 0 ELSE 1 END + CASE WHEN visit_report_id IS NULL THEN 0 ELSE 1 END + CASE WHEN url = '' THEN 0 ELSE 1 END) = 1",
            name=op.f("ck_assessment_evidence_exactly_one_source"),
        ),
        sa.ForeignKeyConstraint(
            ["journal_entry_id"],
            ["journal_entries.id"],
            name=op.f("fk_assessment_evidence_journal_entry_id_journal_entries"),
        ),
        sa.ForeignKeyConstraint(
            ["rating_id"],
            ["assessment_ratings.id"],
            name=op.f("fk_assessment_evidence_rating_id_assessment_ratings"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["visit_report_id"],
            ["field_visit_reports.id"],
            name=op.f("fk_assessment_evidence_visit_report_id_field_visit_reports"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assessment_evidence")),
    )
    with op.batch_alter_table("assessment_evidence", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_assessment_evidence_rating_id"), ["rating_id"], unique=False
        )

    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute(PG_FUNCTION)
    for statement in TRIGGERS[dialect]:
        op.execute(statement)


def downgrade():
    dialect = op.get_bind().dialect.name
    for statement in DROP_TRIGGERS[dialect]:
        op.execute(statement)
    if dialect == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS parcours_refuse_rewrite()")
    with op.batch_alter_table("assessment_evidence", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_assessment_evidence_rating_id"))

    op.drop_table("assessment_evidence")
    op.drop_table("assessment_ratings")
    op.drop_table("assessment_drafts")
    with op.batch_alter_table("assessments", schema=None) as batch_op:
        batch_op.drop_index("ix_assessments_territory_id")
        batch_op.drop_index("ix_assessments_participant_id")
        batch_op.drop_index("ix_assessments_campaign_id_viewpoint")

    op.drop_table("assessments")
    op.drop_table("assessment_mailings")
    op.drop_table("assessment_campaigns")
