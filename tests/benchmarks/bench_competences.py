"""Count the SQL of the competences progression pages at 1× and 10× data; time them and the bilan.

Run by hand from the repository root (pytest does not collect it):

    .venv/bin/python tests/benchmarks/bench_competences.py [--runs 10] [--ratings 1000000]
        [--database-url postgresql://postgres@127.0.0.1:5432/bench_comp]

At 1× there is one cohort, built through the real operations (bench_agenda.build_template:
12 accepted territories, a coordinator, 2 coaches, 3 committee members, the generated
timeline), four of whose territories then lose their second catalyseur: 8 binômes and 4 single
catalyseurs, 20 catalyseurs. Its T0 and MID campaigns are opened and answered through the
operations too: every catalyseur's self-assessment, every binôme's consensus (both confirm) and
the coach's appréciation of every territory. At 10× the data grows to hundreds of cohorts, about
--ratings assessment_ratings rows (default one million): copies of the first cohort (rows
copied in bulk by bench_agenda.replicate), whose campaigns, assessments and ratings are then
inserted with SQLAlchemy Core in batches, with levels varied from one copy to the next; each
copied answer also gets an earlier revision, as a reopened answer has.

For the first cohort at both sizes it counts the SQL statements of the cohort progression page,
a participant's progression page (the coordinator's view, and the participant's own), the
territory's progression page and the territory page, and times them (median over --runs, test
client, after one warm-up fetch); then it times the participant's « Mon bilan de compétences »:
gathering its data, rendering the PDF, and the whole request, flagged at 200 ms or more. The
exit status is 1 when a page runs a different number of statements at 10× than at 1×.
"""

import argparse
import random
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from sqlalchemy import delete, func, insert, select, text  # noqa: E402
from sqlalchemy import event as sa_event  # noqa: E402

from parcours import create_app  # noqa: E402
from parcours.accounts.models import User  # noqa: E402
from parcours.accounts.passwords import hash_password  # noqa: E402
from parcours.agenda.models import Event  # noqa: E402
from parcours.attendance.models import Attendance  # noqa: E402
from parcours.cohorts import operations as cohorts  # noqa: E402
from parcours.cohorts.models import Cohort, Membership, Role, Territory  # noqa: E402
from parcours.competences import answers as ans  # noqa: E402
from parcours.competences.models import (  # noqa: E402
    Assessment,
    AssessmentCampaign,
    AssessmentRating,
    Viewpoint,
)
from parcours.competences.progression import bilan  # noqa: E402
from parcours.core.extensions import db  # noqa: E402
from parcours.core.time import freeze  # noqa: E402
from parcours.curricula.schema import EventKind  # noqa: E402
from parcours.outbox import mail  # noqa: E402
from tests.benchmarks.bench_agenda import (  # noqa: E402
    build_template,
    finish_generation,
    normalized,
    repetitions,
    replicate,
    report_growth,
    shorten,
)
from tests.benchmarks.shared import (  # noqa: E402
    StatementLog,
    engine_url,
    fresh_schema,
    print_table,
)
from tests.competences import factories  # noqa: E402
from tests.conftest import PASSWORD, app_config, login  # noqa: E402

SMALL, LARGE = "1×", "10×"
MOMENTS = ("T0", "MID")
SINGLES = 4  # territories left with one catalyseur
#: The bilan of one participant must take less than this (issue 10, § 5).
BILAN_TARGET_MS = 200
#: Rows per INSERT … VALUES batch of the bulk copies.
BATCH = 20_000

# (label, URL pattern, role); {cohort}, {user}, {territory} are filled in.
PAGES = [
    ("cohort progression", "/cohorts/{cohort}/progression/cohorte", "coordinator"),
    ("cohort progression", "/cohorts/{cohort}/progression/cohorte", "committee"),
    ("participant progression", "/cohorts/{cohort}/participants/{user}/progression", "coordinator"),
    ("own progression", "/cohorts/{cohort}/progression", "catalyseur"),
    ("territory progression", "/territoires/{territory}/progression", "coordinator"),
    ("territory progression", "/territoires/{territory}/progression", "catalyseur"),
    ("territory page", "/territories/{territory}", "coordinator"),
    ("bilan PDF", "/cohorts/{cohort}/bilan.pdf", "catalyseur"),
]


