"""Logging: one line per event on stderr, level and format from the environment, no token."""

import json
import logging
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest

from parcours.config import ConfigurationError
from parcours.core import log
from parcours.core.extensions import db
from parcours.core.paths import ROOT
from parcours.outbox import mail
from tests.core.conftest import STRONG_SECRET_KEY

TOKEN = "Zq3vY0-secret_T0ken.x1"
TEXT_LINE = re.compile(
    r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z (?P<level>[A-Z]+) \[\d+\] (?P<logger>[\w.]+): "
    r"(?P<message>.*)"
)


@pytest.fixture
def bare_logging(monkeypatch):
    """Return a function that makes logging as a fresh process has it, until the test ends:
    no handler anywhere, the root logger at WARNING, the parcours logger's level unset.

    It is called in the test itself: pytest adds its own handlers to the root logger
    between setting up the fixtures and running the test. Levels go through setLevel(),
    which empties the loggers' caches of what each level lets through.
    """
    parcours_logger = logging.getLogger("parcours")
    saved = logging.root.level, parcours_logger.level

    def _bare() -> logging.Logger:
        monkeypatch.setattr(logging.root, "handlers", [])
        monkeypatch.setattr(parcours_logger, "handlers", [])
        logging.root.setLevel(logging.WARNING)
        parcours_logger.setLevel(logging.NOTSET)
        return parcours_logger

    yield _bare
    logging.root.setLevel(saved[0])
    parcours_logger.setLevel(saved[1])


def _lines(capsys) -> list[re.Match]:
    lines = capsys.readouterr().err.splitlines()
    matches = [TEXT_LINE.fullmatch(line) for line in lines]
    assert all(matches), lines
    return matches


@pytest.mark.commits  # the console backend writes its line when the outbox delivers
@pytest.mark.parametrize("debug", [True, False])
def test_development_e_mails_reach_the_terminal_once(app, make_app, bare_logging, capsys, debug):
    console_app = make_app(PARCOURS_MAIL_BACKEND="console")
    console_app.debug = debug  # flask --debug run, or gunicorn / flask scheduler
    console_app.testing = False
    parcours_logger = bare_logging()
    log.init_app(console_app)
    log.init_app(console_app)  # a second app in the same process (flask run's reloader, tests)
    assert parcours_logger.level == logging.INFO
    assert [type(h) for h in logging.root.handlers] == [log.StderrHandler]
    assert console_app.logger is parcours_logger  # so Flask adds no handler of its own
    with console_app.app_context():
        mail.queue(mail.Message(to="ana@example.org", subject="Bonjour", body="Un message."))
        db.session.commit()
    (line,) = _lines(capsys)
    assert line.group("level", "logger", "message") == (
        "INFO",
        "parcours.core.mail",
        "E-mail to ana@example.org: Bonjour",
    )
    assert parcours_logger.handlers == [] and len(logging.root.handlers) == 1


def test_logging_is_left_to_a_host_that_configured_it(make_app, bare_logging):
    application = make_app()
    application.testing = False
    parcours_logger = bare_logging()
    logging.root.addHandler(logging.StreamHandler())  # gunicorn --log-config, dictConfig…
    log.init_app(application)
    assert len(logging.root.handlers) == 1 and parcours_logger.handlers == []
    assert parcours_logger.level == logging.NOTSET


def test_tests_leave_log_records_to_caplog(app, bare_logging):
    parcours_logger = bare_logging()
    log.init_app(app)
    assert logging.root.handlers == [] and parcours_logger.handlers == []
    assert parcours_logger.level == logging.NOTSET


def test_level_and_format_come_from_the_environment(make_app, bare_logging, capsys, monkeypatch):
    monkeypatch.setenv("PARCOURS_LOG_LEVEL", "warning")
    monkeypatch.setenv("PARCOURS_LOG_FORMAT", "json")
    application = make_app()
    application.testing = False
    parcours_logger = bare_logging()
    log.init_app(application)
    logging.getLogger("parcours.jobs").info("not written below WARNING")
    logging.getLogger("parcours.jobs").warning("Outbox: %d sent\nthen %s", 1, "stopped")
    (line,) = capsys.readouterr().err.splitlines()
    entry = json.loads(line)
    assert (entry["level"], entry["logger"], entry["message"]) == (
        "WARNING",
        "parcours.jobs",
        "Outbox: 1 sent\nthen stopped",
    )
    assert entry["process"] == os.getpid()
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", entry["time"])
    assert parcours_logger.level == logging.WARNING


def test_parcours_logs_at_its_level_and_libraries_from_warning_up(make_app, bare_logging, capsys):
    application = make_app(PARCOURS_LOG_LEVEL="DEBUG")
    application.testing = False
    bare_logging()
    log.init_app(application)
    logging.getLogger("apscheduler.executors.default").info("Running job")
    logging.getLogger("sqlalchemy.pool.impl.QueuePool").warning("Connection pool full")
    logging.getLogger("parcours.jobs").debug("Reminders for slot done")
    assert [m.group("level", "logger") for m in _lines(capsys)] == [
        ("WARNING", "sqlalchemy.pool.impl.QueuePool"),
        ("DEBUG", "parcours.jobs"),
    ]


