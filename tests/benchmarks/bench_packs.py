"""Time the Comité d'orientation packs of the demo's promotions: gathering, rendering, sheets.

Run by hand from the repository root (pytest does not collect it):

    .venv/bin/python tests/benchmarks/bench_packs.py [--runs 10] [--out DIR]
        [--database-url postgresql://postgres@127.0.0.1:5432/bench_packs]

It fills a temporary SQLite database (or the PostgreSQL database given, whose name must hold
"bench": it is emptied) with the demo through ``flask demo`` itself: 12 accepted territories,
their attendance, suivi, dynamics and self-assessments, in the promotion in progress (« en
cours ») and in the past one (« passée »: ended, every self-assessment moment and the final
evaluation answered, so its final pack is the full one). For each promotion and each kind of
pack (launch, mid-way, final) it prints the SQL statements of ``gather``, and the median over
``--runs`` of the time to gather, to render the full and the pseudonymised PDF (after one
warm-up, fonts loaded), and to build the « données du rapport » sheets, with the page count and
size; renders of 300 ms or more are flagged. ``--out DIR`` writes the past promotion's final
pack, both PDFs, there.
"""

import argparse
import itertools
import statistics
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import select

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from parcours import create_app  # noqa: E402
from parcours.cohorts.models import Cohort  # noqa: E402
from parcours.core.extensions import db  # noqa: E402
from parcours.core.time import now_utc  # noqa: E402
from parcours.curricula.schema import PackKind  # noqa: E402
from parcours.evaluation.packs.codes import assign_codes  # noqa: E402
from parcours.evaluation.packs.export import sheets  # noqa: E402
from parcours.evaluation.packs.gather import gather  # noqa: E402
from parcours.evaluation.packs.render import render  # noqa: E402
from tests.benchmarks.bench_pages import build_demo  # noqa: E402
from tests.benchmarks.shared import (  # noqa: E402
    StatementLog,
    engine_url,
    fresh_schema,
    print_table,
)
from tests.conftest import app_config  # noqa: E402

TARGET_MS = 300


def _median_ms(function, runs: int) -> tuple[float, object]:
    result = function()  # warm-up
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        result = function()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10, help="timed runs (default 10)")
    parser.add_argument("--out", type=Path, help="write the final pack's PDFs in this folder")
    parser.add_argument("--database-url", help="a PostgreSQL database to empty and fill")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        app = create_app(app_config(engine_url(args.database_url, folder)))
        fresh_schema(app)
        started = time.perf_counter()
        build_demo(app)
        print(f"demo built in {time.perf_counter() - started:.1f} s")
        rows = []
        with app.test_request_context():
            print(f"database: {db.engine.dialect.name}")
            promotions = db.session.scalars(select(Cohort).order_by(Cohort.start_date.desc()))
            now = now_utc()
            for (label, cohort), kind in itertools.product(
                zip(("en cours", "passée"), promotions.all(), strict=True), PackKind
            ):
                codes = assign_codes(cohort)
                log = StatementLog(db.engine)
                with log:
                    gather(cohort, kind, now=now)
                gather_ms, data = _median_ms(
                    lambda c=cohort, k=kind: gather(c, k, now=now), args.runs
                )
                full_ms, full = _median_ms(lambda d=data: render(d, pseudonymised=False), args.runs)
                pseudo_ms, pseudo = _median_ms(
                    lambda d=data, c=codes: render(d, pseudonymised=True, codes=c), args.runs
                )
                snapshot = data.snapshot()
                sheets_ms, _sheets = _median_ms(lambda s=snapshot: sheets(s), args.runs)
                flag = " !" if max(full_ms, pseudo_ms) >= TARGET_MS else ""
                rows.append(
                    [
                        label,
                        kind.value,
                        len(data.territory_pages),
                        len(log.statements),
                        f"{gather_ms:.1f}",
                        f"{full_ms:.1f}{flag}",
                        f"{pseudo_ms:.1f}",
                        f"{sheets_ms:.1f}",
                        f"{full.pages} / {pseudo.pages}",
                        f"{len(full.pdf) // 1024} / {len(pseudo.pdf) // 1024}",
                    ]
                )
                if args.out and kind == PackKind.FINAL and label == "passée":
                    args.out.mkdir(parents=True, exist_ok=True)
                    (args.out / "pack-final.pdf").write_bytes(full.pdf)
                    (args.out / "pack-final-pseudonymised.pdf").write_bytes(pseudo.pdf)
        print()
        print_table(
            [
                "promotion",
                "pack",
                "territories",
                "SQL",
                "gather ms",
                "render full ms",
                "render pseudo ms",
                "sheets ms",
                "pages",
                "KiB",
            ],
            rows,
            right={2, 3, 4, 5, 6, 7, 8, 9},
        )
        print(f"\nmedian of {args.runs} runs; ! marks a render of {TARGET_MS} ms or more")


if __name__ == "__main__":
    main()