# Data -------------------------------------------------------------------------------------


def level_of(seed: int, moment: str):
    """Plausible levels on the 0–3 scale: T0 low, MID a little higher, some « je ne sais pas »."""

    def level(index: int, _item) -> int | None:
        if (index + seed) % 13 == 0:
            return None
        start = (index * 7 + seed) % 3
        return start if moment == "T0" else min(3, start + (index + seed) % 2)

    return level


def build_cohort(app) -> dict:
    """Build the measured cohort and answer its T0 and MID campaigns through the operations."""
    ids = build_template(app)
    with app.test_request_context():
        mail.suppress_until_commit()
        cohort = db.session.get(Cohort, ids["cohort"])
        measured = ids["users"]["catalyseur"][0]
        removable = [
            t for t in cohort.territories if measured not in {m.user_id for m in t.catalyseurs}
        ]
        gone = []
        for territory in removable[-SINGLES:]:
            gone.append(territory.catalyseurs[-1].user_id)
            cohorts.remove_member(territory.catalyseurs[-1])
        # Their attendance stays in the cohort; drop it, so that every row copied in bulk at
        # 10× (bench_agenda.replicate) is a member's.
        db.session.execute(delete(Attendance).where(Attendance.user_id.in_(gone)))
        db.session.commit()
        coordinator_id = ids["users"]["coordinator"][0]
        for code in MOMENTS:
            with freeze(factories.inside(cohort.id, code)):
                campaign = factories.open_campaign(cohort.id, code, coordinator_id)
                for territory in db.session.scalars(
                    select(Territory).where(Territory.cohort_id == cohort.id)
                ):
                    people = [m.user_id for m in territory.catalyseurs]
                    for user_id in people:
                        answer = factories.levels_answer(
                            campaign, Viewpoint.SELF, level_of(user_id, code)
                        )
                        answer.share = user_id % 2 == 0
                        answer.comment = f"Mon regard sur ce temps ({code}) : j'avance."
                        if user_id == measured:
                            first = next(iter(answer.ratings.values()))
                            first.comment = "Deux réunions animées avec les élus."
                            first.evidence = [
                                ans.EvidenceRef(
                                    kind="link",
                                    title="Compte rendu du comité de pilotage",
                                    url="https://example.org/compte-rendu",
                                )
                            ]
                        user = db.session.get(User, user_id)
                        draft = factories.ops.save_draft(
                            campaign, Viewpoint.SELF, territory, user_id, answer, by=user
                        )
                        factories.ops.submit(draft, by=user)
                    if len(people) == 2:
                        factories.submit_territory(
                            campaign,
                            Viewpoint.CONSENSUS,
                            territory.id,
                            tuple(people),
                            level_of(territory.id, code),
                        )
                    factories.submit_territory(
                        campaign,
                        Viewpoint.COACH,
                        territory.id,
                        (territory.coach_id,),
                        level_of(territory.id + 1, code),
                    )
                db.session.commit()
        member = db.session.scalar(
            select(Membership).where(
                Membership.cohort_id == cohort.id, Membership.user_id == measured
            )
        )
        ids["territory"] = member.territory_id
    return ids


def _rows(statement) -> list[dict]:
    return [dict(row) for row in db.session.execute(statement).mappings()]


def _ids(table, rows: list[dict]) -> list[int]:
    statement = insert(table).returning(table.c.id, sort_by_parameter_order=True)
    return list(db.session.scalars(statement, rows)) if rows else []


def _batches(table, rows: list[dict]) -> None:
    for start in range(0, len(rows), BATCH):
        db.session.execute(insert(table), rows[start : start + BATCH])


