"""Count the SQL of the suivi dashboards and the territory page at 1× and 10× suivi data; time them.

Run by hand from the repository root (pytest does not collect it):

    .venv/bin/python tests/benchmarks/bench_suivi_dashboards.py [--runs 20]
        [--database-url postgresql://postgres@127.0.0.1:5432/bench]

It builds one full cohort through the real operations (12 accepted territories, 24
catalyseurs in binômes, 2 coaches, its generated timeline: bench_agenda.build_template), then
gives every territory suivi rows in bulk: follow-up records (one deleted), action items (open,
overdue, done), journal entries of the three visibilities and dynamics snapshots. It measures,
for the coordinator and for a coach, « Mes territoires » (the coach's figures), the cohort's
suivi page (sorted, and filtered on a coach), a territory's page (its dynamics section) and its
dynamics history; then grows the suivi rows to 10× and measures again. A page whose number of
SQL statements differs between the two sizes runs a query per row: the script exits with 1.
"""

import argparse
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, insert, select  # noqa: E402

from parcours import create_app  # noqa: E402
from parcours.accounts.passwords import hash_password  # noqa: E402
from parcours.agenda.models import Event  # noqa: E402
from parcours.cohorts.models import Cohort, Territory  # noqa: E402
from parcours.core.extensions import db  # noqa: E402
from parcours.core.time import now_utc  # noqa: E402
from parcours.suivi.models import (  # noqa: E402
    ActionItem,
    DynamicsSnapshot,
    FollowUpRecord,
    JournalEntry,
)
from tests.benchmarks.bench_agenda import (  # noqa: E402
    build_template,
    finish_generation,
    p95,
    repetitions,
    report_growth,
    sample_ms,
)
from tests.benchmarks.shared import (  # noqa: E402
    StatementLog,
    engine_url,
    fresh_schema,
    print_table,
)
from tests.conftest import PASSWORD, app_config, login  # noqa: E402

FACTOR = 10
SMALL, LARGE = "1×", f"{FACTOR}×"
#: Per territory at 1×.
RECORDS, ITEMS, ENTRIES, SNAPSHOTS = 3, 6, 6, 2
MOMENTS = ("launch", "midway", "end")
VISIBILITIES = ("binome", "coach", "cohort")

# (label, URL pattern, roles); {cohort}, {territory} and {coach} are filled in.
PAGES = [
    ("Mes territoires", "/cohorts/{cohort}/my-territories", ("coach",)),
    ("cohort suivi", "/cohorts/{cohort}/suivi", ("coordinator",)),
    ("cohort suivi, sorted", "/cohorts/{cohort}/suivi?sort=-overdue_items", ("coordinator",)),
    ("cohort suivi, one coach", "/cohorts/{cohort}/suivi?coach={coach}", ("coordinator",)),
    ("territory page", "/territories/{territory}", ("coordinator", "coach")),
    ("dynamics history", "/territories/{territory}/suivi/dynamics", ("coordinator", "coach")),
    ("territory's records", "/territories/{territory}/suivi", ("coordinator", "coach")),
    ("record page", "/suivi/records/{record}", ("coordinator", "coach")),
    ("carnet de bord", "/territories/{territory}/suivi/journal", ("coordinator", "coach")),
    ("belles histoires", "/cohorts/{cohort}/belles-histoires", ("coordinator", "coach")),
]


def add_suivi(app, cohort_id: int, copies: int) -> None:
    """Give each territory of the cohort ``copies`` × the 1× suivi rows, in bulk."""
    with app.app_context():
        cohort = db.session.get(Cohort, cohort_id)
        today = now_utc().astimezone(ZoneInfo(cohort.timezone)).date()
        territories = db.session.execute(
            select(Territory.id, Territory.coach_id).where(Territory.cohort_id == cohort_id)
        ).all()
        version = cohort.curriculum_version_id
        records, items, entries, snapshots = [], [], [], []
        for territory_id, coach_id in territories:
            for n in range(RECORDS * copies):
                records.append(
                    {
                        "territory_id": territory_id,
                        "held_on": today - timedelta(days=7 * n + territory_id % 50),
                        "agenda": "Point d'étape (banc d'essai).",
                        "created_by_id": coach_id,
                        "deleted_at": now_utc() if n == 1 else None,
                    }
                )
            for n in range(ITEMS * copies):
                items.append(
                    {
                        "territory_id": territory_id,
                        "title": f"Action {n}",
                        "due_on": today + timedelta(days=n % 9 - 4),
                        "done_at": now_utc() if n % 3 == 0 else None,
                        "owner_id": coach_id,
                    }
                )
            for n in range(ENTRIES * copies):
                entries.append(
                    {
                        "territory_id": territory_id,
                        "written_on": today - timedelta(days=n),
                        "title": f"Entrée {n}",
                        "visibility": VISIBILITIES[n % 3],
                    }
                )
            for n in range(SNAPSHOTS * copies):
                snapshots.append(
                    {
                        "territory_id": territory_id,
                        "curriculum_version_id": version,
                        "moment": MOMENTS[n % 3],
                        "recorded_on": today - timedelta(days=100 - n),
                        "recorded_at": now_utc() - timedelta(days=100 - n),
                        "recorded_by_id": coach_id,
                        "maturity": n % 4,
                        "forms": ["animation"],
                        "fragilities": ["emploi", "mobilite"],
                        "partnerships": ["mecenat"],
                        "comment": "Relevé du banc d'essai.",
                    }
                )
        for model, rows in (
            (FollowUpRecord, records),
            (ActionItem, items),
            (JournalEntry, entries),
            (DynamicsSnapshot, snapshots),
        ):
            db.session.execute(insert(model.__table__), rows)
        db.session.commit()


