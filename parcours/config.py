"""Configuration from the environment: ``SECRET_KEY``, ``DATABASE_URL`` and ``PARCOURS_*``."""

import copy
import json
import os
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

from flask import Flask

WEAK_SECRET_KEYS = {"", "dev", "secret", "changeme", "change-me", "development", "test"}
MIN_SECRET_KEY_LENGTH = 32


class ConfigurationError(RuntimeError):
    """The application cannot start with this configuration."""


DEFAULTS = {
    "PARCOURS_TIMEZONE": "Europe/Paris",
    "PARCOURS_MAIL_BACKEND": None,  # derived: smtp when a host is set, else console
    "PARCOURS_MAIL_FROM": "Parcours <parcours@localhost>",
    "PARCOURS_SMTP_HOST": "",
    "PARCOURS_SMTP_PORT": 587,
    "PARCOURS_SMTP_USER": "",
    "PARCOURS_SMTP_PASSWORD": "",
    "PARCOURS_SMTP_STARTTLS": True,
    # Messages sent during the request that caused them; larger batches go to the scheduler.
    "PARCOURS_MAIL_INLINE_LIMIT": 5,
    # How long a process that claimed a message (or a job's slot) holds it; once past, the
    # claimer is taken for dead and another process takes over.
    "PARCOURS_MAIL_LEASE_SECONDS": 120,
    "PARCOURS_JOB_LEASE_SECONDS": 120,
    "PARCOURS_LOG_LEVEL": "INFO",
    "PARCOURS_LOG_FORMAT": "text",  # text, json, or a logging format string
    "PARCOURS_IDLE_TIMEOUT_MINUTES": 120,
    # Failed logins per account (or per known browser), then per client address.
    "PARCOURS_LOGIN_MAX_FAILURES": 5,
    "PARCOURS_LOGIN_CLIENT_MAX_FAILURES": 10,
    "PARCOURS_LOGIN_WINDOW_MINUTES": 15,
    # How long a browser that logged in stays exempt from its account's lock-out.
    "PARCOURS_DEVICE_COOKIE_DAYS": 180,
    # Password-reset requests per address typed and per client address.
    "PARCOURS_RESET_MAX_PER_ADDRESS": 3,
    "PARCOURS_RESET_MAX_PER_CLIENT": 10,
    "PARCOURS_RESET_WINDOW_MINUTES": 60,
    # Wrong check-in codes per person and half-day.
    "PARCOURS_CHECK_IN_MAX_FAILURES": 5,
    "PARCOURS_CHECK_IN_WINDOW_MINUTES": 10,
    "PARCOURS_TOKEN_MAX_AGE_HOURS": 72,
    # Invitations sent again to one person (by anyone) in the window.
    "PARCOURS_INVITATION_RESEND_MAX": 3,
    "PARCOURS_INVITATION_RESEND_WINDOW_MINUTES": 60,
    "PARCOURS_BASE_URL": "",
    # Number of reverse proxies in front of the app whose X-Forwarded-* headers to trust.
    "PARCOURS_PROXY_COUNT": 0,
    "PARCOURS_ARGON2": {},
    # How long a SQLite write waits for another one to finish before failing.
    "PARCOURS_SQLITE_BUSY_TIMEOUT_MS": 15000,
    # Uploaded files (attachments, scanned sheets): the largest file, and how many one form
    # may send. The request limit (MAX_CONTENT_LENGTH) follows from them; the CSV import keeps
    # its own, smaller limit.
    "PARCOURS_MAX_UPLOAD_MB": 10,
    "PARCOURS_MAX_FILES_PER_FORM": 5,
    # The main pages each process keeps, to serve them again while nothing they show changed
    # (parcours/core/page_cache.py), in megabytes per process; 0 turns the cache off.
    "PARCOURS_PAGE_CACHE_MB": 32,
    # A territory whose last follow-up record is older than this many days is flagged on the
    # coordinator's suivi page (« sans suivi depuis plus de N jours »).
    "PARCOURS_SUIVI_STALE_DAYS": 45,
    # A cohort figure of the competences (median, quartiles) computed from fewer answers than
    # this is not shown (« trop peu de réponses »): no one's answer can be told from it.
    "PARCOURS_COHORT_MIN_ANSWERS": 5,
    # How long personal data is kept (parcours/privacy/retention.py purges it daily, and the
    # privacy notice « Données personnelles » states these values). Sent e-mails keep their
    # subject, state and dates in the cohort's log, but their recipient, body and attachment
    # are blanked this many days after they were queued.
    "PARCOURS_RETENTION_OUTBOX_DAYS": 90,
    # Audit-log entries (logins, role changes, exports…) are deleted this many days after.
    "PARCOURS_RETENTION_AUDIT_DAYS": 365,
    # A cohort's personal data is erased this many years after the cohort ends (its last day).
    "PARCOURS_RETENTION_COHORT_YEARS": 3,
    # The privacy notice: who is responsible for the data (« responsable du traitement »),
    # empty for « the organisation that runs the parcours », and the address to write to about
    # one's data, empty for the address e-mails come from (PARCOURS_MAIL_FROM).
    "PARCOURS_PRIVACY_CONTROLLER": "",
    "PARCOURS_PRIVACY_CONTACT": "",
    # A failed statement's traceback shows the SQL, never its values: they hold session
    # tokens, password hashes and personal data.
    "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True, "hide_parameters": True},
    "WTF_CSRF_TIME_LIMIT": None,  # the session lifetime already bounds it
    "BABEL_DEFAULT_LOCALE": "fr",
    "BABEL_DEFAULT_TIMEZONE": "Europe/Paris",
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "SESSION_COOKIE_NAME": "parcours_session",
}