def copy_answers(app, template_id: int, cohort_ids: list[int], seed: int) -> int:
    """Give each cohort of ``cohort_ids`` (copies of ``template_id``) the template's campaigns
    and answers, with levels shifted, plus an earlier revision of each; return ratings added."""
    campaigns_t, assessments_t = AssessmentCampaign.__table__, Assessment.__table__
    ratings_t, members_t = AssessmentRating.__table__, Membership.__table__
    territories_t, events_t = Territory.__table__, Event.__table__
    rng = random.Random(seed)
    added = 0
    with app.app_context():
        campaigns = _rows(select(campaigns_t).where(campaigns_t.c.cohort_id == template_id))
        answers = _rows(
            select(assessments_t)
            .where(assessments_t.c.campaign_id.in_([c["id"] for c in campaigns]))
            .order_by(assessments_t.c.id)
        )
        ratings = _rows(
            select(ratings_t.c.assessment_id, ratings_t.c.code, ratings_t.c.level)
            .where(ratings_t.c.assessment_id.in_([a["id"] for a in answers]))
            .order_by(ratings_t.c.id)
        )
        by_answer: dict[int, list[dict]] = {}
        for rating in ratings:
            by_answer.setdefault(rating["assessment_id"], []).append(rating)

        def ordered(table, column, cohort_id, *where):
            return [
                row[0]
                for row in db.session.execute(
                    select(column).where(table.c.cohort_id == cohort_id, *where).order_by(column)
                )
            ]

        template_members = [
            r[0]
            for r in db.session.execute(
                select(members_t.c.user_id)
                .where(members_t.c.cohort_id == template_id)
                .order_by(members_t.c.id)
            )
        ]
        template_territories = ordered(territories_t, territories_t.c.id, template_id)
        for start in range(0, len(cohort_ids), 25):
            chunk = cohort_ids[start : start + 25]
            moment_events = {
                (cohort_id, code): event_id
                for cohort_id, code, event_id in db.session.execute(
                    select(events_t.c.cohort_id, events_t.c.code, events_t.c.id).where(
                        events_t.c.cohort_id.in_(chunk),
                        events_t.c.kind == EventKind.ASSESSMENT,
                        events_t.c.code.in_(MOMENTS),
                    )
                )
            }
            new_campaigns = _ids(
                campaigns_t,
                [
                    {k: v for k, v in c.items() if k != "id"}
                    | {
                        "cohort_id": cohort_id,
                        "event_id": moment_events[cohort_id, c["moment_code"]],
                        "opened_by_id": None,  # opened by the scheduler
                    }
                    for cohort_id in chunk
                    for c in campaigns
                ],
            )
            answer_rows, rating_levels = [], []
            for n, cohort_id in enumerate(chunk):
                campaign_map = {
                    c["id"]: new_campaigns[n * len(campaigns) + i] for i, c in enumerate(campaigns)
                }
                users_now = [
                    r[0]
                    for r in db.session.execute(
                        select(members_t.c.user_id)
                        .where(members_t.c.cohort_id == cohort_id)
                        .order_by(members_t.c.id)
                    )
                ]
                user_map = dict(zip(template_members, users_now, strict=True))
                territory_map = dict(
                    zip(
                        template_territories,
                        ordered(territories_t, territories_t.c.id, cohort_id),
                        strict=True,
                    )
                )
                shift = rng.randrange(4)
                for answer in answers:
                    kind, number = answer["subject"][0], int(answer["subject"][1:])
                    subject = f"{kind}{(user_map if kind == 'u' else territory_map)[number]}"
                    for revision in (1, 2):  # an earlier revision, then the current one
                        answer_rows.append(
                            {k: v for k, v in answer.items() if k != "id"}
                            | {
                                "campaign_id": campaign_map[answer["campaign_id"]],
                                "subject": subject,
                                "revision": revision,
                                "territory_id": territory_map[answer["territory_id"]],
                                "participant_id": user_map.get(answer["participant_id"]),
                                "submitted_by_id": user_map.get(answer["submitted_by_id"]),
                                "confirmed_by_id": user_map.get(answer["confirmed_by_id"]),
                                "reopened_by_id": user_map.get(answer["reopened_by_id"]),
                            }
                        )
                        rating_levels.append(
                            [
                                (
                                    r["code"],
                                    None
                                    if r["level"] is None
                                    else (r["level"] + shift + revision) % 4,
                                )
                                for r in by_answer.get(answer["id"], [])
                            ]
                        )
            new_answers = _ids(assessments_t, answer_rows)
            rating_rows = [
                {"assessment_id": answer_id, "code": code, "level": level, "comment": ""}
                for answer_id, levels in zip(new_answers, rating_levels, strict=True)
                for code, level in levels
            ]
            _batches(ratings_t, rating_rows)
            added += len(rating_rows)
            db.session.commit()
    return added