def dataset_size(app, cohort_id: int) -> dict[str, int]:
    with app.app_context():
        sizes = {}
        for label, model in (
            ("territories", Territory),
            ("records", FollowUpRecord),
            ("action items", ActionItem),
            ("journal entries", JournalEntry),
            ("dynamics", DynamicsSnapshot),
        ):
            query = select(func.count()).select_from(model)
            if model is not Territory:
                query = query.join(Territory, Territory.id == model.territory_id)
            sizes[label] = db.session.scalar(query.where(Territory.cohort_id == cohort_id))
        sizes["events"] = db.session.scalar(
            select(func.count()).select_from(Event).where(Event.cohort_id == cohort_id)
        )
        return sizes


def measure(app, engine, ids: dict, runs: int) -> dict:
    """Return (status, statements, timings in ms) of each page × role."""
    results = {}
    for role in ("coordinator", "coach"):
        _user_id, email = ids["users"][role]
        client = app.test_client()
        login(client, email, PASSWORD)
        for label, pattern, roles in PAGES:
            if role not in roles:
                continue
            url = pattern.format(**ids["urls"])
            client.get(url)  # warm the caches
            log = StatementLog(engine)
            with log:
                response = client.get(url)
            if response.status_code != 200:
                sys.exit(f"{url} as {role}: {response.status_code}")
            timings = sample_ms(lambda url=url, client=client: client.get(url), runs)
            results[label, role] = (list(log.statements), timings)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20, help="timed runs per page (default 20)")
    parser.add_argument("--database-url", help="a PostgreSQL database to empty and fill")
    args = parser.parse_args()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as folder:
        app = create_app(app_config(engine_url(args.database_url, folder)))
        fresh_schema(app)
        with app.app_context():
            engine = db.engine
            password_hash = hash_password(PASSWORD)
        ids = build_template(app)
        finish_generation(app, password_hash)
        with app.app_context():
            coach_id = ids["users"]["coach"][0]
            territory = db.session.scalar(
                select(Territory.id)
                .where(Territory.cohort_id == ids["cohort"], Territory.coach_id == coach_id)
                .order_by(Territory.name)
            )
        ids["urls"] = {"cohort": ids["cohort"], "territory": territory, "coach": coach_id}
        print(f"\ndatabase: {engine.dialect.name}; one cohort, suivi data at {SMALL} then {LARGE}")

        sizes, results = {}, {}
        add_suivi(app, ids["cohort"], 1)
        with app.app_context():  # the same record is measured at both sizes
            ids["urls"]["record"] = db.session.scalar(
                select(FollowUpRecord.id)
                .where(
                    FollowUpRecord.territory_id == territory, FollowUpRecord.deleted_at.is_(None)
                )
                .order_by(FollowUpRecord.held_on.desc())
            )
        finish_generation(app, password_hash)  # PostgreSQL: fresh planner statistics
        sizes[SMALL] = dataset_size(app, ids["cohort"])
        results[SMALL] = measure(app, engine, ids, args.runs)
        add_suivi(app, ids["cohort"], FACTOR - 1)
        finish_generation(app, password_hash)
        sizes[LARGE] = dataset_size(app, ids["cohort"])
        results[LARGE] = measure(app, engine, ids, args.runs)
        with app.app_context():
            db.engine.dispose()

    print("\nDataset (the measured cohort)")
    labels = list(sizes[SMALL])
    print_table(
        ["size", *labels],
        [[size, *sizes[size].values()] for size in sizes],
        right=set(range(1, len(labels) + 1)),
    )
    print(f"\nSQL statements and time per page (ms over {args.runs} runs, after a warm-up)")
    rows, differing = [], []
    for (label, role), (statements, timings) in results[SMALL].items():
        statements_large, timings_large = results[LARGE][label, role]
        equal = len(statements) == len(statements_large)
        if not equal:
            differing.append((label, role))
        runs = repetitions(statements_large)
        rows.append(
            [
                label,
                role,
                len(statements),
                len(statements_large),
                "yes" if equal else "NO",
                runs[0][1] if runs else 0,
                f"{statistics.median(timings):.1f}",
                f"{p95(timings):.1f}",
                f"{statistics.median(timings_large):.1f}",
                f"{p95(timings_large):.1f}",
            ]
        )
    print_table(
        [
            "page",
            "role",
            f"SQL {SMALL}",
            f"SQL {LARGE}",
            "equal",
            "max repeat",
            f"median {SMALL}",
            f"p95 {SMALL}",
            f"median {LARGE}",
            f"p95 {LARGE}",
        ],
        rows,
        right={2, 3, 5, 6, 7, 8, 9},
    )
    for label, role in differing:
        print(f"\n  {label} as {role}: statements that ran more often at {LARGE}")
        report_growth(results[SMALL][label, role][0], results[LARGE][label, role][0])
    print(f"\ntotal wall time: {time.perf_counter() - started:.0f} s")
    if differing:
        print(f"\n{len(differing)} page(s) run more SQL statements at {LARGE}: N+1 queries")
        sys.exit(1)
    print(f"\nevery page runs the same number of SQL statements at {SMALL} and {LARGE}")


if __name__ == "__main__":
    main()
