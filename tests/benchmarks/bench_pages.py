"""Measure each role's main pages against a bare Flask hello-world, both under gunicorn.

Run by hand from the repository root (pytest does not collect it):

    .venv/bin/python tests/benchmarks/bench_pages.py [--pairs 5] [--duration 2]
        [--connections 4] [--threads 2] [--tool auto|wrk|python] [--only TEXT]
        [--queries-only] [--no-page-cache]
        [--database-url postgresql://postgres@127.0.0.1:5432/bench]

It fills a temporary SQLite database (or, with --database-url, a PostgreSQL database whose name
contains "bench": every table in it is dropped first) with the demo data through ``flask demo``
itself (12 territories, 25 accounts), then starts two gunicorn servers on loopback with the same
settings (2 sync workers): Parcours in production mode (SECRET_KEY and PARCOURS_BASE_URL set, no
debug) and the hello-world of tests/benchmarks/hello.py. It logs in as each role through the
login form (CSRF token included) and, for each main page, alternates a run against the
hello-world and a run against the page, --pairs times, each run lasting --duration seconds at
--connections concurrent connections. Loads are driven by wrk when it is installed
(``apt-get install wrk``), else by a Python fallback (threads and http.client); the output says
which. Both runs of a pair share whatever else the machine is doing at that moment, which is
why the result is a ratio and not a number of requests per second.

The table gives, per page and role: the median requests per second of the page and of the
hello-world, the ratio (the median of the pairs' ratios, each page run against the hello-world
run just before it) and its spread (the lowest and highest pair); on Linux, the CPU time the
gunicorn workers spent per request (median over the runs, read from /proc) for the page and the
hello-world, and their ratio, which moves much less than the throughput when other processes
share the CPU; then, in-process (Flask test client on the same data, after one warm-up
request), the SQL statements of one request and its median CPU time, twice: rendered (the page
cache emptied before each request) and kept (served again from the page cache, as a reload is
while nothing was written). Under wrk a page is rendered once per minute and worker, then
served from the cache; --no-page-cache serves every load rendered instead.
--only TEXT keeps the pages whose "role URL" contains TEXT (e.g. --only "coordinator /agenda").
The target is a ratio of at least 0.10 and at most 10 statements per page; the script only
reports it. The exit status is 1 on errors (a server that does not start, a page that does not
answer 200, failed requests), never on the ratio.
"""

import argparse
import http.client
import os
import re
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from sqlalchemy import select  # noqa: E402

from parcours import create_app  # noqa: E402
from parcours.accounts.models import DEMO_EMAIL_DOMAIN  # noqa: E402
from parcours.cohorts.models import Cohort  # noqa: E402
from parcours.core import page_cache  # noqa: E402
from parcours.core.extensions import db  # noqa: E402
from parcours.demo import data as demo  # noqa: E402
from parcours.demo.cli import DEFAULT_PASSWORD  # noqa: E402
from tests.benchmarks.shared import (  # noqa: E402
    StatementLog,
    engine_url,
    fresh_schema,
    print_table,
)
from tests.conftest import app_config, login  # noqa: E402

#: Sessions are bound to the browser's User-Agent: log in and load pages with the same one.
USER_AGENT = "parcours-bench/1"
RATIO_TARGET = 0.10
QUERY_TARGET = 10


def _email(local: str) -> str:
    return f"{local}@{DEMO_EMAIL_DOMAIN}"


#: Who logs in for each role: the demo's accounts (the catalyseur is in a binôme).
ACCOUNTS = {
    "admin": _email(demo.ADMIN[1]),
    "coordinator": _email(demo.COORDINATOR[1]),
    "coach": _email(demo.COACHES[0][1]),
    "catalyseur": _email(demo.TERRITORIES[0][6][0][1]),
    "committee": _email(demo.COMMITTEE[0][1]),
}