def test_a_custom_format_string_is_used_as_given(make_app, bare_logging, capsys):
    application = make_app(PARCOURS_LOG_FORMAT="%(levelname)s|%(name)s|%(message)s")
    application.testing = False
    bare_logging()
    log.init_app(application)
    logging.getLogger("parcours.x").info("GET /calendar/%s.ics", TOKEN)
    assert capsys.readouterr().err == "INFO|parcours.x|GET /calendar/***.ics\n"


def test_an_event_with_a_traceback_is_one_line():
    formatter = log.formatter_for("text")
    try:
        1 / 0  # noqa: B018
    except ZeroDivisionError:
        record = logging.LogRecord(
            "parcours.x", logging.ERROR, __file__, 1, "first\nsecond", None, sys.exc_info()
        )
    line = formatter.format(record)
    assert "\n" not in line
    assert "first\\nsecond\\nTraceback (most recent call last):" in line
    assert line.endswith("ZeroDivisionError: division by zero")
    entry = json.loads(log.formatter_for("json").format(record))
    assert entry["exception"].endswith("ZeroDivisionError: division by zero")


@pytest.mark.parametrize(
    ("setting", "value"),
    [
        ("PARCOURS_LOG_LEVEL", "LOUD"),
        ("PARCOURS_LOG_FORMAT", "jsn"),
        ("PARCOURS_LOG_FORMAT", "%(nothing)s"),
    ],
)
def test_a_wrong_level_or_format_stops_the_start_with_a_clear_message(make_app, setting, value):
    with pytest.raises(ConfigurationError, match=setting):
        make_app(**{setting: value})


def test_failed_logins_and_lock_outs_reach_the_log(make_app, bare_logging, capsys, create_user):
    application = make_app(PARCOURS_LOGIN_MAX_FAILURES=2)
    application.testing = False
    create_user("lea@example.org")
    bare_logging()
    log.init_app(application)
    client = application.test_client()
    for _ in range(3):
        client.post("/login", data={"email": "lea@example.org", "password": "pas le bon"})
    lines = [
        match.group("level", "message")
        for match in _lines(capsys)
        if match["logger"].startswith("parcours.accounts")
    ]
    assert [level for level, message in lines if "lea@example.org" in message] == [
        "INFO",
        "INFO",
        "WARNING",
    ]


def test_every_secret_page_has_its_token_masked(app):
    adapter = app.url_map.bind("parcours.example.org")
    secret = [rule.endpoint for rule in app.url_map.iter_rules() if "token" in rule.arguments]
    assert secret, "the calendar feed, invitations and resets take a token"
    for endpoint in secret:
        path = adapter.build(endpoint, {"token": TOKEN})
        for text in (
            f'127.0.0.1 - - "GET {path} HTTP/1.1" 200',
            f"https://parcours.example.org{path}?v=1",
            f'"{path}"',
        ):
            masked = log.mask_secrets(text)
            assert TOKEN not in masked and "***" in masked, (endpoint, masked)
            assert masked == text.replace(TOKEN, "***")


@pytest.mark.parametrize(
    "text", ["GET /events/12.ics HTTP/1.1", "/cohorts/3/calendar", "/password/reset", "/login"]
)
def test_other_addresses_are_left_as_they_are(text):
    assert log.mask_secrets(text) == text


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_gunicorns_access_log_masks_the_tokens_with_the_shipped_settings(
    app, database_url_for_tests
):
    port = _free_port()
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("PARCOURS_") and key not in {"FLASK_DEBUG", "DATABASE_URL"}
    }
    environment.update(
        SECRET_KEY=STRONG_SECRET_KEY,
        DATABASE_URL=database_url_for_tests,
        PARCOURS_BASE_URL=f"http://127.0.0.1:{port}",
    )
    command = [
        *(sys.executable, "-m", "gunicorn", "-c", "python:parcours.core.gunicorn_conf"),
        *("--workers", "1", "--bind", f"127.0.0.1:{port}"),
    ]
    with subprocess.Popen(  # noqa: S603 (our own command)
        command, cwd=ROOT, env=environment, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    ) as server:
        try:
            # Up first (a busy machine boots a worker slowly): retrying the health check,
            # never the request whose log line is read.
            deadline = time.monotonic() + 60
            while True:
                try:
                    urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5)
                except urllib.error.HTTPError:
                    break  # answering, whatever the database says
                except OSError:
                    assert time.monotonic() < deadline, "gunicorn did not start"
                    time.sleep(0.2)
                    continue
                break
            request = urllib.request.Request(
                f"http://127.0.0.1:{port}/calendar/{TOKEN}.ics",
                headers={"Referer": f"http://127.0.0.1:{port}/invitation/{TOKEN}"},
            )
            try:
                status = urllib.request.urlopen(request, timeout=30).status  # noqa: S310
            except urllib.error.HTTPError as error:
                status = error.code
        finally:
            server.send_signal(signal.SIGTERM)
            access, errors = server.communicate(timeout=30)
    assert status == 404
    access, errors = access.decode(), errors.decode()
    assert TOKEN not in access and TOKEN not in errors
    (line,) = [line for line in access.splitlines() if "/calendar/" in line]
    assert '"GET /calendar/***.ics HTTP/1.1" 404' in line
    assert f'"http://127.0.0.1:{port}/invitation/***"' in line