#: The retention periods (whole numbers of days or years), checked at start-up.
RETENTION_SETTINGS = (
    "PARCOURS_RETENTION_OUTBOX_DAYS",
    "PARCOURS_RETENTION_AUDIT_DAYS",
    "PARCOURS_RETENTION_COHORT_YEARS",
)


def _env_value(key: str, raw: str):
    """Read a ``PARCOURS_*`` variable: text settings as given, the others as JSON when they parse.

    A password such as ``123456`` or ``"quoted"`` must reach SMTP unchanged, not as a number
    or without its quotes.
    """
    if isinstance(DEFAULTS.get(key), str):
        return raw
    try:
        return json.loads(raw)
    except ValueError:
        return raw


def database_url(instance_path: str) -> str:
    """Return the database URL: ``DATABASE_URL`` or a SQLite file in the instance folder."""
    url = os.environ.get("DATABASE_URL", "")
    if not url:
        return f"sqlite:///{Path(instance_path) / 'parcours.sqlite3'}"
    # Hosting platforms hand out postgres:// URLs; SQLAlchemy wants the driver spelled out.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


#: Room in a request for what comes with its files: the other fields, the multipart framing.
REQUEST_OVERHEAD_BYTES = 1024 * 1024


def _upload_limits(config, overrides: dict | None) -> None:
    """Check the upload settings, and make the request limit follow them.

    A request may carry ``PARCOURS_MAX_FILES_PER_FORM`` files of ``PARCOURS_MAX_UPLOAD_MB``
    each, plus a megabyte for the rest; a larger one is answered 413 before any view runs.
    """
    size = config["PARCOURS_MAX_UPLOAD_MB"]
    if isinstance(size, bool) or not isinstance(size, int | float) or not 0 < size <= 1024:
        raise ConfigurationError(
            f"PARCOURS_MAX_UPLOAD_MB must be a number of megabytes above 0 (at most 1024): {size!r}"
        )
    count = config["PARCOURS_MAX_FILES_PER_FORM"]
    if isinstance(count, bool) or not isinstance(count, int) or not 0 < count <= 100:
        raise ConfigurationError(
            f"PARCOURS_MAX_FILES_PER_FORM must be a whole number from 1 to 100: {count!r}"
        )
    if "MAX_CONTENT_LENGTH" not in (overrides or {}):
        config["MAX_CONTENT_LENGTH"] = int(size * 1024 * 1024) * count + REQUEST_OVERHEAD_BYTES


