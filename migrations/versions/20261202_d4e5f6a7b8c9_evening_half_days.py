"""Half-days gain « soir » (ev): an 18:30-21:00 workshop is an evening, not an afternoon.

The CHECK constraints on ``half`` of attendances and check-in codes accept ``ev``. Marks
taken before, on an event that now has an evening on that day, follow it (with a frozen copy
of the rule of parcours.attendance.halfdays as of this revision): an afternoon that becomes
an evening is renamed; one that is now split in an afternoon and an evening gives the evening
the same mark, as the afternoon then covered it. The downgrade folds evenings back into the
afternoon (where an afternoon mark exists, it is kept).

Revision ID: d4e5f6a7b8c9
Revises: e5f6a7b8c9d0
Create Date: 2026-12-02 00:00:00

"""

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "d4e5f6a7b8c9"
down_revision = "e5f6a7b8c9d0"
branch_labels = None
depends_on = None

TABLES = ("attendances", "check_in_codes")


def _set_halves(halves):
    listed = ", ".join(f"'{half}'" for half in halves)
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(op.f(f"ck_{table}_half"), type_="check")
            batch_op.create_check_constraint(op.f(f"ck_{table}_half"), f"half IN ({listed})")


def _halves(starts_at, ends_at, zone, day):
    """The halves an event covers on ``day``, as parcours.attendance.halfdays of this revision."""
    tz = ZoneInfo(zone)
    start = starts_at.replace(tzinfo=UTC).astimezone(tz)
    end = ends_at.replace(tzinfo=UTC).astimezone(tz)
    if end.time() > start.time():
        opens, closes = (
            datetime.combine(day, start.time(), tz),
            datetime.combine(day, end.time(), tz),
        )
    else:
        opens = max(start, datetime.combine(day, time(0), tz))
        closes = min(end, datetime.combine(day + timedelta(days=1), time(0), tz))
    midday, evening = datetime.combine(day, time(13), tz), datetime.combine(day, time(18), tz)
    parts = [
        (half, a, b)
        for half, a, b in (
            ("am", opens, min(closes, midday)),
            ("pm", max(opens, midday), min(closes, evening)),
            ("ev", max(opens, evening), closes),
        )
        if b > a
    ]
    if [half for half, _a, _b in parts][-2:] == ["pm", "ev"]:
        (_p, pa, pb), (_e, ea, eb) = parts[-2:]
        if min(pb - pa, eb - ea) < timedelta(hours=1):
            parts[-2:] = [("pm" if pb - pa >= eb - ea else "ev", pa, eb)]
    return {half for half, _a, _b in parts}


def upgrade():
    _set_halves(("am", "pm", "ev"))
    connection = op.get_bind()
    rows = connection.execute(
        sa.text(
            "SELECT a.id, a.day, e.starts_at, e.ends_at, c.timezone FROM attendances a "
            "JOIN events e ON e.id = a.event_id JOIN cohorts c ON c.id = e.cohort_id "
            "WHERE a.half = 'pm' ORDER BY a.id"
        )
    ).all()
    for row in rows:
        day = row.day if not isinstance(row.day, str) else datetime.fromisoformat(row.day).date()
        starts_at, ends_at = (
            value if not isinstance(value, str) else datetime.fromisoformat(value)
            for value in (row.starts_at, row.ends_at)
        )
        halves = _halves(starts_at, ends_at, row.timezone, day)
        if "ev" not in halves:
            continue
        if "pm" not in halves:
            connection.execute(
                sa.text("UPDATE attendances SET half = 'ev' WHERE id = :id"), {"id": row.id}
            )
            continue
        connection.execute(
            sa.text(
                "INSERT INTO attendances (event_id, user_id, day, half, status, comment, "
                "self_checked_in, recorded_by_id, recorded_at, version) "
                "SELECT event_id, user_id, day, 'ev', status, comment, self_checked_in, "
                "recorded_by_id, recorded_at, 1 FROM attendances WHERE id = :id"
            ),
            {"id": row.id},
        )


def downgrade():
    connection = op.get_bind()
    for table in TABLES:
        connection.execute(
            sa.text(
                f"DELETE FROM {table} WHERE half = 'ev' AND EXISTS (SELECT 1 FROM {table} p "
                f"WHERE p.half = 'pm' AND p.event_id = {table}.event_id AND p.day = {table}.day"
                + (" AND p.user_id = attendances.user_id" if table == "attendances" else "")
                + ")"
            )
        )
        connection.execute(sa.text(f"UPDATE {table} SET half = 'pm' WHERE half = 'ev'"))
    _set_halves(("am", "pm"))