def dataset_size(app, cohort_id: int) -> dict[str, int]:
    with app.app_context():
        campaigns = select(AssessmentCampaign.id).where(AssessmentCampaign.cohort_id == cohort_id)
        answers = select(Assessment.id).where(Assessment.campaign_id.in_(campaigns))
        return {
            "cohorts": db.session.scalar(select(func.count()).select_from(Cohort)),
            "users": db.session.scalar(select(func.count()).select_from(User)),
            "assessments": db.session.scalar(select(func.count()).select_from(Assessment)),
            "ratings": db.session.scalar(select(func.count()).select_from(AssessmentRating)),
            "cohort's catalyseurs": db.session.scalar(
                select(func.count()).where(
                    Membership.cohort_id == cohort_id, Membership.role == Role.CATALYSEUR
                )
            ),
            "cohort's assessments": db.session.scalar(
                select(func.count()).where(Assessment.id.in_(answers))
            ),
            "cohort's ratings": db.session.scalar(
                select(func.count()).where(AssessmentRating.assessment_id.in_(answers))
            ),
        }


# Measures ---------------------------------------------------------------------------------


def sample(function, runs: int) -> tuple[list[float], list[float]]:
    """Return the wall-clock and the CPU time of ``runs`` calls of ``function``, in ms.

    On a machine shared with other work the CPU time moves much less than the wall clock.
    """
    function()  # the first call may load fonts or fill caches
    wall, cpu = [], []
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        function()
        wall.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
    return wall, cpu


class TimedStatements:
    """Record each SQL statement run inside ``with``, with its parameters and duration."""

    def __init__(self, engine):
        self.engine = engine
        self.runs: list[tuple[float, str, object]] = []

    def _before(self, conn, _cursor, _statement, _parameters, _context, _many):
        conn.info.setdefault("bench_started", []).append(time.perf_counter())

    def _after(self, conn, _cursor, statement, parameters, _context, _many):
        started = conn.info["bench_started"].pop()
        self.runs.append(((time.perf_counter() - started) * 1000, statement, parameters))

    def __enter__(self):
        sa_event.listen(self.engine, "before_cursor_execute", self._before)
        sa_event.listen(self.engine, "after_cursor_execute", self._after)
        return self

    def __exit__(self, *exc):
        sa_event.remove(self.engine, "before_cursor_execute", self._before)
        sa_event.remove(self.engine, "after_cursor_execute", self._after)


def measure(app, engine, ids: dict, runs: int) -> dict:
    """Return (status, statements, timings in ms, slowest statements) of each page × role."""
    results = {}
    clients = {}
    for label, pattern, role in PAGES:
        if role not in clients:
            clients[role] = app.test_client()
            login(clients[role], ids["users"][role][1], PASSWORD)
        client = clients[role]
        url = pattern.format(**ids["urls"])
        client.get(url)  # warm the caches
        log = StatementLog(engine)
        with log:
            response = client.get(url)
        if response.status_code != 200:
            sys.exit(f"{url} as {role}: {response.status_code}")
        timed = TimedStatements(engine)
        with timed:
            client.get(url)
        slowest = sorted(timed.runs, key=lambda run: run[0], reverse=True)[:2]
        timings = sample(lambda url=url, client=client: client.get(url), runs)
        results[label, role] = (list(log.statements), timings, slowest)
    return results


def time_bilan(app, ids: dict, runs: int) -> dict[str, tuple[list[float], str]]:
    """Time the participant's bilan: gathering, rendering, and both (no HTTP)."""
    results = {}
    with app.test_request_context():
        cohort = db.session.get(Cohort, ids["cohort"])
        user_id = ids["users"]["catalyseur"][0]

        def participant():
            return db.session.scalar(
                select(Membership).where(
                    Membership.cohort_id == cohort.id, Membership.user_id == user_id
                )
            )

        def gather():
            db.session.expire_all()  # read from the database each time, as a request does
            member = participant()
            return bilan.gather(member.cohort, member, member.user)

        data = gather()
        content = bilan.render(data)
        results["bilan: gather"] = (
            sample(gather, runs),
            f"{len(data.rows)} competences × {len(data.moments)} moments",
        )
        results["bilan: render"] = (
            sample(lambda: bilan.render(data), runs),
            f"{len(content) / 1024:.0f} KiB",
        )
        results["bilan: both"] = (sample(lambda: bilan.render(gather()), runs), "")
    return results