#: The main pages of each role: (label, role, URL pattern); {cohort} is the demo cohort's id.
PAGES = [
    ("home", "admin", "/"),
    ("Mon agenda", "admin", "/agenda"),
    ("cohort overview", "admin", "/cohorts/{cohort}"),
    ("home", "coordinator", "/"),
    ("Mon agenda", "coordinator", "/agenda"),
    ("cohort overview", "coordinator", "/cohorts/{cohort}"),
    ("home", "coach", "/"),
    ("Mes territoires", "coach", "/cohorts/{cohort}/my-territories"),
    ("home", "catalyseur", "/"),
    ("Mon parcours", "catalyseur", "/cohorts/{cohort}/my-path"),
    ("Mon agenda", "catalyseur", "/agenda"),
    ("Belles histoires", "catalyseur", "/cohorts/{cohort}/belles-histoires"),
    ("home", "committee", "/"),
    ("cohort overview", "committee", "/cohorts/{cohort}"),
    ("Espace du comité", "committee", "/cohorts/{cohort}/comite"),
]


class BenchError(RuntimeError):
    """Something went wrong: the measure is void."""


# Data -------------------------------------------------------------------------------------


def build_demo(app) -> int:
    """Fill the database through ``flask demo``; return the demo cohort's id."""
    result = app.test_cli_runner().invoke(args=["demo", "--password", DEFAULT_PASSWORD])
    if result.exit_code != 0:
        raise BenchError(f"flask demo failed:\n{result.output}") from result.exception
    with app.app_context():
        # The promotion in progress: the latest to start (the other one has ended).
        return db.session.scalar(select(Cohort.id).order_by(Cohort.start_date.desc()).limit(1))


def count_queries(app, pages: list, cohort_id: int, runs: int) -> dict[tuple[str, str], tuple]:
    """Return, per page, (SQL statements, median CPU ms) in-process, rendered then kept.

    *Rendered* is the page built from the database (the page cache emptied before each
    request): its statements are the ones the budget of 10 is about. *Kept* is the same page
    served again from the page cache, as a second load with nothing written in between is.
    """
    with app.app_context():
        engine = db.engine
    cache = page_cache.cache_of(app)
    results = {}
    clients = {}
    for label, role, pattern in pages:
        if role not in clients:
            clients[role] = app.test_client()
            login(clients[role], ACCOUNTS[role], DEFAULT_PASSWORD)
        client = clients[role]
        url = pattern.format(cohort=cohort_id)
        client.get(url)  # warm the per-process caches (templates, statements)
        measured = []
        for keep in (False, True):
            if not keep and cache is not None:
                cache.clear()
            log = StatementLog(engine)
            with log:
                response = client.get(url)
            if response.status_code != 200:
                raise BenchError(f"{url} as {role}: {response.status_code} in-process")
            timings = []
            for _ in range(runs):
                if not keep and cache is not None:
                    cache.clear()
                # CPU time, not wall time: other processes on the machine do not inflate it.
                start = time.process_time()
                client.get(url)
                timings.append((time.process_time() - start) * 1000)
            measured += [len(log.statements), statistics.median(timings)]
        results[label, role] = tuple(measured)
    return results


# Servers ----------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Server:
    name: str
    port: int
    process: subprocess.Popen
    log: Path

    def worker_cpu(self) -> float | None:
        """Return the CPU seconds its workers have used so far (Linux /proc), or None."""
        total, found = 0.0, False
        tick = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
        for entry in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = entry.read_text().rsplit(")", 1)[1].split()
            except OSError:  # a process that ended meanwhile
                continue
            if int(fields[1]) == self.process.pid:  # ppid: a worker of this master
                total += (int(fields[11]) + int(fields[12])) / tick  # utime + stime
                found = True
        return total if found else None

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def start_gunicorn(
    name: str, target: str, env: dict, folder: str, workers: int, port: int
) -> Server:
    """Start ``target`` under gunicorn (sync workers) on a loopback port."""
    log = Path(folder) / f"{name}.log"
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "--workers",
        str(workers),
        "--worker-class",
        "sync",
        "--bind",
        f"127.0.0.1:{port}",
        "--chdir",
        str(ROOT),
        "--error-logfile",
        str(log),
        target,
    ]
    output = subprocess.DEVNULL
    # From ROOT, so that ``python -m`` imports this checkout's code, not an installed one.
    process = subprocess.Popen(command, env=env, stdout=output, stderr=output, cwd=ROOT)  # noqa: S603
    return Server(name, port, process, log)


