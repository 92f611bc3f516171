"""Count the SQL of agenda pages at 1× and 10× data; time calendar feeds and a signature sheet.

Run by hand from the repository root (pytest does not collect it):

    .venv/bin/python tests/benchmarks/bench_agenda.py [--cohorts 30] [--runs 20]
        [--database-url postgresql://postgres@127.0.0.1:5432/bench]

It fills a temporary SQLite database (or, with --database-url, a PostgreSQL database whose name
contains "bench": every table in it is dropped first) with --cohorts cohorts of 12 accepted
territories, 24 catalyseurs in binômes, 2 coaches, 3 committee members and a coordinator, their
generated timelines and attendance at two sessions. The first cohort is built through the real
operations (bench_attendance.build, plus the staff); the others are bulk copies of its rows.

It counts the SQL statements of each agenda page for a coordinator, a coach, a catalyseur and a
committee member of the first cohort, grows the data to 10× cohorts and counts again: a page
whose count grows with data unrelated to it has an N+1 query, and the script exits with status
1. It also times (median and p95) each user's calendar feed, over HTTP and the pure iCalendar
builder, and the pre-filled signature sheet of S1 (24 participants), at both sizes.
"""

import argparse
import math
import re
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from flask_babel import force_locale  # noqa: E402
from sqlalchemy import Table, func, insert, select, text, update  # noqa: E402

from parcours import create_app  # noqa: E402
from parcours.accounts.models import User  # noqa: E402
from parcours.accounts.passwords import hash_password  # noqa: E402
from parcours.agenda import ical  # noqa: E402
from parcours.agenda import operations as agenda_ops  # noqa: E402
from parcours.agenda import queries as agenda_queries  # noqa: E402
from parcours.agenda.models import AgendaItem, Event  # noqa: E402
from parcours.agenda.queries import events_for  # noqa: E402
from parcours.attendance import pdf, reports  # noqa: E402
from parcours.attendance.models import Attendance  # noqa: E402
from parcours.cohorts import operations as cohorts  # noqa: E402
from parcours.cohorts.models import Cohort, Membership, Role, Territory  # noqa: E402
from parcours.core.extensions import db  # noqa: E402
from parcours.core.text import name_key  # noqa: E402
from parcours.outbox import mail  # noqa: E402
from tests.benchmarks.bench_attendance import build  # noqa: E402
from tests.benchmarks.shared import (  # noqa: E402
    StatementLog,
    engine_url,
    fresh_schema,
    print_table,
)
from tests.conftest import PASSWORD, app_config, login  # noqa: E402

FACTOR = 10
SMALL, LARGE = "1×", f"{FACTOR}×"
COACHES = [("Paul Renard", "Opus 3"), ("Aïcha Diallo", "FNCE")]
COMMITTEE = [
    ("Bernard Lemoine", "CGET"),
    ("Sophie Marchand", "Le RAMEAU"),
    ("Karim Belkacem", "Caisse des Dépôts"),
]
ROLES = ("coordinator", "coach", "catalyseur", "committee")

# (label, URL pattern, roles measured); {cohort}, {s1} and {token} are filled in per user.
PAGES = [
    ("Mon agenda", "/agenda", ROLES),
    ("calendar, month", "/cohorts/{cohort}/calendar", ROLES),
    ("calendar, list", "/cohorts/{cohort}/calendar?view=list", ROLES),
    ("event S1", "/events/{s1}", ROLES),
    ("feed .ics", "/calendar/{token}.ics", ROLES),
    ("attendance sheet S1", "/events/{s1}/attendance", ("coordinator",)),
    ("cohort attendance", "/cohorts/{cohort}/attendance", ROLES),
    ("cohort overview", "/cohorts/{cohort}", ROLES),
]
FEED_PAGE = "feed .ics"
#: A statement run this many times in one request is probably run once per row shown.
REPEATED = 5


# Data -------------------------------------------------------------------------------------


