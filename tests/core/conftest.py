"""Fixtures for tests that need an application of their own (production, CSRF, broken DB)."""

import os

import pytest

from parcours import create_app
from parcours.core.extensions import db
from tests.conftest import app_config as config_for

STRONG_SECRET_KEY = "4f1c9e0b7a2d58c63e19f0a7b4d2c8e15a90f6b3d7c2e4a18b5f0c9d3e7a2b61"


@pytest.fixture
def clean_environment(monkeypatch):
    """Remove every variable that would change what create_app() reads."""
    for name in list(os.environ):
        if name.startswith("PARCOURS_") or name in {"SECRET_KEY", "DATABASE_URL", "FLASK_DEBUG"}:
            monkeypatch.delenv(name)
    return monkeypatch


@pytest.fixture
def make_app(database_url_for_tests):
    """Return a function that builds another application on the test database (by default).

    Its engine is disposed of after the test so that no connection outlives it.
    """
    built = []

    def _make(config: dict | None = None, **extra):
        application = create_app(config or config_for(database_url_for_tests, **extra))
        built.append(application)
        return application

    yield _make
    for application in built:
        with application.app_context():
            db.engine.dispose()


@pytest.fixture
def production_app(app, make_app, clean_environment, database_url_for_tests):
    """An application configured as in production: not testing, secret key from the env."""
    clean_environment.setenv("SECRET_KEY", STRONG_SECRET_KEY)
    config = config_for(database_url_for_tests, TESTING=False, PARCOURS_BASE_URL="http://localhost")
    del config["SECRET_KEY"]
    return make_app(config)
