"""Configuration: the secret key, the database URL and values read from the environment."""

from pathlib import Path

import pytest

from parcours import create_app
from parcours.config import ConfigurationError
from parcours.core import page_cache
from tests.core.conftest import STRONG_SECRET_KEY


@pytest.mark.parametrize(
    "secret",
    [
        None,
        "",
        "dev",
        "changeme",
        "short-but-not-empty",
        STRONG_SECRET_KEY[:31],
    ],
)
def test_production_refuses_a_missing_weak_or_short_secret_key(clean_environment, secret):
    clean_environment.setenv("PARCOURS_BASE_URL", "https://parcours.example.org")
    if secret is not None:
        clean_environment.setenv("SECRET_KEY", secret)
    with pytest.raises(ConfigurationError) as error:
        create_app()
    message = str(error.value)
    assert "SECRET_KEY" in message
    assert "at least 32 characters" in message
    assert "secrets.token_hex" in message


def test_an_override_cannot_sneak_a_weak_key_into_production(clean_environment):
    clean_environment.setenv("SECRET_KEY", STRONG_SECRET_KEY)
    clean_environment.setenv("PARCOURS_BASE_URL", "https://parcours.example.org")
    with pytest.raises(ConfigurationError, match="SECRET_KEY"):
        create_app({"SECRET_KEY": "dev"})


def test_production_starts_with_a_strong_key_and_secure_cookies(clean_environment):
    clean_environment.setenv("SECRET_KEY", STRONG_SECRET_KEY)
    clean_environment.setenv("PARCOURS_BASE_URL", "https://parcours.example.org")
    app = create_app()
    assert app.config["TRUSTED_HOSTS"] == ["parcours.example.org"]
    assert app.config["PARCOURS_PRODUCTION"] is True
    assert app.config["SECRET_KEY"] == STRONG_SECRET_KEY
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True


@pytest.mark.parametrize(
    ("config", "env"),
    [({"TESTING": True}, {}), (None, {"FLASK_DEBUG": "1"})],
    ids=["testing", "debug"],
)
def test_development_and_tests_start_without_a_secret_key(clean_environment, config, env):
    for name, value in env.items():
        clean_environment.setenv(name, value)
    app = create_app(config)
    assert app.config["PARCOURS_PRODUCTION"] is False
    assert len(app.config["SECRET_KEY"]) >= 32
    assert "Strict-Transport-Security" not in app.test_client().get("/login").headers


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        (
            "postgres://parcours:s3cret@db.example:5432/parcours",
            "postgresql+psycopg://parcours:s3cret@db.example:5432/parcours",
        ),
        (
            "postgresql://parcours@db.example/parcours",
            "postgresql+psycopg://parcours@db.example/parcours",
        ),
        (
            "postgresql+psycopg://parcours@db.example/parcours",
            "postgresql+psycopg://parcours@db.example/parcours",
        ),
        ("sqlite:////srv/parcours/data.sqlite3", "sqlite:////srv/parcours/data.sqlite3"),
    ],
)
def test_database_url_gets_the_psycopg_driver(clean_environment, given, expected):
    clean_environment.setenv("DATABASE_URL", given)
    app = create_app({"TESTING": True})
    assert app.config["SQLALCHEMY_DATABASE_URI"] == expected


def test_the_default_database_is_a_sqlite_file_in_the_instance_folder(clean_environment):
    from parcours.core.extensions import db

    app = create_app({"TESTING": True})
    expected = Path(app.instance_path) / "parcours.sqlite3"
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{expected}"
    with app.app_context():
        assert db.engine.dialect.name == "sqlite"
        assert db.engine.url.database == str(expected)


def test_parcours_variables_are_read_from_the_environment(clean_environment):
    clean_environment.setenv("PARCOURS_LOGIN_MAX_FAILURES", "3")
    clean_environment.setenv("PARCOURS_SMTP_STARTTLS", "false")
    clean_environment.setenv("PARCOURS_ARGON2", '{"time_cost": 4}')
    clean_environment.setenv("PARCOURS_SMTP_HOST", "smtp.example.org")
    # Text settings arrive unchanged, even when they look like JSON.
    clean_environment.setenv("PARCOURS_SMTP_PASSWORD", "123456")
    clean_environment.setenv("PARCOURS_SMTP_USER", '"quoted"')
    config = create_app({"TESTING": True}).config
    assert config["PARCOURS_LOGIN_MAX_FAILURES"] == 3
    assert config["PARCOURS_SMTP_STARTTLS"] is False
    assert config["PARCOURS_ARGON2"] == {"time_cost": 4}
    assert config["PARCOURS_SMTP_PASSWORD"] == "123456"
    assert config["PARCOURS_SMTP_USER"] == '"quoted"'
    assert config["PARCOURS_MAIL_BACKEND"] == "smtp"


