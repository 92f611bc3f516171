"""What the benchmark scripts share: the database they fill, SQL counting, the printed tables.

Not a benchmark itself (and not collected by pytest): the scripts beside it import it.
"""

import os
import sys
from pathlib import Path

from sqlalchemy import event, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from parcours.config import database_url  # noqa: E402
from parcours.core.extensions import db  # noqa: E402


def engine_url(value: str | None, folder: str) -> str:
    """Return the URL of the database to fill: ``value``, or a SQLite file in ``folder``.

    Every table of that database is dropped, so a PostgreSQL database must have "bench" in its
    name: never a real database, nor the test suite's.
    """
    if not value:
        return f"sqlite:///{folder}/bench.sqlite3"
    os.environ["DATABASE_URL"] = value  # the app's own normalisation (postgresql+psycopg://)
    try:
        url = database_url("")
    finally:
        del os.environ["DATABASE_URL"]
    name = make_url(url).database or ""
    if "bench" not in Path(name).name:
        sys.exit(f"refusing to empty database {name!r}: its name must contain 'bench'")
    return url


def fresh_schema(app) -> None:
    """Drop every table of the app's database and build the schema again by the migrations."""
    from flask_migrate import upgrade

    with app.app_context():
        db.drop_all()
        db.session.execute(text("DROP TABLE IF EXISTS alembic_version"))
        db.session.commit()
        upgrade()


class StatementLog:
    """Record the SQL statements run inside ``with log:`` (as tests' query_counter counts)."""

    def __init__(self, engine):
        self.engine = engine
        self.statements: list[str] = []

    def _on(self, _conn, _cursor, statement, *_args):
        self.statements.append(statement)

    def __enter__(self):
        self.statements = []
        event.listen(self.engine, "before_cursor_execute", self._on)
        return self

    def __exit__(self, *exc):
        event.remove(self.engine, "before_cursor_execute", self._on)


def print_table(headers: list[str], rows: list[list], right: set[int] = frozenset()) -> None:
    """Print ``rows`` under ``headers`` in aligned columns, those in ``right`` right-aligned."""
    cells = [[str(cell) for cell in row] for row in [headers, *rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]

    def line(row):
        return "  ".join(
            cell.rjust(width) if i in right else cell.ljust(width)
            for i, (cell, width) in enumerate(zip(row, widths, strict=True))
        ).rstrip()

    print(line(cells[0]))
    print("  ".join("-" * width for width in widths))
    for row in cells[1:]:
        print(line(row))
