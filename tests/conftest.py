"""Test fixtures: one app per run on SQLite (default) or PostgreSQL, emptied after each test.

Set PARCOURS_TEST_DATABASE_URL (e.g. postgresql://postgres@127.0.0.1:5432/test) to run the
whole suite on PostgreSQL.
"""

import os
import re
from datetime import UTC, date, datetime
from html import unescape

import pytest
from flask_migrate import upgrade
from sqlalchemy import delete, event, text

from parcours import create_app
from parcours.accounts import operations as account_ops
from parcours.accounts.models import User
from parcours.cohorts import operations as cohort_ops
from parcours.cohorts.models import Role
from parcours.config import database_url
from parcours.core.extensions import db
from parcours.core.paths import ROOT
from parcours.core.time import freeze
from parcours.curricula.loader import load_document, parse_file
from parcours.outbox import mail

PASSWORD = "un mot de passe solide"
#: Every person of the ``world`` fixture, for tests parametrised over roles.
ROLES = [
    "admin",
    "coordinator",
    "coach",
    "committee",
    "a1",
    "a1bis",
    "a2",
    "coordinator_b",
    "b1",
    "outsider",
]
CURRICULUM = ROOT / "curricula" / "co-construction-territoriale.toml"
SISTER_CURRICULUM = ROOT / "curricula" / "modeles-socio-economiques.toml"


def _test_database_url(tmp_path_factory) -> str:
    url = os.environ.get("PARCOURS_TEST_DATABASE_URL")
    if url:
        os.environ["DATABASE_URL"] = url
        try:
            return database_url("")
        finally:
            del os.environ["DATABASE_URL"]
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"


def app_config(url: str, **extra) -> dict:
    """Return the configuration of a test application."""
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key-that-is-long-enough-0123456789",
        "SQLALCHEMY_DATABASE_URI": url,
        "WTF_CSRF_ENABLED": False,
        "PARCOURS_MAIL_BACKEND": "memory",
        # Deliver every test's messages at commit; tests/outbox checks the production limit.
        "PARCOURS_MAIL_INLINE_LIMIT": 1000,
        "PARCOURS_BASE_URL": "http://parcours.test",
        # Cheap hashing: the tests check behaviour, not argon2's cost.
        "PARCOURS_ARGON2": {"time_cost": 1, "memory_cost": 8, "parallelism": 1},
        **extra,
    }


@pytest.fixture(scope="session")
def database_url_for_tests(tmp_path_factory) -> str:
    return _test_database_url(tmp_path_factory)


@pytest.fixture(scope="session")
def app(database_url_for_tests):
    """The application, with a schema built by the migrations."""
    application = create_app(app_config(database_url_for_tests))
    with application.app_context():
        db.drop_all()
        db.session.execute(text("DROP TABLE IF EXISTS alembic_version"))
        db.session.commit()
        upgrade()
    yield application
    with application.app_context():
        db.engine.dispose()  # PostgreSQL would otherwise keep idle connections at exit


@pytest.fixture(autouse=True)
def _clean_database(request):
    """Empty every table after each test that used the app."""
    yield
    if "app" not in request.fixturenames:
        return
    application = request.getfixturevalue("app")
    with application.app_context():
        db.session.rollback()
        for table in reversed(db.metadata.sorted_tables):
            db.session.execute(delete(table))
        db.session.commit()
        application.extensions.pop("parcours_mail_sent", None)


@pytest.fixture
def ctx(app):
    """An application context with a request, for operations and queries."""
    with app.test_request_context():
        yield
        db.session.rollback()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def outbox(app):
    """The e-mails sent during the test."""
    with app.app_context():
        return app.extensions.setdefault("parcours_mail_sent", [])


@pytest.fixture
def query_counter(app):
    """Count the SQL statements run inside ``with counter:``."""

    class Counter:
        count = 0

        def _on(self, *args, **kwargs):
            self.count += 1

        def __enter__(self):
            self.count = 0
            with app.app_context():
                self._engine = db.engine
            event.listen(self._engine, "before_cursor_execute", self._on)
            return self

        def __exit__(self, *exc):
            event.remove(self._engine, "before_cursor_execute", self._on)

    return Counter()


# Factories -------------------------------------------------------------------------------


@pytest.fixture
def create_user(app):
    """Return a function that creates a user with PASSWORD."""
    counter = iter(range(1, 10_000))

    def _create(email=None, full_name=None, *, admin=False, password=PASSWORD, **fields):
        n = next(counter)
        with app.app_context():
            user, _ = account_ops.ensure_user(
                email or f"person{n}@example.org", full_name or f"Personne {n}"
            )
            user.is_admin = admin
            for key, value in fields.items():
                setattr(user, key, value)
            if password:
                account_ops.set_password(user, password)
            db.session.commit()
            return user.id

    return _create