def test_the_mail_backend_defaults_to_the_console_without_smtp_host(clean_environment):
    assert create_app({"TESTING": True}).config["PARCOURS_MAIL_BACKEND"] == "console"


def test_idle_timeout_sets_the_session_lifetime(clean_environment):
    clean_environment.setenv("PARCOURS_IDLE_TIMEOUT_MINUTES", "30")
    config = create_app({"TESTING": True}).config
    assert config["PERMANENT_SESSION_LIFETIME"].total_seconds() == 30 * 60


def test_forwarded_headers_are_trusted_only_behind_a_declared_proxy(
    make_app, database_url_for_tests
):
    from tests.conftest import app_config as config_for

    headers = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "parcours.example.org"}
    direct = make_app(config_for(database_url_for_tests))
    proxied = make_app(config_for(database_url_for_tests, PARCOURS_PROXY_COUNT=1))
    for application, expected in (
        (direct, "http://localhost/"),
        (proxied, "https://parcours.example.org/"),
    ):
        from flask import request

        application.add_url_rule("/root-url", "root_url", lambda: request.url_root)
        assert application.test_client().get("/root-url", headers=headers).text == expected


def test_production_needs_the_public_address(clean_environment):
    clean_environment.setenv("SECRET_KEY", STRONG_SECRET_KEY)
    with pytest.raises(ConfigurationError, match="PARCOURS_BASE_URL"):
        create_app()


def test_production_refuses_requests_for_another_host(clean_environment):
    clean_environment.setenv("SECRET_KEY", STRONG_SECRET_KEY)
    clean_environment.setenv("PARCOURS_BASE_URL", "https://parcours.example.org")
    client = create_app().test_client()
    assert client.get("/healthz", headers={"Host": "evil.example"}).status_code == 400


def test_the_request_limit_follows_the_upload_settings(clean_environment):
    clean_environment.setenv("PARCOURS_MAX_UPLOAD_MB", "4")
    clean_environment.setenv("PARCOURS_MAX_FILES_PER_FORM", "3")
    config = create_app({"TESTING": True}).config
    assert config["MAX_CONTENT_LENGTH"] == (3 * 4 + 1) * 1024 * 1024
    # Set outright, it is kept.
    assert (
        create_app({"TESTING": True, "MAX_CONTENT_LENGTH": 1234}).config["MAX_CONTENT_LENGTH"]
        == 1234
    )


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("PARCOURS_MAX_UPLOAD_MB", "0"),
        ("PARCOURS_MAX_UPLOAD_MB", "dix"),
        ("PARCOURS_MAX_UPLOAD_MB", "-3"),
        ("PARCOURS_MAX_FILES_PER_FORM", "0"),
        ("PARCOURS_MAX_FILES_PER_FORM", "2.5"),
        ("PARCOURS_MAX_FILES_PER_FORM", "true"),
    ],
)
def test_upload_settings_must_make_sense(clean_environment, name, value):
    clean_environment.setenv(name, value)
    with pytest.raises(ConfigurationError, match=name):
        create_app({"TESTING": True})


@pytest.mark.parametrize("value", ["beaucoup", "-1", "true", "100000"])
def test_the_page_cache_size_must_make_sense(clean_environment, value):
    clean_environment.setenv("PARCOURS_PAGE_CACHE_MB", value)
    with pytest.raises(ConfigurationError, match="PARCOURS_PAGE_CACHE_MB"):
        create_app({"TESTING": True})


def test_the_page_cache_size_is_read_from_the_environment(clean_environment):
    clean_environment.setenv("PARCOURS_PAGE_CACHE_MB", "0.5")
    app = create_app({"TESTING": True})
    assert page_cache.cache_of(app).max_bytes == 512 * 1024
    clean_environment.setenv("PARCOURS_PAGE_CACHE_MB", "0")
    assert page_cache.cache_of(create_app({"TESTING": True})) is None