def wait_until_up(server: Server, path: str, timeout: float = 60) -> None:
    """Wait until ``server`` answers 200 on ``path``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            break
        try:
            status, _headers, _body = fetch(server.port, path)
            if status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    log = server.log.read_text() if server.log.exists() else ""
    raise BenchError(f"{server.name} did not start on port {server.port}:\n{log[-3000:]}")


def fetch(port: int, path: str, *, method="GET", body=None, headers=None):
    """Make one request; return status, headers and body."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request(
            method, path, body=body, headers={"User-Agent": USER_AGENT, **(headers or {})}
        )
        response = connection.getresponse()
        return response.status, response.headers, response.read()
    finally:
        connection.close()


def log_in(port: int, email: str, password: str) -> str:
    """Log in through the login form, then open the start page, as a browser does.

    Return the session cookie as a Cookie header value: the one the start page gave back,
    which holds the session's CSRF secret (created by the first page with a form), as every
    later request of a browser does.
    """

    def cookies_of(headers, jar: SimpleCookie | None = None) -> SimpleCookie:
        jar = jar if jar is not None else SimpleCookie()
        for value in headers.get_all("Set-Cookie") or []:
            jar.load(value)
        return jar

    def header(jar: SimpleCookie) -> str:
        return "; ".join(f"{key}={morsel.value}" for key, morsel in jar.items())

    status, headers, body = fetch(port, "/login")
    token = re.search(rb'name="csrf_token" type="hidden" value="([^"]+)"', body)
    if status != 200 or token is None:
        raise BenchError(f"no login form with a CSRF token (status {status})")
    form = urlencode({"email": email, "password": password, "csrf_token": token.group(1)})
    status, headers, _body = fetch(
        port,
        "/login",
        method="POST",
        body=form,
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": header(cookies_of(headers)),
        },
    )
    jar = cookies_of(headers)
    if status != 302 or not jar:
        raise BenchError(f"login of {email} failed (status {status})")
    status, headers, _body = fetch(port, "/", headers={"Cookie": header(jar)})
    if status != 200:
        raise BenchError(f"the start page of {email} answered {status}")
    return header(cookies_of(headers, jar))


# Load -------------------------------------------------------------------------------------


def run_wrk(port: int, path: str, cookie: str, args) -> tuple[float, int]:
    """Load ``path`` with wrk for --duration seconds; return requests per second and count."""
    command = [
        "wrk",
        f"--threads={args.threads}",
        f"--connections={args.connections}",
        f"--duration={args.duration}s",
        "--timeout=30s",
        "-H",
        f"User-Agent: {USER_AGENT}",
    ]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    command.append(f"http://127.0.0.1:{port}{path}")
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout  # noqa: S603
    failed = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    errors = re.search(
        r"Socket errors: connect (\d+), read \d+, write (\d+), timeout (\d+)", output
    )
    if failed or (errors and any(int(n) for n in errors.groups())):
        raise BenchError(f"failed requests on {path}:\n{output}")
    count = int(re.search(r"(\d+) requests in", output).group(1))
    return float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)), count


