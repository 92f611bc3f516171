"""Logging, configured once per process: one line per event on stderr, secrets masked.

Without this, Python drops every INFO line (the root logger stops at WARNING and has no
handler), so failed logins, lock-outs, deliveries and the scheduler's runs would be written
nowhere. ``PARCOURS_LOG_LEVEL`` (INFO) and ``PARCOURS_LOG_FORMAT`` (``text``, ``json`` or a
``logging`` format string) choose what is written and how. Standard error is what gunicorn's
error log and systemd's journal collect; every line, tracebacks included, is one line, so a
journal or a log shipper never splits an event.
"""

import json
import logging
import re
import sys
from datetime import UTC, datetime

from flask import Flask
from flask.logging import has_level_handler

from parcours.config import ConfigurationError

TEXT_FORMAT = "%(asctime)s %(levelname)s [%(process)d] %(name)s: %(message)s"

#: Pages opened by a secret token (a calendar feed, an invitation or reset link, an
#: attestation's verification link): whoever reads the token in a log can act as its owner,
#: or learn that a person holds an attestation. tests/core/test_log.py checks that every
#: route taking a ``token`` is covered.
_SECRET_PATH = re.compile(
    r"(?P<page>/(?:calendar|invitation|password/reset|verifier)/)[^/?#\s\"]+?(?P<end>\.ics)?"
    r"(?=[/?#\s\"]|$)"
)
MASK = "***"


def mask_secrets(text: str) -> str:
    """Replace the token of every secret page's address in ``text`` with ``***``."""
    return _SECRET_PATH.sub(lambda m: f"{m['page']}{MASK}{m['end'] or ''}", text)


def _timestamp(record: logging.LogRecord) -> str:
    moment = datetime.fromtimestamp(record.created, UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


class OneLineFormatter(logging.Formatter):
    """Format a record as one line (line breaks escaped), secrets masked, UTC time."""

    def formatTime(self, record, datefmt=None) -> str:
        return _timestamp(record)

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        return mask_secrets(text.replace("\r", "\\r").replace("\n", "\\n"))


class JsonFormatter(logging.Formatter):
    """Format a record as one JSON object: time, level, logger, process, message."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": _timestamp(record),
            "level": record.levelname,
            "logger": record.name,
            "process": record.process,
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return mask_secrets(json.dumps(entry, ensure_ascii=False))


class StderrHandler(logging.StreamHandler):
    """Write to the current ``sys.stderr`` (as the one of the moment, not of start-up)."""

    def __init__(self) -> None:
        logging.Handler.__init__(self)

    @property
    def stream(self):
        return sys.stderr


def level_of(value) -> int:
    """Return the logging level named by ``PARCOURS_LOG_LEVEL`` (a name or a number)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    level = logging.getLevelNamesMapping().get(str(value).strip().upper())
    if level is None:
        raise ConfigurationError(
            f"PARCOURS_LOG_LEVEL={value!r} is not a logging level: use DEBUG, INFO, WARNING, "
            "ERROR or CRITICAL."
        )
    return level


def formatter_for(value: str) -> logging.Formatter:
    """Return the formatter named by ``PARCOURS_LOG_FORMAT``."""
    choice = str(value).strip()
    if choice.lower() == "json":
        return JsonFormatter()
    if choice.lower() == "text":
        return OneLineFormatter(TEXT_FORMAT)
    if "%(" in choice:
        try:
            formatter = OneLineFormatter(choice)
            formatter.format(logging.makeLogRecord({"msg": "check"}))
        except (ValueError, KeyError) as error:
            raise ConfigurationError(
                f"PARCOURS_LOG_FORMAT is not a valid logging format string: {error}"
            ) from error
        return formatter
    raise ConfigurationError(
        f"PARCOURS_LOG_FORMAT={value!r}: use text, json, or a logging format string such as "
        "'%(levelname)s %(name)s: %(message)s'."
    )


def init_app(app: Flask) -> None:
    """Send every log line of this process to stderr, once, unless its host already does."""
    level = level_of(app.config["PARCOURS_LOG_LEVEL"])
    formatter = formatter_for(app.config["PARCOURS_LOG_FORMAT"])
    # "parcours" is also Flask's app.logger: Flask then finds the handler and adds none.
    parcours_logger = logging.getLogger("parcours")
    if app.testing or has_level_handler(parcours_logger):
        # Tests read records with caplog; a host with its own logging setup (gunicorn
        # --log-config, dictConfig) keeps it; a second create_app() finds the handler.
        return
    handler = StderrHandler()
    handler.setFormatter(formatter)
    # On the root logger, so that the lines of the libraries (SQLAlchemy's warnings, the
    # development server's requests) come out the same way. Their INFO lines are chatter,
    # not events of the application (Alembic's plugins at every start, APScheduler's
    # « running job » every minute): libraries write from WARNING up.
    logging.root.addHandler(handler)
    logging.root.setLevel(max(level, logging.WARNING))
    if parcours_logger.level == logging.NOTSET:
        parcours_logger.setLevel(level)