def load(app: Flask, overrides: dict | None) -> None:
    """Fill ``app.config`` from defaults, the environment, then ``overrides``."""
    app.config.from_mapping(copy.deepcopy(DEFAULTS))
    app.config["SECRET_KEY"] = os.environ.get("SECRET_KEY", "")
    app.config["SQLALCHEMY_DATABASE_URI"] = database_url(app.instance_path)
    for key, raw in os.environ.items():
        if key.startswith("PARCOURS_"):
            app.config[key] = _env_value(key, raw)
    if overrides:
        app.config.update(overrides)

    config = app.config
    if config["PARCOURS_MAIL_BACKEND"] is None:
        config["PARCOURS_MAIL_BACKEND"] = "smtp" if config["PARCOURS_SMTP_HOST"] else "console"
    for key in ("PARCOURS_MAIL_LEASE_SECONDS", "PARCOURS_JOB_LEASE_SECONDS"):
        # Read after a commit, where an error would turn a saved change into a 500.
        lease = config[key]
        if isinstance(lease, bool) or not isinstance(lease, int) or lease <= 0:
            raise ConfigurationError(f"{key} must be a whole number of seconds above 0: {lease!r}")
    _upload_limits(config, overrides)
    cache = config["PARCOURS_PAGE_CACHE_MB"]
    if isinstance(cache, bool) or not isinstance(cache, int | float) or not 0 <= cache <= 4096:
        raise ConfigurationError(
            f"PARCOURS_PAGE_CACHE_MB must be a number of megabytes from 0 (off) to 4096: {cache!r}"
        )
    stale = config["PARCOURS_SUIVI_STALE_DAYS"]
    if isinstance(stale, bool) or not isinstance(stale, int) or stale <= 0:
        raise ConfigurationError(
            f"PARCOURS_SUIVI_STALE_DAYS must be a whole number of days above 0: {stale!r}"
        )
    for key in RETENTION_SETTINGS:
        # Read by the daily purge: a wrong value must stop the start, not delete too much.
        kept = config[key]
        if isinstance(kept, bool) or not isinstance(kept, int) or kept <= 0:
            raise ConfigurationError(f"{key} must be a whole number above 0: {kept!r}")
    production = not (app.debug or config.get("TESTING"))
    config["PARCOURS_PRODUCTION"] = production
    config["PERMANENT_SESSION_LIFETIME"] = timedelta(
        minutes=int(config["PARCOURS_IDLE_TIMEOUT_MINUTES"])
    )
    if production:
        secret = config["SECRET_KEY"] or ""
        if secret.lower() in WEAK_SECRET_KEYS or len(secret) < MIN_SECRET_KEY_LENGTH:
            raise ConfigurationError(
                "SECRET_KEY is missing or too weak. Set the SECRET_KEY environment variable to "
                f"a random value of at least {MIN_SECRET_KEY_LENGTH} characters, e.g. "
                '`python -c "import secrets; print(secrets.token_hex(32))"`, or run with '
                "--debug for local development."
            )
        # Flask's own default is False, so setdefault() would never take effect.
        if "SESSION_COOKIE_SECURE" not in (overrides or {}):
            config["SESSION_COOKIE_SECURE"] = True
        base_url = config["PARCOURS_BASE_URL"]
        host = urlsplit(base_url).hostname
        if not host:
            raise ConfigurationError(
                "PARCOURS_BASE_URL is missing or invalid. Set it to the public address of the "
                "site, e.g. https://parcours.example.org: links in e-mails and calendar event "
                "identifiers are built from it."
            )
        # Refuse requests for any other host name, so no page is built from a forged Host.
        if "TRUSTED_HOSTS" not in (overrides or {}):
            config["TRUSTED_HOSTS"] = [host]
    elif not config["SECRET_KEY"]:
        config["SECRET_KEY"] = "insecure-development-key-" + "x" * 16