def run_python(port: int, path: str, cookie: str, args) -> tuple[float, int]:
    """Load ``path`` from --connections threads for --duration seconds; return req/s, count."""
    headers = {"Cookie": cookie} if cookie else {}
    counts, problems = [], []
    start = time.perf_counter()
    deadline = start + args.duration

    def worker():
        done = 0
        try:
            while time.perf_counter() < deadline:
                status, _headers, _body = fetch(port, path, headers=headers)
                if status != 200:
                    problems.append(f"{path}: {status}")
                    return
                done += 1
        except OSError as error:
            problems.append(f"{path}: {error}")
        counts.append(done)

    threads = [threading.Thread(target=worker) for _ in range(args.connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - start
    if problems:
        raise BenchError("failed requests: " + "; ".join(problems[:5]))
    return sum(counts) / elapsed, sum(counts)


@dataclass
class Measure:
    page: list[float]
    hello: list[float]
    #: CPU milliseconds the workers spent per request, per run (when /proc tells).
    page_cpu: list[float]
    hello_cpu: list[float]

    @property
    def pair_ratios(self) -> list[float]:
        """Each page run against the hello-world run just before it."""
        return [page / hello for page, hello in zip(self.page, self.hello, strict=True)]

    @property
    def ratio(self) -> float:
        # The two runs of a pair share the machine's load of the moment: the median of the
        # pairs' ratios follows that load better than the ratio of the two medians.
        return statistics.median(self.pair_ratios)

    @property
    def cpu_ratio(self) -> float | None:
        """The hello-world's CPU per request over the page's: the ratio on an idle machine."""
        if not self.page_cpu or not self.hello_cpu:
            return None
        return statistics.median(self.hello_cpu) / statistics.median(self.page_cpu)


def timed_run(server: Server, path: str, cookie: str, args, load, cpu: list) -> float:
    """Run ``load`` on ``server``; note its workers' CPU per request in ``cpu``; return req/s."""
    before = server.worker_cpu()
    rate, count = load(server.port, path, cookie, args)
    after = server.worker_cpu()
    if before is not None and after is not None and count:
        cpu.append((after - before) / count * 1000)
    return rate


def measure_pages(
    app: Server, hello: Server, cookies: dict, pages: list, cohort_id: int, args, load
):
    """Alternate hello-world and page runs for each page; return their requests per second."""
    results = {}
    for label, role, pattern in pages:
        url = pattern.format(cohort=cohort_id)
        status, _headers, _body = fetch(app.port, url, headers={"Cookie": cookies[role]})
        if status != 200:
            raise BenchError(f"{url} as {role}: {status} over HTTP")
        measure = Measure([], [], [], [])
        for _ in range(args.pairs):
            measure.hello.append(timed_run(hello, "/", "", args, load, measure.hello_cpu))
            measure.page.append(timed_run(app, url, cookies[role], args, load, measure.page_cpu))
        results[label, role] = measure
        print(
            f"  {url:<28} {role:<12} {statistics.median(measure.page):8.1f} req/s  "
            f"ratio {measure.ratio:.3f}",
            flush=True,
        )
    return results


# Report -----------------------------------------------------------------------------------


def report(pages: list, counts: dict, measures: dict | None, cohort_id: int) -> None:
    """Print one line per page: throughput against the hello-world, SQL, CPU time."""
    rows = []
    for label, role, pattern in pages:
        queries, milliseconds, kept_queries, kept_milliseconds = counts[label, role]
        row = [pattern.replace("{cohort}", str(cohort_id)), label, role]
        if measures:
            measure = measures[label, role]
            ratios = measure.pair_ratios
            cpu_ratio = measure.cpu_ratio
            row += [
                f"{statistics.median(measure.page):.0f}",
                f"{statistics.median(measure.hello):.0f}",
                f"{measure.ratio:.3f}",
                f"{min(ratios):.3f}–{max(ratios):.3f}",
                f"{statistics.median(measure.page_cpu):.1f}" if cpu_ratio else "—",
                f"{statistics.median(measure.hello_cpu):.2f}" if cpu_ratio else "—",
                f"{cpu_ratio:.3f}" if cpu_ratio else "—",
            ]
        row += [queries, f"{milliseconds:.1f}", kept_queries, f"{kept_milliseconds:.1f}"]
        missed = (measures and measures[label, role].ratio < RATIO_TARGET) or (
            queries > QUERY_TARGET
        )
        rows.append([*row, "below target" if missed else ""])
    headers = ["page", "", "role"]
    if measures:
        headers += [
            "req/s",
            "hello req/s",
            "ratio",
            "ratio min–max",
            "worker ms",
            "hello ms",
            "CPU ratio",
        ]
    headers += ["SQL", "in-process ms", "kept SQL", "kept ms", ""]
    print_table(headers, rows, right=set(range(3, len(headers) - 1)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=5, help="hello/page run pairs (default 5)")
    parser.add_argument("--duration", type=int, default=2, help="seconds per run (default 2)")
    parser.add_argument("--connections", type=int, default=4, help="concurrency (default 4)")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads (default 2)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2)")
    parser.add_argument("--runs", type=int, default=20, help="in-process runs (default 20)")
    parser.add_argument(
        "--tool",
        choices=("auto", "wrk", "python"),
        default="auto",
        help="load generator: wrk if installed (auto), or the Python fallback",
    )
    parser.add_argument(
        "--queries-only", action="store_true", help="count SQL and time in-process; no servers"
    )
    parser.add_argument(
        "--only",
        action="append",
        metavar="TEXT",
        help="measure only the pages whose 'role URL' contains TEXT (repeatable)",
    )
    parser.add_argument("--database-url", help="a PostgreSQL database to empty and fill")
    parser.add_argument(
        "--no-page-cache",
        action="store_true",
        help="serve Parcours with its page cache off (PARCOURS_PAGE_CACHE_MB=0): every load "
        "is rendered",
    )
    args = parser.parse_args()
    pages = PAGES
    if args.only:
        pages = [
            page for page in PAGES if any(text in f"{page[1]} {page[2]}" for text in args.only)
        ]
        if not pages:
            parser.error("no page matches --only")
    started = time.perf_counter()
    servers: list[Server] = []
    try:
        with tempfile.TemporaryDirectory() as folder:
            url = engine_url(args.database_url, folder)
            app = create_app(app_config(url))
            fresh_schema(app)
            cohort_id = build_demo(app)
            with app.app_context():
                dialect = db.engine.dialect.name
            print(f"database: {dialect}, the demo (cohort {cohort_id})")
            counts = count_queries(app, pages, cohort_id, args.runs)
            with app.app_context():
                db.engine.dispose()  # the servers open their own connections
            measures = None
            if not args.queries_only:
                measures = serve_and_measure(args, pages, url, folder, cohort_id, servers)
            print()
            report(pages, counts, measures, cohort_id)
    except (BenchError, subprocess.CalledProcessError) as error:
        sys.exit(f"error: {error}")
    finally:
        for server in servers:
            server.stop()
    print(f"\ntarget: ratio ≥ {RATIO_TARGET:.2f} and ≤ {QUERY_TARGET} SQL statements per page")
    print(f"total wall time: {time.perf_counter() - started:.0f} s")


def serve_and_measure(
    args, pages: list, url: str, folder: str, cohort_id: int, servers: list
) -> dict:
    """Start both servers, log every role in, and measure each page against the hello-world."""
    tool = args.tool
    if tool == "auto":
        tool = "wrk" if shutil.which("wrk") else "python"
    elif tool == "wrk" and not shutil.which("wrk"):
        raise BenchError("wrk is not installed (apt-get install wrk)")
    load = run_wrk if tool == "wrk" else run_python
    base = {key: value for key, value in os.environ.items() if not key.startswith("PARCOURS_")}
    base.pop("FLASK_DEBUG", None)
    port = free_port()
    app_env = {
        **base,
        "DATABASE_URL": url,
        "SECRET_KEY": secrets.token_hex(32),
        "PARCOURS_BASE_URL": f"http://127.0.0.1:{port}",
        "PARCOURS_PAGE_CACHE_MB": "0" if args.no_page_cache else "32",
    }
    servers.append(
        start_gunicorn("parcours", "parcours:create_app()", app_env, folder, args.workers, port)
    )
    servers.append(
        start_gunicorn(
            "hello-world", "tests.benchmarks.hello:app", base, folder, args.workers, free_port()
        )
    )
    parcours, hello = servers
    wait_until_up(parcours, "/healthz")
    wait_until_up(hello, "/")
    roles = dict.fromkeys(role for _label, role, _pattern in pages)
    cookies = {role: log_in(parcours.port, ACCOUNTS[role], DEFAULT_PASSWORD) for role in roles}
    print(
        f"load: {tool}, {args.pairs} pairs of {args.duration} s runs, {args.connections} "
        f"connections; gunicorn --workers {args.workers} (sync) for both servers; page cache "
        + ("off: every load is rendered" if args.no_page_cache else "on")
    )
    return measure_pages(parcours, hello, cookies, pages, cohort_id, args, load)


if __name__ == "__main__":
    main()
