"""Audit log: one append-only table of sensitive actions.

Reviewed: one new table, nothing existing changes.

- audit_entries: when, which action, who acted, whom it concerns, which cohort and object
  (plain ids, no foreign keys: an entry outlives what it names), the client address and a few
  non-personal details as JSON.
- Kept as written: the triggers of d1e2f3a4b5c6's kind refuse UPDATE and DELETE outside
  parcours.core.kept.rewriting() (the retention purge). The PostgreSQL function they call
  belongs to d1e2f3a4b5c6 and stays on downgrade.

The downgrade drops the triggers and the table: the whole audit trail is lost.

Revision ID: f1a2b3c4d5e6
Revises: e2f3a4b5c6d7
Create Date: 2026-12-02 18:24:39

"""

from alembic import op
import sqlalchemy as sa

import parcours.core.db


# revision identifiers, used by Alembic.
revision = "f1a2b3c4d5e6"
down_revision = "e2f3a4b5c6d7"
branch_labels = None
depends_on = None

#: The actions known on the day of this migration; a later one alters the constraint.
ACTIONS = (
    "login.succeeded",
    "login.failed",
    "login.locked",
    "logout",
    "password.changed",
    "password.reset",
    "email.changed",
    "role.changed",
    "membership.added",
    "membership.removed",
    "territory.status_changed",
    "data.imported",
    "data.exported",
    "report.downloaded",
    "pack.generated",
    "record.deleted",
    "record.restored",
    "person.data_downloaded",
    "person.erased",
    "consent.withdrawn",
    "configuration.changed",
    "retention.purged",
)

#: Frozen copies of what parcours.core.kept.trigger_sql wrote on the day of this migration.
TRIGGERS = {
    "postgresql": [
        "CREATE TRIGGER audit_entries_kept BEFORE UPDATE OR DELETE ON audit_entries "
        "FOR EACH ROW EXECUTE FUNCTION parcours_refuse_rewrite()"
    ],
    "sqlite": [
        f"CREATE TRIGGER audit_entries_kept_{op_} BEFORE {op_.upper()} ON audit_entries "
        "WHEN NOT parcours_rewriting() BEGIN SELECT RAISE(ABORT, 'audit_entries rows are kept "
        "as written'); END"
        for op_ in ("update", "delete")
    ],
}
DROP_TRIGGERS = {
    "postgresql": ["DROP TRIGGER IF EXISTS audit_entries_kept ON audit_entries"],
    "sqlite": [f"DROP TRIGGER IF EXISTS audit_entries_kept_{op_}" for op_ in ("update", "delete")],
}


def upgrade():
    actions = ", ".join(f"'{action}'" for action in ACTIONS)
    op.create_table(
        "audit_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", parcours.core.db.UTCDateTime(), nullable=False),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("subject_id", sa.Integer(), nullable=True),
        sa.Column("cohort_id", sa.Integer(), nullable=True),
        sa.Column("object_type", sa.String(length=40), nullable=False),
        sa.Column("object_id", sa.Integer(), nullable=True),
        sa.Column("address", sa.String(length=45), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.CheckConstraint(f"action IN ({actions})", name=op.f("ck_audit_entries_action")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_entries")),
    )
    with op.batch_alter_table("audit_entries", schema=None) as batch_op:
        batch_op.create_index("ix_audit_entries_actor_at", ["actor_id", "at"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_entries_at"), ["at"], unique=False)
        batch_op.create_index("ix_audit_entries_cohort_at", ["cohort_id", "at"], unique=False)
        batch_op.create_index("ix_audit_entries_subject_at", ["subject_id", "at"], unique=False)

    for statement in TRIGGERS[op.get_bind().dialect.name]:
        op.execute(statement)


def downgrade():
    for statement in DROP_TRIGGERS[op.get_bind().dialect.name]:
        op.execute(statement)
    with op.batch_alter_table("audit_entries", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_entries_subject_at")
        batch_op.drop_index("ix_audit_entries_cohort_at")
        batch_op.drop_index(batch_op.f("ix_audit_entries_at"))
        batch_op.drop_index("ix_audit_entries_actor_at")

    op.drop_table("audit_entries")
