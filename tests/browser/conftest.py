"""Real-browser fixtures: a live server on the test database and a Chromium driven by Playwright.

Chromium comes from the system (Debian's ``chromium`` package), never from
``playwright install``. Without it the browser tests are skipped locally, but in CI
(``CI=true``) they fail: browser tests must never be skipped there.
"""

import os
import re
import tempfile
import threading
from pathlib import Path

import pytest
from werkzeug.serving import WSGIRequestHandler, make_server

from parcours import create_app
from parcours.core.extensions import db
from tests.conftest import PASSWORD, app_config

CHROMIUM = Path(os.environ.get("PARCOURS_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",  # the tests run as root
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
TIMEOUT_MS = 10_000


def _in_ci() -> bool:
    return os.environ.get("CI") == "true"


def _unavailable(reason: str):
    """Skip locally; fail in CI, where browser tests must run."""
    if _in_ci():
        pytest.fail(f"{reason} (CI=true: browser tests cannot be skipped)", pytrace=False)
    pytest.skip(reason)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """In CI, turn any skipped browser test into a failure, whatever skipped it."""
    report = yield
    skipped = report.skipped and not hasattr(report, "wasxfail")
    if _in_ci() and skipped and item.get_closest_marker("browser"):
        report.outcome = "failed"
        reason = call.excinfo.value if call.excinfo else ""
        report.longrepr = f"browser test skipped in CI: {reason}"
    return report


class _QuietHandler(WSGIRequestHandler):
    """Do not log every request of the live server; errors are still logged."""

    # Drop idle connections (Chromium opens some ahead of time) so that no request thread
    # can keep the server from closing.
    timeout = 5

    def log_request(self, *args, **kwargs) -> None:
        pass


def _buffered(wsgi_app):
    """Read each response whole, and close it, before the server sends anything.

    Werkzeug's development server skips ``close()`` on the response when the browser drops
    the connection (a stylesheet request cut short by a navigation, say): the static file
    being sent then leaks and, with ``filterwarnings = error``, fails a random test with a
    ResourceWarning.
    """

    def application(environ, start_response):
        iterable = wsgi_app(environ, start_response)
        try:
            body = b"".join(iterable)
        finally:
            if hasattr(iterable, "close"):
                iterable.close()
        return [body]

    return application


@pytest.fixture
def live_server(app, database_url_for_tests):
    """Serve a CSRF-protected copy of the application on the test database; yield its URL.

    ``app`` is requested so that the schema exists. The server answers from its own threads
    and connections, so these tests commit for real and the tables are emptied after each.
    """
    live_app = create_app(app_config(database_url_for_tests, WTF_CSRF_ENABLED=True))
    server = make_server(
        "127.0.0.1", 0, _buffered(live_app), threaded=True, request_handler=_QuietHandler
    )
    # Let server_close() wait for the request threads, so none still holds a connection
    # to the database when its engine is disposed.
    server.daemon_threads = False
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
        with live_app.app_context():
            db.engine.dispose()


@pytest.fixture(scope="session")
def browser():
    """One Chromium for the whole run."""
    if not CHROMIUM.exists():
        _unavailable(f"Chromium not found at {CHROMIUM}: apt-get install chromium")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("Playwright is not installed: pip install -e '.[test]'")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


# Chromium asks every site for /favicon.ico; the app has none yet, so the 404 is not a page error.
IGNORED_URLS = re.compile(r"/favicon\.ico$")
FAILED_STATUS = re.compile(r"^Failed to load resource: the server responded with a status of (\d+)")


class PageProblems:
    """What a page complained about: console errors, uncaught exceptions, server errors."""

    def __init__(self) -> None:
        self.console: list[str] = []
        self.exceptions: list[str] = []
        self.server_errors: list[str] = []

    def watch(self, page) -> None:
        page.on("console", self._on_console)
        page.on("pageerror", lambda error: self.exceptions.append(str(error)))
        page.on("response", self._on_response)

    def _on_console(self, message) -> None:
        url = message.location.get("url", "")
        if message.type in ("error", "warning") and not IGNORED_URLS.search(url):
            self.console.append(f"{message.type}: {message.text} [{url}]")

    def _on_response(self, response) -> None:
        if response.status >= 500:
            self.server_errors.append(f"{response.status} {response.url}")

    def csp_violations(self) -> list[str]:
        return [m for m in self.console if "Content Security Policy" in m]

    def errors(self, *expected_statuses: int) -> list[str]:
        """Console messages, less the documents answered with one of ``expected_statuses``

        (Chromium logs a page served as 400 or 403 as a failed resource).
        """
        kept = []
        for line in self.console:
            text = line.partition(": ")[2]
            status = FAILED_STATUS.match(text)
            if not (status and int(status.group(1)) in expected_statuses):
                kept.append(line)
        return kept


@pytest.fixture
def page_problems():
    return PageProblems()


@pytest.fixture
def browser_context(browser, live_server):
    """A fresh context (cookies, storage) per test, in French, pointed at the live server."""
    context = browser.new_context(
        base_url=live_server,
        locale="fr-FR",
        timezone_id="Europe/Paris",
        viewport={"width": 1280, "height": 900},
    )
    context.set_default_timeout(TIMEOUT_MS)
    yield context
    context.close()


@pytest.fixture
def page(browser_context, page_problems):
    """A page whose console errors, uncaught exceptions and 5xx responses fail the test."""
    page = browser_context.new_page()
    page_problems.watch(page)
    yield page
    assert not page_problems.exceptions, page_problems.exceptions
    assert not page_problems.server_errors, page_problems.server_errors


@pytest.fixture(scope="session")
def screenshot():
    """Return a function that saves a full-page screenshot as ``shot-<name>.png``.

    They go to $PARCOURS_SCREENSHOTS, else the system's temporary directory, for a human
    to look at (CI can keep them as artifacts).
    """
    folder = Path(os.environ.get("PARCOURS_SCREENSHOTS") or tempfile.gettempdir())
    folder.mkdir(parents=True, exist_ok=True)

    def _take(page, name: str) -> Path:
        path = folder / f"shot-{name}.png"
        page.screenshot(path=path, full_page=True)
        return path

    return _take


@pytest.fixture
def log_in(page):
    """Return a function that logs ``page`` in through the real login form."""

    def _log_in(email: str, password: str = PASSWORD) -> None:
        page.goto("/login")
        page.fill("input[name=email]", email)
        page.fill("input[name=password]", password)
        with page.expect_navigation():
            page.get_by_role("button", name="Se connecter").click()
        assert "/login" not in page.url, page.locator("main").inner_text()

    return _log_in