def build_template(app) -> dict:
    """Build the measured cohort through the operations; return the ids the benchmark needs."""
    ids = build(app)  # cohort, 12 territories, 24 catalyseurs, attendance at S1 and S3
    with app.test_request_context():
        mail.suppress_until_commit()
        cohort = db.session.get(Cohort, ids["cohort"])
        coordinator = db.session.scalar(
            select(User)
            .join(Membership, Membership.user_id == User.id)
            .where(Membership.cohort_id == cohort.id, Membership.role == Role.COORDINATOR)
        )
        staff = {}
        for role, people in ((Role.COACH, COACHES), (Role.COMMITTEE, COMMITTEE)):
            for n, (name, organisation) in enumerate(people, start=1):
                member = cohorts.add_member(
                    cohort,
                    role=role,
                    email=f"{role}{n}@example.org",
                    full_name=name,
                    organisation=organisation,
                    invited_by=coordinator,
                )
                staff.setdefault(role, []).append(member.user)
        territories = list(cohort.territories)  # ordered by name
        for n, territory in enumerate(territories):
            coaches = staff[Role.COACH]
            cohorts.assign_coach(territory, coaches[n * len(coaches) // len(territories)])
        member = db.session.get(Membership, ids["member"])  # a catalyseur of a binôme
        s1 = db.session.scalar(
            select(Event.id).where(
                Event.cohort_id == cohort.id, Event.code == "S1", Event.territory_id.is_(None)
            )
        )
        users = {
            "coordinator": coordinator,
            "coach": member.territory.coach,  # the coach who follows that catalyseur
            "catalyseur": member.user,
            "committee": staff[Role.COMMITTEE][0],
        }
        db.session.commit()
        return {
            "cohort": cohort.id,
            "s1": s1,
            "users": {role: (user.id, user.email) for role, user in users.items()},
        }


def _rows(statement) -> list[dict]:
    return [dict(row) for row in db.session.execute(statement).mappings()]


def _insert(table: Table, rows: list[dict]) -> list[int]:
    """Insert ``rows`` in batches and return their new ids, in the order of ``rows``."""
    if not rows:
        return []
    statement = insert(table).returning(table.c.id, sort_by_parameter_order=True)
    return list(db.session.scalars(statement, rows))


def _shift(moment: datetime, days: int, zone: ZoneInfo) -> datetime:
    """Move ``moment`` by ``days``, keeping its wall-clock time (as shift_cohort_events does)."""
    local = moment.astimezone(zone).replace(tzinfo=None) + timedelta(days=days)
    return local.replace(tzinfo=zone).astimezone(UTC)


def _weeks(number: int) -> int:
    """Spread the copies' start dates a year either side of the template's, whole weeks."""
    return (number + 52) % 104 - 52


def replicate(app, template_id: int, first: int, count: int, password_hash: str) -> None:
    """Add ``count`` copies of cohort ``template_id``, numbered from ``first``, in bulk."""
    cohorts_t, users_t, territories_t = Cohort.__table__, User.__table__, Territory.__table__
    members_t, events_t = Membership.__table__, Event.__table__
    items_t, attendances_t = AgendaItem.__table__, Attendance.__table__
    with app.app_context():
        template = _rows(select(cohorts_t).where(cohorts_t.c.id == template_id))[0]
        zone = ZoneInfo(template["timezone"])
        members = _rows(
            select(members_t).where(members_t.c.cohort_id == template_id).order_by(members_t.c.id)
        )
        people = _rows(
            select(users_t)
            .where(users_t.c.id.in_([m["user_id"] for m in members]))
            .order_by(users_t.c.id)
        )
        territories = _rows(
            select(territories_t)
            .where(territories_t.c.cohort_id == template_id)
            .order_by(territories_t.c.id)
        )
        events = _rows(
            select(events_t).where(events_t.c.cohort_id == template_id).order_by(events_t.c.id)
        )
        event_ids = [e["id"] for e in events]
        items = _rows(select(items_t).where(items_t.c.event_id.in_(event_ids)))
        attendances = _rows(select(attendances_t).where(attendances_t.c.event_id.in_(event_ids)))
        numbers = range(first, first + count)

        def mapping(old: list[dict], new_ids: list[int], copy: int) -> dict[int, int]:
            chunk = new_ids[copy * len(old) : (copy + 1) * len(old)]
            return {row["id"]: new for row, new in zip(old, chunk, strict=True)}

        def copy_of(row: dict, **changes) -> dict:
            return {key: value for key, value in row.items() if key != "id"} | changes

        cohort_ids = _insert(
            cohorts_t,
            [
                copy_of(
                    template,
                    name=f"Cohorte de charge {n:04d}",
                    name_key=name_key(f"Cohorte de charge {n:04d}"),
                    start_date=template["start_date"] + timedelta(weeks=_weeks(n)),
                )
                for n in numbers
            ],
        )
        user_ids = _insert(
            users_t,
            [
                {
                    "email": f"c{n:04d}-{j:02d}@bench.example.org",
                    "full_name": person["full_name"],
                    "organisation": person["organisation"],
                    "locale": person["locale"],
                    "password_hash": password_hash,
                }
                for n in numbers
                for j, person in enumerate(people)
            ],
        )
        user_maps = [mapping(people, user_ids, c) for c in range(count)]
        territory_ids = _insert(
            territories_t,
            [
                copy_of(
                    t,
                    cohort_id=cohort_ids[c],
                    coach_id=user_maps[c].get(t["coach_id"]),
                )
                for c in range(count)
                for t in territories
            ],
        )
        territory_maps = [mapping(territories, territory_ids, c) for c in range(count)]
        _insert(
            members_t,
            [
                copy_of(
                    m,
                    cohort_id=cohort_ids[c],
                    user_id=user_maps[c][m["user_id"]],
                    territory_id=territory_maps[c].get(m["territory_id"]),
                )
                for c in range(count)
                for m in members
            ],
        )
        days = [_weeks(n) * 7 for n in numbers]
        new_event_ids = _insert(
            events_t,
            [
                copy_of(
                    e,
                    cohort_id=cohort_ids[c],
                    territory_id=territory_maps[c].get(e["territory_id"]),
                    created_by_id=user_maps[c].get(e["created_by_id"]),
                    starts_at=_shift(e["starts_at"], days[c], zone),
                    ends_at=_shift(e["ends_at"], days[c], zone),
                )
                for c in range(count)
                for e in events
            ],
        )
        event_maps = [mapping(events, new_event_ids, c) for c in range(count)]
        _insert(
            items_t,
            [
                copy_of(
                    i,
                    event_id=event_maps[c][i["event_id"]],
                    starts_at=_shift(i["starts_at"], days[c], zone),
                    ends_at=_shift(i["ends_at"], days[c], zone),
                )
                for c in range(count)
                for i in items
            ],
        )
        _insert(
            attendances_t,
            [
                copy_of(
                    a,
                    event_id=event_maps[c][a["event_id"]],
                    user_id=user_maps[c][a["user_id"]],
                    recorded_by_id=user_maps[c].get(a["recorded_by_id"]),
                    day=a["day"] + timedelta(days=days[c]),
                )
                for c in range(count)
                for a in attendances
            ],
        )
        db.session.commit()


def finish_generation(app, password_hash: str) -> None:
    """Give everyone the benchmark password; refresh PostgreSQL's planner statistics."""
    with app.app_context():
        db.session.execute(
            update(User).where(User.password_hash.is_(None)).values(password_hash=password_hash)
        )
        db.session.commit()
        if db.engine.dialect.name == "postgresql":
            db.session.execute(text("ANALYZE"))
            db.session.commit()


def dataset_size(app) -> dict[str, int]:
    with app.app_context():
        return {
            label: db.session.scalar(select(func.count()).select_from(model))
            for label, model in (
                ("cohorts", Cohort),
                ("users", User),
                ("territories", Territory),
                ("memberships", Membership),
                ("events", Event),
                ("attendance rows", Attendance),
            )
        }


# Measures ---------------------------------------------------------------------------------


_PARAMETER = r"\s*(?:\?|%\(\w+\)s|\$\d+)\s*"  # SQLite's ?, psycopg's %(name)s
_IN_LIST = re.compile(rf"\((?:{_PARAMETER},)+{_PARAMETER}\)")


def normalized(statement: str) -> str:
    """Fold whitespace and IN lists, so that the same query with other values compares equal."""
    return _IN_LIST.sub("(…)", " ".join(statement.split()))


def repetitions(statements: list[str]) -> list[tuple[str, int]]:
    """Return each distinct statement with how many times it ran, the most frequent first."""
    return Counter(map(normalized, statements)).most_common()


def count_pages(app, engine, ids: dict) -> dict[tuple[str, str], tuple[int, list[str]]]:
    """Return (status, statements) of each page × role; each page is fetched once before."""
    results = {}
    for role in ROLES:
        _user_id, email = ids["users"][role]
        client = app.test_client()
        login(client, email, PASSWORD)
        for label, pattern, roles in PAGES:
            if role not in roles:
                continue
            url = pattern.format(cohort=ids["cohort"], s1=ids["s1"], token=ids["tokens"][role])
            # A calendar application has no session: fetch the feed anonymously.
            browser = app.test_client() if label == FEED_PAGE else client
            browser.get(url)  # warm caches (templates, fonts, first-visit writes)
            log = StatementLog(engine)
            with log:
                response = browser.get(url)
            if response.status_code >= 500:
                sys.exit(f"{url} as {role}: {response.status_code}")
            results[label, role] = (response.status_code, list(log.statements))
    return results


def sample_ms(function: Callable[[], object], runs: int) -> list[float]:
    """Return the duration of ``runs`` calls of ``function``, in milliseconds."""
    function()  # the first call may load fonts or fill caches
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        function()
        timings.append((time.perf_counter() - start) * 1000)
    return timings


def p95(timings: list[float]) -> float:
    """Nearest-rank 95th percentile."""
    ordered = sorted(timings)
    return ordered[math.ceil(0.95 * len(ordered)) - 1]


def time_everything(app, engine, ids: dict, runs: int) -> dict[str, tuple[list[float], str]]:
    """Time the feeds (HTTP and builder alone) and the signature sheet of S1."""
    results = {}
    client = app.test_client()
    for role in ("coordinator", "catalyseur"):
        url = f"/calendar/{ids['tokens'][role]}.ics"
        size = len(client.get(url).data)
        results[f"feed of the {role}: HTTP GET"] = (
            sample_ms(lambda url=url: client.get(url), runs),
            f"{size / 1024:.0f} KiB",
        )
        with app.test_request_context():
            user = db.session.get(User, ids["users"][role][0])
            with force_locale(user.locale):
                events = events_for(user, as_participant=True)
                agenda_queries.load_details(events)  # what the feed view loads before building
                log = StatementLog(engine)

                def build_calendar(events=events, user=user):
                    return ical.build_calendar(
                        events,
                        event_url=agenda_queries.event_page_url,
                        name=f"Parcours — {user.full_name}",
                        uid_host=agenda_queries.uid_host(),
                    )

                with log:
                    timings = sample_ms(build_calendar, runs)
                note = f"{len(events)} events"
                if log.statements:
                    note += f", {len(log.statements)} SQL statements!"
                results[f"feed of the {role}: ical.build_calendar"] = (timings, note)
    with app.test_request_context():
        s1 = db.session.get(Event, ids["s1"])

        def gather():
            db.session.expire_all()  # read from the database each time, as a request does
            return reports.signature_sheet(s1, prefill=True)

        sheet = gather()
        note = f"{sheet.participant_count} participants, {len(sheet.half_days)} half-days"
        results["signature sheet S1, pre-filled: data"] = (sample_ms(gather, runs), note)
        results["signature sheet S1, pre-filled: PDF"] = (
            sample_ms(lambda: pdf.render_signature_sheet(sheet), runs),
            f"{len(pdf.render_signature_sheet(sheet)) / 1024:.0f} KiB",
        )
        results["signature sheet S1, pre-filled: both"] = (
            sample_ms(lambda: pdf.render_signature_sheet(gather()), runs),
            "",
        )
    return results


# Report -----------------------------------------------------------------------------------


def shorten(statement: str, length: int = 240) -> str:
    """Elide the column list of a SELECT, then cut what is still too long."""
    statement = re.sub(r"^SELECT .+? FROM ", "SELECT … FROM ", statement)
    return statement if len(statement) <= length else statement[: length - 1] + "…"


def report_growth(small: list[str], large: list[str]) -> None:
    """Print the statements that ran more often on the larger data set."""
    grown = Counter(map(normalized, large)) - Counter(map(normalized, small))
    for statement, extra in grown.most_common(5):
        print(f"      +{extra}×  {shorten(statement)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cohorts", type=int, default=30, help="cohorts at 1× (default 30)")
    parser.add_argument("--runs", type=int, default=20, help="timed runs (default 20)")
    parser.add_argument("--database-url", help="a PostgreSQL database to empty and fill")
    args = parser.parse_args()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as folder:
        url = engine_url(args.database_url, folder)
        app = create_app(app_config(url))
        fresh_schema(app)
        with app.app_context():
            engine = db.engine
            password_hash = hash_password(PASSWORD)  # one real hash, shared by everyone

        print(f"\ndatabase: {engine.dialect.name}, {args.cohorts} cohorts at {SMALL}, then {LARGE}")
        sizes, generation = {}, {}
        clock = time.perf_counter()
        ids = build_template(app)
        by_operations = time.perf_counter() - clock
        clock = time.perf_counter()
        replicate(app, ids["cohort"], 1, args.cohorts - 1, password_hash)
        finish_generation(app, password_hash)
        bulk = time.perf_counter() - clock
        generation[SMALL] = by_operations + bulk
        print(
            f"first cohort through the operations: {by_operations:.2f} s "
            f"(≈ {by_operations * args.cohorts * FACTOR:.0f} s for {args.cohorts * FACTOR} "
            f"cohorts that way); {args.cohorts - 1} bulk copies: {bulk:.2f} s "
            f"({bulk / max(args.cohorts - 1, 1) * 1000:.0f} ms per cohort)"
        )
        with app.test_request_context():
            tokens = {}
            for role, (user_id, _email) in ids["users"].items():
                tokens[role] = agenda_ops.feed_for(db.session.get(User, user_id)).token
            db.session.commit()
        ids["tokens"] = tokens

        sizes[SMALL] = dataset_size(app)
        counts = {SMALL: count_pages(app, engine, ids)}
        timings = {SMALL: time_everything(app, engine, ids, args.runs)}

        clock = time.perf_counter()
        more = args.cohorts * (FACTOR - 1)
        replicate(app, ids["cohort"], args.cohorts, more, password_hash)
        finish_generation(app, password_hash)
        generation[LARGE] = time.perf_counter() - clock
        sizes[LARGE] = dataset_size(app)
        counts[LARGE] = count_pages(app, engine, ids)
        timings[LARGE] = time_everything(app, engine, ids, args.runs)
        with app.app_context():
            db.engine.dispose()

    small, large = SMALL, LARGE
    print("\nDataset")
    labels = list(sizes[small])
    print_table(
        ["size", *labels, "generated in"],
        [[size, *sizes[size].values(), f"{generation[size]:.1f} s"] for size in sizes],
        right=set(range(1, len(labels) + 2)),
    )

    print("\nSQL statements per page (the first cohort's people; each page fetched once before)")
    print("max repeat: how many times the most frequent statement ran at " + large)
    rows, differing, repeated = [], [], []
    for (label, role), (status, statements) in counts[small].items():
        status_large, statements_large = counts[large][label, role]
        equal = len(statements) == len(statements_large) and status == status_large
        pattern = next(p for name, p, _roles in PAGES if name == label)
        page = pattern.format(cohort="<id>", s1="<S1>", token="<token>")
        if not equal:
            differing.append((label, role, page))
        runs = repetitions(statements_large)
        times = runs[0][1] if runs else 0
        repeated.extend((page, role, n, sql) for sql, n in runs if n >= REPEATED)
        rows.append(
            [
                page,
                role,
                status if status == status_large else f"{status}/{status_large}",
                len(statements),
                len(statements_large),
                "yes" if equal else "NO",
                times,
            ]
        )
    print_table(
        ["page", "role", "status", small, large, "equal", "max repeat"], rows, right={2, 3, 4, 6}
    )
    for label, role, page in differing:
        print(f"\n  {page} as {role}: statements that ran more often at {large}")
        report_growth(counts[small][label, role][1], counts[large][label, role][1])
    if repeated:
        print(
            f"\nStatements run {REPEATED} times or more in one request: probably once per row "
            "shown, so they grow with the user's own data even when the counts above are equal"
        )
        for page, role, times, statement in repeated:
            print(f"  {page} as {role}: {times}×  {shorten(statement)}")

    print(f"\nTimings in ms, {args.runs} runs each (after one untimed run)")
    rows = []
    for label, (samples, note) in timings[small].items():
        samples_large, note_large = timings[large][label]
        rows.append(
            [
                label,
                f"{statistics.median(samples):.1f}",
                f"{p95(samples):.1f}",
                f"{statistics.median(samples_large):.1f}",
                f"{p95(samples_large):.1f}",
                note_large if note_large == note else f"{note} / {note_large}",
            ]
        )
    print_table(
        ["measure", f"median {small}", f"p95 {small}", f"median {large}", f"p95 {large}", ""],
        rows,
        right={1, 2, 3, 4},
    )
    print(f"\ntotal wall time: {time.perf_counter() - started:.0f} s")
    if differing:
        print(f"\n{len(differing)} page(s) run more SQL statements at {large}: N+1 queries")
        sys.exit(1)
    print(f"\nevery page runs the same number of SQL statements at {small} and {large}")


if __name__ == "__main__":
    main()
