"""Load test: a bounded burst of reads and writes on every role's main pages, under gunicorn.

Run by hand from the repository root (pytest does not collect it):

    .venv/bin/python tests/benchmarks/load_test.py [--requests 2000] [--concurrency 16]
        [--workers 2] [--writes 0.3] [--seed 1]
        [--database-url postgresql://postgres@127.0.0.1:5432/load_bench]

It fills a temporary SQLite database (or, with --database-url, a PostgreSQL database whose
name contains "bench": every table in it is dropped first) with the demo through ``flask
demo`` itself, reopens a few catalyseurs' mid-way self-assessments (as a coordinator would, so
that they have a draft to write), then serves Parcours the way the README's « Production
deployment » says: ``gunicorn -c python:parcours.core.gunicorn_conf --workers N`` (SECRET_KEY
and PARCOURS_BASE_URL set, no debug) on a free loopback port. It logs in through the login
form (CSRF token included, cookies kept) as the administrator, the coordinator, a coach, the
catalyseurs and a Comité d'orientation member, then fires --requests requests from
--concurrency threads: GETs of each role's main pages, and writes (a share of --writes of the
operations), each a GET of the form then its POST with the fresh CSRF token and the fields
the page gave, as a browser sends them:

- the coordinator marks attendance on the demo cohort's sessions (one mark changed per save);
- catalyseurs write entries of their territory's carnet de bord;
- catalyseurs save their self-assessment's draft through the autosave address (JSON).

One person does one save of a form at a time (a lock per account and form), as one browser
tab does: two saves of the same form at once would rightly be a conflict (409).

The table gives, per page: requests, errors (a status other than the one the page answers —
200, or the redirect after a save —, any status of 500 or more, a connection error), and the
p50, p95 and max latency in milliseconds. Then it reads gunicorn's log (standard error) for
« database is locked », tracebacks, errors and worker timeouts, and checks in the database
that every journal entry answered as saved is there. The exit status is 1 when anything of
that went wrong, or when the server does not start.
"""

import argparse
import http.client
import json
import math
import os
import random
import re
import secrets
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field, replace
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, select  # noqa: E402

from parcours import create_app  # noqa: E402
from parcours.accounts.models import DEMO_EMAIL_DOMAIN, User  # noqa: E402
from parcours.agenda.models import Event  # noqa: E402
from parcours.cohorts.models import Cohort  # noqa: E402
from parcours.competences.campaigns.operations import reopen_answer  # noqa: E402
from parcours.competences.models import Assessment, AssessmentCampaign, Viewpoint  # noqa: E402
from parcours.competences.operations import latest_revision  # noqa: E402
from parcours.core.extensions import db  # noqa: E402
from parcours.curricula.schema import EventKind  # noqa: E402
from parcours.demo.cli import DEFAULT_PASSWORD  # noqa: E402
from parcours.suivi.models import JournalEntry  # noqa: E402
from tests.benchmarks.bench_pages import (  # noqa: E402
    ACCOUNTS,
    PAGES,
    USER_AGENT,
    BenchError,
    Server,
    build_demo,
    free_port,
    wait_until_up,
)
from tests.benchmarks.shared import engine_url, fresh_schema, print_table  # noqa: E402
from tests.conftest import app_config  # noqa: E402

#: Titles of the journal entries the burst writes, to count them afterwards.
JOURNAL_TITLE = "Essai de charge"
#: What gunicorn's log must not say.
LOG_PROBLEMS = {
    "database is locked": re.compile(r"database is locked", re.I),
    "traceback": re.compile(r"Traceback \(most recent call last\)"),
    "error line": re.compile(r"\[ERROR\]| ERROR |\"level\": \"ERROR\"|\[CRITICAL\]"),
    "worker timeout": re.compile(r"WORKER TIMEOUT"),
}


# Forms --------------------------------------------------------------------------------------