@pytest.fixture
def curriculum_version(app):
    """Return a function that loads a curriculum file and gives back its version id."""
    documents = {}

    def _load(path=CURRICULUM):
        if path not in documents:
            documents[path] = parse_file(path)
        with app.app_context():
            result = load_document(documents[path], path.name)
            db.session.commit()
            return result.version.id

    return _load


@pytest.fixture
def world(app, create_user, curriculum_version):
    """Two cohorts with one person per role; returns their ids by name.

    Cohort A: coordinator, coach (follows territory A1 only), committee member,
    catalyseurs a1 and a1bis (a binôme, territory A1), catalyseur a2 (territory A2).
    Cohort B: its own coordinator and catalyseur b1. Plus a platform admin and an outsider.
    """

    version_id = curriculum_version()
    # The world is set up a month before cohort A starts, as a real cohort would be.
    with freeze(datetime(2026, 2, 2, 9, 0, tzinfo=UTC)):
        return _build_world(app, create_user, version_id)


def _build_world(app, create_user, version_id):
    from parcours.curricula.models import CurriculumVersion

    ids = {
        "admin": create_user("admin@example.org", "Admin", admin=True),
        "coordinator": create_user("coord@example.org", "Coordination A"),
        "coach": create_user("coach@example.org", "Coach A"),
        "committee": create_user("comite@example.org", "Comité A"),
        "a1": create_user("a1@example.org", "Catalyseur A1"),
        "a1bis": create_user("a1bis@example.org", "Catalyseur A1 bis"),
        "a2": create_user("a2@example.org", "Catalyseur A2"),
        "coordinator_b": create_user("coord-b@example.org", "Coordination B"),
        "b1": create_user("b1@example.org", "Catalyseur B1"),
        "outsider": create_user("outsider@example.org", "Hors cohorte"),
    }
    with app.test_request_context():
        mail.suppress_until_commit()  # invitations are tested where they matter
        users = {key: db.session.get(User, value) for key, value in ids.items()}
        version = db.session.get(CurriculumVersion, version_id)
        cohort_a = cohort_ops.create_cohort(
            version=version,
            name="Cohorte A",
            start_date=date(2026, 3, 2),
            created_by=users["coordinator"],
        )
        cohort_b = cohort_ops.create_cohort(
            version=version,
            name="Cohorte B",
            start_date=date(2026, 9, 1),
            created_by=users["coordinator_b"],
        )
        territory = {
            "name": "",
            "region": "Centre-Val de Loire",
            "department": "Cher",
            "kind": "rural",
            "carrier_structure": "Asso",
            "carrier_type": "associatif",
            "status": "accepted",
            "status_reason": "",
        }
        a1 = cohort_ops.add_territory(cohort_a, **{**territory, "name": "Territoire A1"})
        a2 = cohort_ops.add_territory(cohort_a, **{**territory, "name": "Territoire A2"})
        b1 = cohort_ops.add_territory(cohort_b, **{**territory, "name": "Territoire B1"})
        for role, key in ((Role.COACH, "coach"), (Role.COMMITTEE, "committee")):
            cohort_ops.add_member(
                cohort_a,
                role=role,
                email=users[key].email,
                full_name=users[key].full_name,
                organisation="",
                invited_by=users["coordinator"],
            )
        cohort_ops.assign_coach(a1, users["coach"])
        for territory_obj, key in ((a1, "a1"), (a1, "a1bis"), (a2, "a2"), (b1, "b1")):
            cohort_ops.add_catalyseur(
                territory_obj,
                email=users[key].email,
                full_name=users[key].full_name,
                organisation="",
                invited_by=users["coordinator"],
            )
        db.session.commit()
        ids.update(
            cohort_a=cohort_a.id,
            cohort_b=cohort_b.id,
            territory_a1=a1.id,
            territory_a2=a2.id,
            territory_b1=b1.id,
        )
    return ids


def login(client, email: str, password: str = PASSWORD):
    """Log ``client`` in through the login form."""
    response = client.post("/login", data={"email": email, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return response


@pytest.fixture
def login_as(app, world):
    """Return a function that logs the test client in as a role of ``world``."""
    emails = {
        "admin": "admin@example.org",
        "coordinator": "coord@example.org",
        "coach": "coach@example.org",
        "committee": "comite@example.org",
        "a1": "a1@example.org",
        "a1bis": "a1bis@example.org",
        "a2": "a2@example.org",
        "coordinator_b": "coord-b@example.org",
        "b1": "b1@example.org",
        "outsider": "outsider@example.org",
    }

    def _login(role: str):
        fresh = app.test_client()
        login(fresh, emails[role])
        return fresh

    return _login


def page_text(response) -> str:
    """Return the visible text of an HTML response, whitespace folded."""
    html = response.get_data(as_text=True)
    html = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", html, flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())
