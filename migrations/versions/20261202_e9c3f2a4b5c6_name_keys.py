"""Cohorts and territories: names are unique by a key that folds case the same everywhere.

Reviewed: SQL lower() folds only ASCII on SQLite, so « Île de Ré » twice passed the check and
hit the unique index (a 500), and « ÎLE DE RÉ » was a second territory there and not on
PostgreSQL. Each table gets ``name_key`` (casefold + NFKC, spaces collapsed), computed by
the models; the unique constraints move from the name to the key. The upgrade backfills
the keys with a frozen copy of the rule; names that were distinct only on SQLite and now
share a key keep their names, and every one after the first gets its id in its key, so the
upgrade never fails: rename them, and the next save gives them their plain key. The
downgrade restores the unique names.

Revision ID: e9c3f2a4b5c6
Revises: f0d4a3b5c6d7
Create Date: 2026-12-02 00:00:00

"""
import unicodedata

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e9c3f2a4b5c6'
down_revision = 'f0d4a3b5c6d7'
branch_labels = None
depends_on = None

KEY_LENGTH = 600


def _key(name):
    """parcours.core.text.name_key as of this revision."""
    folded = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", name).casefold())
    return " ".join(folded.split())[:KEY_LENGTH]


def _backfill(table, scope):
    connection = op.get_bind()
    rows = connection.execute(
        sa.text(f"SELECT id, {scope + ', ' if scope else ''}name FROM {table} ORDER BY id")
    ).all()
    taken = set()
    for row in rows:
        key = _key(row.name)
        if (getattr(row, scope) if scope else None, key) in taken:
            suffix = f" #{row.id}"
            key = key[: KEY_LENGTH - len(suffix)] + suffix
        taken.add((getattr(row, scope) if scope else None, key))
        connection.execute(
            sa.text(f"UPDATE {table} SET name_key = :key WHERE id = :id"),
            {"key": key, "id": row.id},
        )


def upgrade():
    for table in ('cohorts', 'territories'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('name_key', sa.String(length=KEY_LENGTH), nullable=True))
    _backfill('cohorts', None)
    _backfill('territories', 'cohort_id')
    with op.batch_alter_table('cohorts', schema=None) as batch_op:
        batch_op.alter_column('name_key', existing_type=sa.String(length=KEY_LENGTH), nullable=False)
        batch_op.drop_constraint('uq_cohorts_name', type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_cohorts_name_key'), ['name_key'])
    with op.batch_alter_table('territories', schema=None) as batch_op:
        batch_op.alter_column('name_key', existing_type=sa.String(length=KEY_LENGTH), nullable=False)
        batch_op.drop_constraint('uq_territories_cohort_id_name', type_='unique')
        batch_op.create_unique_constraint(
            batch_op.f('uq_territories_cohort_id_name_key'), ['cohort_id', 'name_key']
        )


def downgrade():
    with op.batch_alter_table('territories', schema=None) as batch_op:
        batch_op.drop_constraint('uq_territories_cohort_id_name_key', type_='unique')
        batch_op.create_unique_constraint(
            batch_op.f('uq_territories_cohort_id_name'), ['cohort_id', 'name']
        )
        batch_op.drop_column('name_key')
    with op.batch_alter_table('cohorts', schema=None) as batch_op:
        batch_op.drop_constraint('uq_cohorts_name_key', type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_cohorts_name'), ['name'])
        batch_op.drop_column('name_key')
