"""Évaluation: surveys, committee report packs and attestations de fin de parcours.

Reviewed: eleven new tables, nothing existing changes.

- surveys, survey_questions: a curriculum survey template run for a cohort (one « à chaud »
  per collective session, the final evaluation once); the questions are copied from the
  template's version, plus those a coordinator adds before opening.
- survey_invitations: who is asked and whether they answered, with no time (so that an
  anonymous answer cannot be matched to its author); survey_responses has no respondent and
  no time in an anonymous survey; survey_answers one row per question.
- survey_mailings: the opening e-mail and the one reminder; its unique key sends each once,
  whichever scheduler process gets there first.
- pack_editorials (the coordinator's text before generating), committee_packs (each
  generated version: both PDFs, the JSON snapshot, SHA-256s), pack_downloads (who, which,
  when), territory_codes (T01… for pseudonymised packs, stable for the cohort),
  final_attestations (issued PDFs with their verification token).
- committee_packs and final_attestations are kept as written: the triggers of
  d1e2f3a4b5c6's kind refuse UPDATE and DELETE outside parcours.core.kept.rewriting(). The
  PostgreSQL function they call belongs to d1e2f3a4b5c6 and stays on downgrade.

The downgrade drops the triggers and the tables: every survey answer, pack and attestation
is lost.

Revision ID: e2f3a4b5c6d7
Revises: d1e2f3a4b5c6
Create Date: 2026-12-02 10:40:00

"""

from alembic import op
import sqlalchemy as sa

import parcours.core.db


# revision identifiers, used by Alembic.
revision = "e2f3a4b5c6d7"
down_revision = "d1e2f3a4b5c6"
branch_labels = None
depends_on = None

#: Frozen copies of what parcours.core.kept.trigger_sql wrote on the day of this migration.
KEPT = ("committee_packs", "final_attestations")
TRIGGERS = {
    "postgresql": [
        f"CREATE TRIGGER {table}_kept BEFORE UPDATE OR DELETE ON {table} FOR EACH ROW "
        "EXECUTE FUNCTION parcours_refuse_rewrite()"
        for table in KEPT
    ],
    "sqlite": [
        f"CREATE TRIGGER {table}_kept_{op_} BEFORE {op_.upper()} ON {table} "
        f"WHEN NOT parcours_rewriting() BEGIN SELECT RAISE(ABORT, '{table} rows are kept as "
        "written'); END"
        for table in KEPT
        for op_ in ("update", "delete")
    ],
}
DROP_TRIGGERS = {
    "postgresql": [f"DROP TRIGGER IF EXISTS {table}_kept ON {table}" for table in KEPT],
    "sqlite": [
        f"DROP TRIGGER IF EXISTS {table}_kept_{op_}"
        for table in KEPT
        for op_ in ("update", "delete")
    ],
}