@dataclass
class Form:
    """A form of a page: its attributes, the fields a browser would send, the choices."""

    attrs: dict
    fields: dict[str, list[str]] = field(default_factory=dict)
    choices: dict[str, list[str]] = field(default_factory=dict)

    def add(self, name: str, value: str) -> None:
        self.fields.setdefault(name, []).append(value)

    def set(self, name: str, value: str) -> None:
        self.fields[name] = [value]

    def encoded(self) -> str:
        return urlencode(
            [(name, value) for name, values in self.fields.items() for value in values]
        )


class FormParser(HTMLParser):
    """Collect the forms of a page as a browser would submit them (no button pressed)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._textarea: list | None = None
        self._select: list | None = None

    def handle_starttag(self, tag, attrs):
        attributes = {key: value or "" for key, value in attrs}
        if tag == "form":
            self._form = Form(attributes)
            self.forms.append(self._form)
            return
        if self._form is None:
            return
        name = attributes.get("name")
        if tag == "input" and name:
            kind = attributes.get("type", "text").lower()
            if kind in {"submit", "button", "image", "reset", "file"}:
                return
            if kind in {"radio", "checkbox"}:
                value = attributes.get("value", "on")
                self._form.choices.setdefault(name, []).append(value)
                if "checked" in attributes:
                    self._form.add(name, value)
                return
            self._form.add(name, attributes.get("value", ""))
        elif tag == "textarea" and name:
            self._textarea = [name, ""]
        elif tag == "select" and name:
            self._select = [name, None, None]  # name, first option, selected option
        elif tag == "option" and self._select is not None:
            value = attributes.get("value", "")
            if self._select[1] is None:
                self._select[1] = value
            if "selected" in attributes:
                self._select[2] = value

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "textarea" and self._textarea is not None and self._form is not None:
            name, text = self._textarea
            self._form.add(name, text.removeprefix("\n"))  # as browsers read it
            self._textarea = None
        elif tag == "select" and self._select is not None and self._form is not None:
            name, first, selected = self._select
            if selected is not None or first is not None:
                self._form.add(name, selected if selected is not None else first)
            self._select = None


def forms_of(body: bytes) -> list[Form]:
    parser = FormParser()
    parser.feed(body.decode("utf-8", "replace"))
    return parser.forms


# HTTP ---------------------------------------------------------------------------------------


class Browser:
    """One person's cookies, shared by the threads that act as that person."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}
        self.lock = threading.Lock()

    def request(self, method: str, path: str, *, body=None, headers=None):
        """Make one request with this person's cookies; keep those it sets."""
        with self.lock:
            cookie = "; ".join(f"{key}={value}" for key, value in self.cookies.items())
        sent = {"User-Agent": USER_AGENT, **(headers or {})}
        if cookie:
            sent["Cookie"] = cookie
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            connection.request(method, path, body=body, headers=sent)
            response = connection.getresponse()
            data = response.read()
        finally:
            connection.close()
        jar = SimpleCookie()
        for value in response.headers.get_all("Set-Cookie") or []:
            jar.load(value)
        if jar:
            with self.lock:
                self.cookies.update({key: morsel.value for key, morsel in jar.items()})
        return response.status, response.headers, data

    def post_form(self, path: str, form: Form, headers=None):
        return self.request(
            "POST",
            path,
            body=form.encoded(),
            headers={"Content-Type": "application/x-www-form-urlencoded", **(headers or {})},
        )

    def log_in(self, email: str, password: str) -> None:
        """Log in through the login form, as a browser does."""
        status, _headers, body = self.request("GET", "/login")
        login = next((f for f in forms_of(body) if "email" in f.fields), None)
        if status != 200 or login is None or "csrf_token" not in login.fields:
            raise BenchError(f"no login form with a CSRF token (status {status})")
        login.set("email", email)
        login.set("password", password)
        status, _headers, _body = self.post_form("/login", login)
        if status != 302:
            raise BenchError(f"login of {email} failed (status {status})")