def explain(app, statement: str, parameters) -> list[str]:
    """Return the database's plan of ``statement`` (EXPLAIN QUERY PLAN / EXPLAIN ANALYZE)."""
    with app.app_context():
        connection = db.session.connection()
        raw = connection.connection.dbapi_connection
        cursor = raw.cursor()
        if db.engine.dialect.name == "sqlite":
            cursor.execute("EXPLAIN QUERY PLAN " + statement, parameters)
            lines = [f"{'  ' * (row[1] and 1)}{row[3]}" for row in cursor.fetchall()]
        else:
            cursor.execute("EXPLAIN ANALYZE " + statement, parameters)
            lines = [row[0] for row in cursor.fetchall()]
        cursor.close()
        db.session.rollback()
        return lines


# Report -----------------------------------------------------------------------------------


def short_sql(statement: str) -> str:
    """One line: the CASE mapping competences to domains and IN lists elided."""
    folded = normalized(statement)
    folded = re.sub(r"CASE assessment_ratings\.code (WHEN \S+ THEN \S+ )+END", "CASE … END", folded)
    return shorten(folded, 500)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10, help="timed runs per page (default 10)")
    parser.add_argument(
        "--ratings",
        type=int,
        default=1_000_000,
        help="assessment_ratings rows to reach at 10× (default 1000000)",
    )
    parser.add_argument("--database-url", help="a PostgreSQL database to empty and fill")
    parser.add_argument(
        "--explain", action="store_true", help="print the plan of each page's slowest statement"
    )
    args = parser.parse_args()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as folder:
        app = create_app(app_config(engine_url(args.database_url, folder)))
        fresh_schema(app)
        with app.app_context():
            engine = db.engine
            password_hash = hash_password(PASSWORD)
        print(f"\ndatabase: {engine.dialect.name}")

        clock = time.perf_counter()
        ids = build_cohort(app)
        finish_generation(app, password_hash)
        by_operations = time.perf_counter() - clock
        ids["urls"] = {
            "cohort": ids["cohort"],
            "user": ids["users"]["catalyseur"][0],
            "territory": ids["territory"],
        }
        sizes = {SMALL: dataset_size(app, ids["cohort"])}
        print(
            f"{SMALL}: one cohort through the operations (T0 and MID answered): "
            f"{by_operations:.1f} s, {sizes[SMALL]['ratings']} ratings"
        )
        results = {SMALL: measure(app, engine, ids, args.runs)}
        bilans = {SMALL: time_bilan(app, ids, args.runs)}

        per_cohort = 2 * sizes[SMALL]["ratings"]  # each answer and an earlier revision
        copies = max(1, -(-(args.ratings - sizes[SMALL]["ratings"]) // per_cohort))
        clock = time.perf_counter()
        with app.app_context():
            last = db.session.scalar(select(func.max(Cohort.id)))
        replicate(app, ids["cohort"], 1, copies, password_hash)
        copied = time.perf_counter() - clock
        with app.app_context():
            new = list(db.session.scalars(select(Cohort.id).where(Cohort.id > last)))
        clock = time.perf_counter()
        added = copy_answers(app, ids["cohort"], new, seed=10)
        answers_time = time.perf_counter() - clock
        clock = time.perf_counter()
        finish_generation(app, password_hash)  # PostgreSQL: ANALYZE
        with app.app_context():
            if engine.dialect.name == "sqlite":
                db.session.execute(text("ANALYZE"))
                db.session.commit()
        analyze = time.perf_counter() - clock
        print(
            f"{LARGE}: {copies} copied cohorts (people, territories, timelines): {copied:.1f} s; "
            f"their campaigns and answers, {added} ratings in batches of {BATCH}: "
            f"{answers_time:.1f} s ({added / max(answers_time, 1e-9):.0f} rows/s); "
            f"ANALYZE: {analyze:.1f} s"
        )
        sizes[LARGE] = dataset_size(app, ids["cohort"])
        results[LARGE] = measure(app, engine, ids, args.runs)
        bilans[LARGE] = time_bilan(app, ids, args.runs)
        plans = {}  # normalized statement → (pages, plan)
        if args.explain:
            for (label, role), (_statements, _timings, slowest) in results[LARGE].items():
                if slowest:
                    _ms, statement, parameters = slowest[0]
                    key = short_sql(statement)
                    if key not in plans:
                        plans[key] = ([], explain(app, statement, parameters))
                    plans[key][0].append(f"{label} ({role})")
        with app.app_context():
            db.engine.dispose()

    print("\nDataset")
    labels = list(sizes[SMALL])
    print_table(
        ["size", *labels],
        [[size, *sizes[size].values()] for size in sizes],
        right=set(range(1, len(labels) + 1)),
    )

    print(
        f"\nSQL statements and time per page (the first cohort; ms, median of {args.runs} runs "
        "after a warm-up, test client)"
    )
    rows, differing = [], []
    for (label, role), (statements, timings, slowest) in results[SMALL].items():
        statements_large, timings_large, slowest_large = results[LARGE][label, role]
        equal = len(statements) == len(statements_large)
        if not equal:
            differing.append((label, role))
        runs = repetitions(statements_large)
        (wall, cpu), (wall_large, cpu_large) = timings, timings_large
        small, large = statistics.median(wall), statistics.median(wall_large)
        rows.append(
            [
                label,
                role,
                len(statements),
                len(statements_large),
                "yes" if equal else "NO",
                runs[0][1] if runs else 0,
                f"{small:.0f}",
                f"{statistics.median(cpu):.0f}",
                f"{large:.0f}",
                f"{statistics.median(cpu_large):.0f}",
                f"{slowest[0][0]:.1f}" if slowest else "",
                f"{slowest_large[0][0]:.1f}" if slowest_large else "",
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
            f"wall {SMALL}",
            f"CPU {SMALL}",
            f"wall {LARGE}",
            f"CPU {LARGE}",
            f"slowest SQL {SMALL}",
            f"slowest SQL {LARGE}",
        ],
        rows,
        right=set(range(2, 12)),
    )
    for label, role in differing:
        print(f"\n  {label} as {role}: statements that ran more often at {LARGE}")
        report_growth(results[SMALL][label, role][0], results[LARGE][label, role][0])

    print(f"\n« Mon bilan de compétences » of one participant (ms, median of {args.runs} runs)")
    rows, slow = [], []
    request = {size: results[size]["bilan PDF", "catalyseur"][1] for size in (SMALL, LARGE)}
    measures = [
        (label, samples, bilans[LARGE][label][0], note)
        for label, (samples, note) in bilans[SMALL].items()
    ]
    measures.append(("bilan: HTTP GET", request[SMALL], request[LARGE], ""))
    for label, (wall, cpu), (wall_large, cpu_large), note in measures:
        small, large = statistics.median(wall), statistics.median(wall_large)
        target = ""
        if label in ("bilan: both", "bilan: HTTP GET"):
            over = [size for size, ms in ((SMALL, small), (LARGE, large)) if ms >= BILAN_TARGET_MS]
            target = f"≥ {BILAN_TARGET_MS} ms at {', '.join(over)}" if over else "ok"
            if over:
                slow.append(label)
        cells = [small, statistics.median(cpu), large, statistics.median(cpu_large)]
        rows.append([label, *(f"{ms:.0f}" for ms in cells), note, target])
    headers = [
        "measure",
        f"wall {SMALL}",
        f"CPU {SMALL}",
        f"wall {LARGE}",
        f"CPU {LARGE}",
        "",
        f"< {BILAN_TARGET_MS} ms (wall)",
    ]
    print_table(headers, rows, right={1, 2, 3, 4})

    if plans:
        print(f"\nPlan of each page's slowest statement at {LARGE}")
        for statement, (pages, plan) in plans.items():
            print(f"\n  {', '.join(pages)}:\n  {statement}")
            for line in plan:
                print(f"    {line}")

    print(f"\ntotal wall time: {time.perf_counter() - started:.0f} s")
    if slow:
        print(f"\nthe bilan takes {BILAN_TARGET_MS} ms or more: {', '.join(slow)}")
    if differing:
        print(f"\n{len(differing)} page(s) run more SQL statements at {LARGE}: N+1 queries")
        sys.exit(1)
    print(f"\nevery page runs the same number of SQL statements at {SMALL} and {LARGE}")


if __name__ == "__main__":
    main()