def upgrade():
    op.create_table(
        "committee_packs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cohort_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("generated_at", parcours.core.db.UTCDateTime(), nullable=False),
        sa.Column("generated_by_id", sa.Integer(), nullable=True),
        sa.Column("app_version", sa.String(length=40), nullable=False),
        sa.Column("snapshot", sa.JSON(), nullable=False),
        sa.Column("pdf", sa.LargeBinary(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("pages", sa.Integer(), nullable=False),
        sa.Column("pseudonymised_pdf", sa.LargeBinary(), nullable=False),
        sa.Column("pseudonymised_sha256", sa.String(length=64), nullable=False),
        sa.CheckConstraint(
            "kind IN ('launch', 'midway', 'final')", name=op.f("ck_committee_packs_kind")
        ),
        sa.ForeignKeyConstraint(
            ["cohort_id"],
            ["cohorts.id"],
            name=op.f("fk_committee_packs_cohort_id_cohorts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["generated_by_id"],
            ["users.id"],
            name=op.f("fk_committee_packs_generated_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_committee_packs")),
        sa.UniqueConstraint(
            "cohort_id", "kind", "number", name=op.f("uq_committee_packs_cohort_id_kind_number")
        ),
    )
    op.create_table(
        "final_attestations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cohort_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("token", sa.String(length=64), nullable=False),
        sa.Column("issued_at", parcours.core.db.UTCDateTime(), nullable=False),
        sa.Column("issued_by_id", sa.Integer(), nullable=True),
        sa.Column("pdf", sa.LargeBinary(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["cohort_id"],
            ["cohorts.id"],
            name=op.f("fk_final_attestations_cohort_id_cohorts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["issued_by_id"],
            ["users.id"],
            name=op.f("fk_final_attestations_issued_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_final_attestations_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_final_attestations")),
        sa.UniqueConstraint(
            "cohort_id",
            "user_id",
            "number",
            name=op.f("uq_final_attestations_cohort_id_user_id_number"),
        ),
        sa.UniqueConstraint("token", name=op.f("uq_final_attestations_token")),
    )
    op.create_table(
        "pack_editorials",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cohort_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("highlights", sa.Text(), nullable=False),
        sa.Column("concerns", sa.Text(), nullable=False),
        sa.Column("recommendations", sa.Text(), nullable=False),
        sa.Column("updated_at", parcours.core.db.UTCDateTime(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.CheckConstraint(
            "kind IN ('launch', 'midway', 'final')", name=op.f("ck_pack_editorials_kind")
        ),
        sa.ForeignKeyConstraint(
            ["cohort_id"],
            ["cohorts.id"],
            name=op.f("fk_pack_editorials_cohort_id_cohorts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"],
            ["users.id"],
            name=op.f("fk_pack_editorials_updated_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pack_editorials")),
        sa.UniqueConstraint("cohort_id", "kind", name=op.f("uq_pack_editorials_cohort_id_kind")),
    )
    op.create_table(
        "pack_downloads",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pack_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("variant", sa.String(length=16), nullable=False),
        sa.Column("downloaded_at", parcours.core.db.UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "variant IN ('full', 'pseudonymised')", name=op.f("ck_pack_downloads_variant")
        ),
        sa.ForeignKeyConstraint(
            ["pack_id"],
            ["committee_packs.id"],
            name=op.f("fk_pack_downloads_pack_id_committee_packs"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_pack_downloads_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pack_downloads")),
    )
    with op.batch_alter_table("pack_downloads", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_pack_downloads_pack_id"), ["pack_id"], unique=False)

    op.create_table(
        "territory_codes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cohort_id", sa.Integer(), nullable=False),
        sa.Column("territory_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=8), nullable=False),
        sa.ForeignKeyConstraint(
            ["cohort_id"],
            ["cohorts.id"],
            name=op.f("fk_territory_codes_cohort_id_cohorts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["territory_id"],
            ["territories.id"],
            name=op.f("fk_territory_codes_territory_id_territories"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_territory_codes")),
        sa.UniqueConstraint("cohort_id", "code", name=op.f("uq_territory_codes_cohort_id_code")),
        sa.UniqueConstraint("territory_id", name=op.f("uq_territory_codes_territory_id")),
    )
    op.create_table(
        "surveys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cohort_id", sa.Integer(), nullable=False),
        sa.Column("template_code", sa.String(length=32), nullable=False),
        sa.Column("curriculum_version_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("key", sa.String(length=80), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=True),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("introduction", sa.Text(), nullable=False),
        sa.Column("anonymous", sa.Boolean(), nullable=False),
        sa.Column("opened_at", parcours.core.db.UTCDateTime(), nullable=True),
        sa.Column("opened_by_id", sa.Integer(), nullable=True),
        sa.Column("closes_at", parcours.core.db.UTCDateTime(), nullable=True),
        sa.Column("remind_at", parcours.core.db.UTCDateTime(), nullable=True),
        sa.Column("closed_at", parcours.core.db.UTCDateTime(), nullable=True),
        sa.Column("created_at", parcours.core.db.UTCDateTime(), nullable=False),
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.CheckConstraint("kind IN ('session', 'final')", name=op.f("ck_surveys_kind")),
        sa.ForeignKeyConstraint(
            ["cohort_id"],
            ["cohorts.id"],
            name=op.f("fk_surveys_cohort_id_cohorts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["curriculum_version_id"],
            ["curriculum_versions.id"],
            name=op.f("fk_surveys_curriculum_version_id_curriculum_versions"),
        ),
        sa.ForeignKeyConstraint(
            ["event_id"], ["events.id"], name=op.f("fk_surveys_event_id_events"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["opened_by_id"],
            ["users.id"],
            name=op.f("fk_surveys_opened_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_surveys")),
        sa.UniqueConstraint("cohort_id", "key", name=op.f("uq_surveys_cohort_id_key")),
    )
    op.create_table(
        "survey_invitations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("survey_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("answered", sa.Boolean(), nullable=False),
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.ForeignKeyConstraint(
            ["survey_id"],
            ["surveys.id"],
            name=op.f("fk_survey_invitations_survey_id_surveys"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_survey_invitations_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survey_invitations")),
        sa.UniqueConstraint(
            "survey_id", "user_id", name=op.f("uq_survey_invitations_survey_id_user_id")
        ),
    )
    op.create_table(
        "survey_mailings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("survey_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("sent_at", parcours.core.db.UTCDateTime(), nullable=False),
        sa.Column("recipients", sa.Integer(), nullable=False),
        sa.CheckConstraint("kind IN ('opening', 'reminder')", name=op.f("ck_survey_mailings_kind")),
        sa.ForeignKeyConstraint(
            ["survey_id"],
            ["surveys.id"],
            name=op.f("fk_survey_mailings_survey_id_surveys"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survey_mailings")),
        sa.UniqueConstraint("survey_id", "kind", name=op.f("uq_survey_mailings_survey_id_kind")),
    )
    op.create_table(
        "survey_questions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("survey_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("text", sa.String(length=500), nullable=False),
        sa.Column("help", sa.String(length=500), nullable=False),
        sa.Column("theme", sa.String(length=300), nullable=False),
        sa.Column("labels", sa.JSON(), nullable=False),
        sa.Column("choices", sa.JSON(), nullable=False),
        sa.Column("allow_decline", sa.Boolean(), nullable=False),
        sa.Column("required", sa.Boolean(), nullable=False),
        sa.Column("agenda_item_id", sa.Integer(), nullable=True),
        sa.Column("added_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "kind IN ('scale', 'single', 'multiple', 'short_text', 'long_text', 'testimony')",
            name=op.f("ck_survey_questions_kind"),
        ),
        sa.ForeignKeyConstraint(
            ["added_by_id"],
            ["users.id"],
            name=op.f("fk_survey_questions_added_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["agenda_item_id"],
            ["agenda_items.id"],
            name=op.f("fk_survey_questions_agenda_item_id_agenda_items"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["survey_id"],
            ["surveys.id"],
            name=op.f("fk_survey_questions_survey_id_surveys"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survey_questions")),
        sa.UniqueConstraint("survey_id", "code", name=op.f("uq_survey_questions_survey_id_code")),
    )
    op.create_table(
        "survey_responses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("survey_id", sa.Integer(), nullable=False),
        sa.Column("respondent_id", sa.Integer(), nullable=True),
        sa.Column("territory_id", sa.Integer(), nullable=True),
        sa.Column("submitted_at", parcours.core.db.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["respondent_id"],
            ["users.id"],
            name=op.f("fk_survey_responses_respondent_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["survey_id"],
            ["surveys.id"],
            name=op.f("fk_survey_responses_survey_id_surveys"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["territory_id"],
            ["territories.id"],
            name=op.f("fk_survey_responses_territory_id_territories"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survey_responses")),
        sa.UniqueConstraint(
            "survey_id", "respondent_id", name=op.f("uq_survey_responses_survey_id_respondent_id")
        ),
    )
    op.create_table(
        "survey_answers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("response_id", sa.Integer(), nullable=False),
        sa.Column("question_id", sa.Integer(), nullable=False),
        sa.Column("declined", sa.Boolean(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=True),
        sa.Column("choices", sa.JSON(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("consent", sa.String(length=10), nullable=True),
        sa.Column("consent_withdrawn_at", parcours.core.db.UTCDateTime(), nullable=True),
        sa.CheckConstraint(
            "consent IN ('named', 'anonymous', 'refused')", name=op.f("ck_survey_answers_consent")
        ),
        sa.ForeignKeyConstraint(
            ["question_id"],
            ["survey_questions.id"],
            name=op.f("fk_survey_answers_question_id_survey_questions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["response_id"],
            ["survey_responses.id"],
            name=op.f("fk_survey_answers_response_id_survey_responses"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survey_answers")),
        sa.UniqueConstraint(
            "response_id", "question_id", name=op.f("uq_survey_answers_response_id_question_id")
        ),
    )
    with op.batch_alter_table("survey_answers", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_survey_answers_question_id"), ["question_id"], unique=False
        )

    for statement in TRIGGERS[op.get_bind().dialect.name]:
        op.execute(statement)


def downgrade():
    for statement in DROP_TRIGGERS[op.get_bind().dialect.name]:
        op.execute(statement)
    with op.batch_alter_table("survey_answers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_survey_answers_question_id"))

    op.drop_table("survey_answers")
    op.drop_table("survey_responses")
    op.drop_table("survey_questions")
    op.drop_table("survey_mailings")
    op.drop_table("survey_invitations")
    op.drop_table("surveys")
    op.drop_table("territory_codes")
    with op.batch_alter_table("pack_downloads", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pack_downloads_pack_id"))

    op.drop_table("pack_downloads")
    op.drop_table("pack_editorials")
    op.drop_table("final_attestations")
    op.drop_table("committee_packs")