# The burst ----------------------------------------------------------------------------------


@dataclass
class Outcome:
    """What the burst measured, per page label."""

    latencies: dict[tuple[str, str], list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[tuple[str, str], list[str]] = field(default_factory=lambda: defaultdict(list))
    journal_saved: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def timed(self, page: tuple[str, str], expected: int, call):
        """Run one request; note its latency and any unexpected status; return its answer."""
        started = time.perf_counter()
        try:
            status, headers, body = call()
        except (OSError, http.client.HTTPException) as error:
            with self.lock:
                self.latencies[page].append((time.perf_counter() - started) * 1000)
                self.errors[page].append(f"{type(error).__name__}: {error}")
            return None
        with self.lock:
            self.latencies[page].append((time.perf_counter() - started) * 1000)
            if status != expected:
                self.errors[page].append(f"status {status}")
        return (status, headers, body) if status == expected else None


@dataclass
class Plan:
    """Who does what: the browsers, and the pages and forms of the burst."""

    browsers: dict[str, Browser]
    reads: list[tuple[str, str, str]]  # label, role (browser key), path
    sheets: list[str]  # attendance sheets the coordinator marks
    journals: list[tuple[str, str]]  # browser key, journal new-entry path
    drafts: list[tuple[str, str]]  # browser key, self-assessment form path
    form_locks: dict = field(default_factory=lambda: defaultdict(threading.Lock))
    #: Journal entries saved while checking the forms, before the burst.
    warm_journal: int = 0


def read(plan: Plan, outcome: Outcome, rng: random.Random) -> None:
    label, role, path = rng.choice(plan.reads)
    browser = plan.browsers[role]
    outcome.timed((f"GET {label}", role), 200, lambda: browser.request("GET", path))


def mark_attendance(plan: Plan, outcome: Outcome, rng: random.Random) -> None:
    """Change one mark of an attendance sheet and save it, as the coordinator."""
    path = rng.choice(plan.sheets)
    browser = plan.browsers["coordinator"]
    with plan.form_locks["coordinator", path]:
        page = outcome.timed(
            ("GET attendance sheet", "coordinator"), 200, lambda: browser.request("GET", path)
        )
        if page is None:
            return
        sheet = next(
            f for f in forms_of(page[2]) if any(n.startswith("status_") for n in f.choices)
        )
        cell = rng.choice([name for name in sheet.choices if name.startswith("status_")])
        current = (sheet.fields.get(cell) or [""])[0]
        sheet.set(cell, rng.choice([v for v in sheet.choices[cell] if v and v != current]))
        outcome.timed(
            ("POST attendance sheet", "coordinator"), 302, lambda: browser.post_form(path, sheet)
        )


def write_journal(plan: Plan, outcome: Outcome, rng: random.Random) -> None:
    """Write a new entry of a territory's carnet de bord, as one of its catalyseurs."""
    who, path = rng.choice(plan.journals)
    browser = plan.browsers[who]
    with plan.form_locks[who, path]:
        page = outcome.timed(
            ("GET journal new entry", "catalyseur"), 200, lambda: browser.request("GET", path)
        )
        if page is None:
            return
        entry = next(f for f in forms_of(page[2]) if "what_we_did" in f.fields)
        entry.set("title", f"{JOURNAL_TITLE} {rng.randrange(10**6)}")
        entry.set("what_we_did", "Réunion avec la mairie et deux associations du quartier.")
        entry.set("what_we_learned", "Partir des besoins exprimés plutôt que des dispositifs.")
        if not entry.fields.get("visibility"):
            entry.set("visibility", entry.choices["visibility"][0])
        if outcome.timed(
            ("POST journal new entry", "catalyseur"), 302, lambda: browser.post_form(path, entry)
        ):
            with outcome.lock:
                outcome.journal_saved += 1


def save_draft(plan: Plan, outcome: Outcome, rng: random.Random) -> None:
    """Change one rating of a self-assessment and autosave its draft, as its catalyseur."""
    who, path = rng.choice(plan.drafts)
    browser = plan.browsers[who]
    with plan.form_locks[who, path]:
        page = outcome.timed(
            ("GET self-assessment", "catalyseur"), 200, lambda: browser.request("GET", path)
        )
        if page is None:
            return
        form = next(f for f in forms_of(page[2]) if "data-autosave-url" in f.attrs)
        item = rng.choice([name for name in form.choices if name.startswith("level-")])
        form.set(item, rng.choice(form.choices[item]))
        answer = outcome.timed(
            ("POST self-assessment draft", "catalyseur"),
            200,
            lambda: browser.post_form(
                form.attrs["data-autosave-url"], form, {"Accept": "application/json"}
            ),
        )
        if answer is not None and "version" not in json.loads(answer[2]):
            with outcome.lock:
                outcome.errors["POST self-assessment draft", "catalyseur"].append("no version")


WRITES = (mark_attendance, write_journal, save_draft)


def burst(plan: Plan, args) -> tuple[Outcome, float]:
    """Fire about --requests requests from --concurrency threads; return what they measured."""
    rng = random.Random(args.seed)  # a load pattern, not a secret
    # A read is one request, a write two (its form, then the save).
    tasks, budget = [], args.requests
    while budget > 0:
        task = rng.choice(WRITES) if rng.random() < args.writes else read
        tasks.append((task, rng.randrange(2**32)))
        budget -= 1 if task is read else 2
    outcome, lock = Outcome(), threading.Lock()

    def worker() -> None:
        while True:
            with lock:
                if not tasks:
                    return
                task, seed = tasks.pop()
            try:
                task(plan, outcome, random.Random(seed))
            except (StopIteration, KeyError, IndexError, ValueError) as error:
                with outcome.lock:  # a page without the form it should have
                    outcome.errors[task.__name__, "form"].append(repr(error))

    threads = [threading.Thread(target=worker) for _ in range(args.concurrency)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcome, time.perf_counter() - started


# Data and server ----------------------------------------------------------------------------


def _email(local: str) -> str:
    return f"{local}@{DEMO_EMAIL_DOMAIN}"


def prepare(app, cohort_id: int, drafters: int) -> dict:
    """Reopen a few mid-way self-assessments; return who writes what (emails, ids, paths)."""
    with app.test_request_context():
        cohort = db.session.get(Cohort, cohort_id)
        coordinator = db.session.scalar(select(User).where(User.email == ACCOUNTS["coordinator"]))
        campaign = db.session.scalar(
            select(AssessmentCampaign)
            .join(Event, AssessmentCampaign.event_id == Event.id)
            .where(AssessmentCampaign.cohort_id == cohort_id)
            .order_by(Event.starts_at.desc())
            .limit(1)
        )
        writers = []
        for territory in cohort.territories:
            if territory.status != "accepted":
                continue
            for membership in territory.catalyseurs:
                writers.append((membership.user, territory))
        reopened = 0
        drafts = []
        for user, _territory in writers:
            answer = db.session.scalar(
                select(Assessment).where(
                    Assessment.campaign_id == campaign.id,
                    Assessment.viewpoint == Viewpoint.SELF,
                    Assessment.participant_id == user.id,
                )
            )
            if answer is not None and reopened < drafters:
                latest = latest_revision(campaign.id, answer.subject)
                if latest is not None and latest.id == answer.id:
                    reopen_answer(answer, by=coordinator)
                    reopened += 1
                    drafts.append(user.email)
        db.session.commit()
        sheets = db.session.scalars(
            select(Event.id)
            .where(Event.cohort_id == cohort_id, Event.kind == EventKind.SESSION)
            .order_by(Event.starts_at)
        ).all()
        return {
            "campaign": campaign.id,
            "drafts": drafts,
            "journals": [(user.email, territory.id) for user, territory in writers],
            "sheets": [f"/events/{event_id}/attendance" for event_id in sheets],
        }


def start_server(url: str, folder: str, workers: int) -> Server:
    """Start Parcours under gunicorn with the project's settings, as in production."""
    port = free_port()
    environment = {
        key: value for key, value in os.environ.items() if not key.startswith("PARCOURS_")
    }
    environment.pop("FLASK_DEBUG", None)
    environment.update(
        DATABASE_URL=url,
        SECRET_KEY=secrets.token_hex(32),
        PARCOURS_BASE_URL=f"http://127.0.0.1:{port}",
    )
    log = Path(folder) / "gunicorn.stderr"
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "-c",
        "python:parcours.core.gunicorn_conf",
        "--workers",
        str(workers),
        "--bind",
        f"127.0.0.1:{port}",
    ]
    with open(Path(folder) / "access.log", "wb") as access, open(log, "wb") as errors:
        # From ROOT, so that ``python -m`` imports this checkout's code, not an installed one.
        process = subprocess.Popen(  # noqa: S603
            command, env=environment, stdout=access, stderr=errors, cwd=ROOT
        )
    return Server("parcours", port, process, log)


def plan_burst(port: int, people: dict, cohort_id: int, sample: int) -> Plan:
    """Log everyone in, keep the forms that answer as they should; return the plan."""
    browsers: dict[str, Browser] = {}

    def browser(key: str, email: str) -> Browser:
        if key not in browsers:
            browsers[key] = Browser(port)
            browsers[key].log_in(email, DEFAULT_PASSWORD)
        return browsers[key]

    for role, email in ACCOUNTS.items():
        browser(role, email)
    reads = [(label, role, path.format(cohort=cohort_id)) for label, role, path in PAGES]
    journals = []
    for email, territory_id in people["journals"][:sample]:
        browser(email, email)
        journals.append((email, f"/territories/{territory_id}/suivi/journal/new"))
    drafts = []
    for email in people["drafts"]:
        browser(email, email)
        drafts.append((email, f"/auto-evaluations/{people['campaign']}/moi"))
    # Sessions whose attendance may be taken now (recording closes some time after).
    sheets = []
    coordinator = browsers["coordinator"]
    for path in people["sheets"]:
        status, _headers, body = coordinator.request("GET", path)
        if status == 200 and any(
            name.startswith("status_") for form in forms_of(body) for name in form.choices
        ):
            sheets.append(path)
    if not (sheets and journals and drafts):
        raise BenchError(f"nothing to write: {len(sheets)} sheets, {len(drafts)} drafts")
    plan = Plan(browsers, reads, sheets, journals, drafts)
    # Once each, before the burst: every form answers as the burst expects, and each session
    # holds its CSRF secret (two first form pages at once would each make one).
    warm = Outcome()
    for path in sheets:
        mark_attendance(replace(plan, sheets=[path]), warm, random.Random(0))
    for journal in journals:
        write_journal(replace(plan, journals=[journal]), warm, random.Random(0))
    for draft in drafts:
        save_draft(replace(plan, drafts=[draft]), warm, random.Random(0))
    for label, role, path in reads:
        warm.timed((label, role), 200, lambda b=browsers[role], p=path: b.request("GET", p))
    if warm.errors:
        raise BenchError(
            f"the forms do not answer as expected before the burst: {dict(warm.errors)}"
        )
    plan.warm_journal = warm.journal_saved
    return plan


# Report -------------------------------------------------------------------------------------


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def report(outcome: Outcome) -> int:
    """Print one line per page; return the number of errors."""
    rows, total_errors = [], 0
    keys = sorted(
        set(outcome.latencies) | set(outcome.errors), key=lambda k: (k[0].startswith("POST"), k)
    )
    for key in keys:
        latencies = outcome.latencies.get(key, [])
        errors = outcome.errors.get(key, [])
        total_errors += len(errors)
        rows.append(
            [
                key[0],
                key[1],
                len(latencies),
                len(errors),
                f"{percentile(latencies, 0.50):.0f}" if latencies else "—",
                f"{percentile(latencies, 0.95):.0f}" if latencies else "—",
                f"{max(latencies):.0f}" if latencies else "—",
                ", ".join(sorted(set(errors)))[:60],
            ]
        )
    print_table(
        ["page", "role", "requests", "errors", "p50 ms", "p95 ms", "max ms", ""],
        rows,
        right={2, 3, 4, 5, 6},
    )
    return total_errors


def scan_log(log: Path) -> dict[str, int]:
    """Count the lines of gunicorn's log that say something went wrong."""
    text = log.read_text(errors="replace") if log.exists() else ""
    return {name: len(pattern.findall(text)) for name, pattern in LOG_PROBLEMS.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000, help="requests (default 2000)")
    parser.add_argument("--concurrency", type=int, default=16, help="threads (default 16)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2)")
    parser.add_argument(
        "--writes", type=float, default=0.3, help="share of operations that save (default 0.3)"
    )
    parser.add_argument("--journal-writers", type=int, default=8, help="catalyseurs (default 8)")
    parser.add_argument("--drafters", type=int, default=6, help="drafts reopened (default 6)")
    parser.add_argument("--seed", type=int, default=1, help="of the load pattern (default 1)")
    parser.add_argument("--database-url", help="a PostgreSQL database to empty and fill")
    args = parser.parse_args()
    started = time.perf_counter()
    server = None
    failed = False
    try:
        with tempfile.TemporaryDirectory() as folder:
            url = engine_url(args.database_url, folder)
            app = create_app(app_config(url))
            fresh_schema(app)
            cohort_id = build_demo(app)
            people = prepare(app, cohort_id, args.drafters)
            with app.app_context():
                dialect = db.engine.dialect.name
                db.engine.dispose()  # the server opens its own connections
            print(f"database: {dialect}, the demo (cohort {cohort_id}) built and prepared")
            server = start_server(url, folder, args.workers)
            wait_until_up(server, "/healthz")
            plan = plan_burst(server.port, people, cohort_id, args.journal_writers)
            print(
                f"burst: {args.requests} requests, {args.concurrency} threads, "
                f"{args.writes:.0%} of operations save; gunicorn --workers {args.workers} "
                f"(sync, parcours.core.gunicorn_conf); {len(plan.browsers)} people logged in, "
                f"{len(plan.sheets)} attendance sheets, {len(plan.journals)} carnets de bord, "
                f"{len(plan.drafts)} self-assessment drafts"
            )
            outcome, elapsed = burst(plan, args)
            server.stop()
            server = None
            print()
            errors = report(outcome)
            total = sum(len(v) for v in outcome.latencies.values())
            rate = total / elapsed
            print(f"\n{total} requests in {elapsed:.1f} s ({rate:.0f} req/s), {errors} errors")
            problems = scan_log(Path(folder) / "gunicorn.stderr")
            print(
                "gunicorn log: " + ", ".join(f"{name} {count}" for name, count in problems.items())
            )
            with app.app_context():
                written = db.session.scalar(
                    select(func.count(JournalEntry.id)).where(
                        JournalEntry.title.startswith(JOURNAL_TITLE)
                    )
                )
                db.engine.dispose()
            expected = outcome.journal_saved + plan.warm_journal
            print(f"journal entries saved: {expected} answered, {written} in the database")
            failed = bool(errors) or any(problems.values()) or written != expected
            if any(problems.values()):
                print("\n--- gunicorn log (end) ---")
                print((Path(folder) / "gunicorn.stderr").read_text(errors="replace")[-4000:])
    except (BenchError, subprocess.CalledProcessError) as error:
        sys.exit(f"error: {error}")
    finally:
        if server is not None:
            server.stop()
    print(f"total wall time: {time.perf_counter() - started:.0f} s")
    if failed:
        sys.exit(1)


if __name__ == "__main__":
    main()
