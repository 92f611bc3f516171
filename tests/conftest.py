"""Test fixtures: one app per run on SQLite (default) or PostgreSQL, a clean database per test.

Set PARCOURS_TEST_DATABASE_URL (e.g. postgresql://postgres@127.0.0.1:5432/test) to run the
whole suite on PostgreSQL.

How tests are kept apart
------------------------
Most tests run **rolled back**. Each opens one connection and begins an outer transaction on
it; every Session of the application on the test database (``db.session`` in any app context:
a request's, a CLI command's, a job's, the outbox delivery's, a fixture's) is bound to that
connection with ``join_transaction_mode="create_savepoint"`` (SQLAlchemy's "joining a Session
into an external transaction"). Whoever commits (a view, the request pipeline, a command, a
fixture), the commit only releases a SAVEPOINT, and a rollback returns to one. At the end the
outer transaction is rolled back: the database is as it was. On SQLite this needs BEGINs that
pysqlite does not emit on its own (``_outer_transaction``). Code that opens a connection of
its own (``db.engine.connect()``) sees none of a rolled-back test's data: it should take a
session from ``db.session.session_factory``, as the outbox delivery does, or be tested with
``commits``.

Tests marked ``commits`` (and those using the live server) **commit for real**, because another
connection must see what they wrote: delivery through a session and a connection of its own as
in production (``tests/outbox/test_outbox.py``, ``tests/core/test_mail.py``), two scheduler
processes, a browser talking to a server thread, the migrations. The tables are emptied after
each of them.

Between tests the database holds one of two committed states: nothing, or the ``world`` (two
cohorts and ten people, built through the real operations under a frozen clock; tests get
their ids). A test that asks for ``world`` finds it there, built once and kept for every
rolled-back test after it; any other test finds an empty database. Going from one state to
the other costs one build or one emptying: a few dozen times a run instead of at every test.
"""

import os
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
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
from parcours.core import page_cache
from parcours.core.extensions import db
from parcours.core.kept import rewriting
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
#: The address each role of ``world`` logs in with.
EMAILS = {
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
CURRICULUM = ROOT / "curricula" / "co-construction-territoriale.toml"
SISTER_CURRICULUM = ROOT / "curricula" / "modeles-socio-economiques.toml"


def pytest_configure(config):
    # Before any application exists, so that mail.init_app() registers its listeners on the
    # class every session will have.
    db.session.session_factory.class_ = _TestSession
    db.session.session_factory.configure(join_transaction_mode="create_savepoint")


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


# Isolation ----------------------------------------------------------------------------------


class _Shared:
    """The connection of the running rolled-back test, and the thread that owns it."""

    connection = None
    thread: int | None = None


class _TestSession(db.session.session_factory.class_):
    """The class of every session in the tests: it joins the rolled-back test's connection.

    Only for applications on the test database (not one built on a broken URL) and only in
    the test's own thread (a connection is not shared between threads).
    """

    def get_bind(self, *args, **kwargs):
        engine = super().get_bind(*args, **kwargs)
        connection = _Shared.connection
        if (
            connection is not None
            and _Shared.thread == threading.get_ident()
            and engine.url == connection.engine.url
        ):
            return connection
        return engine


@contextmanager
def _outer_transaction(connection) -> Iterator[None]:
    """Begin the transaction the test's SAVEPOINTs nest in, and roll it back at the end.

    pysqlite's legacy mode begins no transaction before a SELECT or a SAVEPOINT: a SAVEPOINT
    would start a transaction of its own, and its RELEASE would commit for good. So on SQLite,
    pysqlite's BEGIN is turned off on this connection and ours is emitted instead (SQLAlchemy,
    "Transactions with SQLite and the sqlite3 driver"). The connection goes back to the pool
    in legacy mode, as the application runs: the migrations' ``PRAGMA foreign_keys=OFF``, for
    one, only works outside a transaction.
    """
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:
        driver_connection = connection.connection.driver_connection
        legacy, driver_connection.isolation_level = driver_connection.isolation_level, None
    transaction = connection.begin()
    if sqlite:
        connection.exec_driver_sql("BEGIN")
    try:
        yield
    finally:
        transaction.rollback()
        if sqlite:
            driver_connection.isolation_level = legacy


class _Database:
    """What the test database holds between tests: ``EMPTY``, ``WORLD`` (ids in ``world``)."""

    EMPTY, WORLD, UNKNOWN = "empty", "world", "unknown"

    def __init__(self, app) -> None:
        self.app = app
        self.state = self.UNKNOWN
        self.world: dict | None = None

    def hold(self, state: str) -> None:
        """Commit ``state`` unless the database already holds it."""
        if self.state == state:
            return
        self.empty()
        if state == self.WORLD:
            self.state = self.UNKNOWN  # until the build is done: it may fail half-way
            self.world = _build_world(self.app)
            self.state = self.WORLD

    def empty(self) -> None:
        """Delete every row."""
        self.state, self.world = self.UNKNOWN, None
        with self.app.app_context():
            db.session.rollback()
            with rewriting():  # submitted answers are kept as written, outside an emptying
                for table in reversed(db.metadata.sorted_tables):
                    db.session.execute(delete(table))
            db.session.commit()
        self.state = self.EMPTY

    @contextmanager
    def rolled_back(self) -> Iterator[None]:
        """Bind every session to one connection whose transaction is rolled back at the end."""
        with self.app.app_context():
            engine = db.engine
        with engine.connect() as connection, _outer_transaction(connection):
            _Shared.connection, _Shared.thread = connection, threading.get_ident()
            try:
                yield
            finally:
                _Shared.connection = _Shared.thread = None


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


@pytest.fixture(scope="session")
def _database(app) -> _Database:
    return _Database(app)


def _commits(request) -> bool:
    return (
        request.node.get_closest_marker("commits") is not None
        or "live_server" in request.fixturenames
    )


@pytest.fixture(autouse=True)
def _isolation(request):
    """Give each test that uses the app the database it needs, as it was (module docstring)."""
    if "app" not in request.fixturenames:
        yield
        return
    database = request.getfixturevalue("_database")
    database.hold(database.WORLD if "world" in request.fixturenames else database.EMPTY)
    try:
        if _commits(request):
            database.state = database.UNKNOWN
            yield
        else:
            with database.rolled_back():
                yield
    finally:
        database.app.extensions.pop("parcours_mail_sent", None)
        if database.state == database.UNKNOWN:
            database.empty()


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


_HARNESS_STATEMENT = re.compile(r"\s*(SAVEPOINT|RELEASE SAVEPOINT|ROLLBACK TO SAVEPOINT)\b", re.I)


class StatementLog:
    """The SQL statements run inside ``with log:``, in order (``statements``, ``count``).

    The SAVEPOINTs that keep a rolled-back test apart are the harness's, not the page's: they
    are not recorded (in production a request's transaction is BEGIN/COMMIT, no statement).
    With ``rendering``, the page cache is emptied on entering, so that a page counted is a
    page rendered, not one served again (which tests/core/test_page_cache.py counts).
    """

    def __init__(self, app, *, rendering: bool) -> None:
        self.app = app
        self.rendering = rendering
        self.statements: list[str] = []

    @property
    def count(self) -> int:
        return len(self.statements)

    def _on(self, _connection, _cursor, statement, *args, **kwargs):
        if not _HARNESS_STATEMENT.match(statement):
            self.statements.append(statement)

    def __enter__(self):
        self.statements = []
        if self.rendering and (kept := page_cache.cache_of(self.app)) is not None:
            kept.clear()
        with self.app.app_context():
            self._engine = db.engine
        event.listen(self._engine, "before_cursor_execute", self._on)
        return self

    def __exit__(self, *exc):
        event.remove(self._engine, "before_cursor_execute", self._on)


@pytest.fixture
def query_counter(app) -> StatementLog:
    """Count the SQL statements of rendering what runs inside ``with counter:``."""
    return StatementLog(app, rendering=True)


@pytest.fixture
def statement_log(app) -> StatementLog:
    """Record the SQL statements run inside ``with log:``, the page cache left as it is."""
    return StatementLog(app, rendering=False)


# Factories -------------------------------------------------------------------------------


def _create_user(
    app, email: str, full_name: str, *, admin=False, password=PASSWORD, **fields
) -> int:
    with app.app_context():
        user, _ = account_ops.ensure_user(email, full_name)
        user.is_admin = admin
        for key, value in fields.items():
            setattr(user, key, value)
        if password:
            account_ops.set_password(user, password)
        db.session.commit()
        return user.id


@pytest.fixture
def create_user(app):
    """Return a function that creates a user with PASSWORD."""
    counter = iter(range(1, 10_000))

    def _create(email=None, full_name=None, *, admin=False, password=PASSWORD, **fields):
        n = next(counter)
        return _create_user(
            app,
            email or f"person{n}@example.org",
            full_name or f"Personne {n}",
            admin=admin,
            password=password,
            **fields,
        )

    return _create


_DOCUMENTS = {}  # parsed once per run: parsing is pure, loading is what tests check


def _load_curriculum(app, path=CURRICULUM) -> int:
    if path not in _DOCUMENTS:
        _DOCUMENTS[path] = parse_file(path)
    with app.app_context():
        result = load_document(_DOCUMENTS[path], path.name)
        db.session.commit()
        return result.version.id


@pytest.fixture
def curriculum_version(app):
    """Return a function that loads a curriculum file and gives back its version id."""

    def _load(path=CURRICULUM):
        return _load_curriculum(app, path)

    return _load


@pytest.fixture
def world(_isolation, _database):
    """Two cohorts with one person per role; returns their ids by name.

    Cohort A: coordinator, coach (follows territory A1 only), committee member,
    catalyseurs a1 and a1bis (a binôme, territory A1), catalyseur a2 (territory A2).
    Cohort B: its own coordinator and catalyseur b1. Plus a platform admin and an outsider.
    Only the admin and cohort A's coordinator may create cohorts.
    Built once and committed (see the module docstring); a test's changes are rolled back.
    """
    return dict(_database.world)


def _build_world(app) -> dict:
    from parcours.curricula.models import CurriculumVersion

    version_id = _load_curriculum(app)
    # The world is set up a month before cohort A starts, as a real cohort would be.
    with freeze(datetime(2026, 2, 2, 9, 0, tzinfo=UTC)):
        ids = {
            "admin": _create_user(app, "admin@example.org", "Admin", admin=True),
            # Allowed to start cohorts by an administrator; coordinator_b is not.
            "coordinator": _create_user(
                app, "coord@example.org", "Coordination A", can_create_cohorts=True
            ),
            "coach": _create_user(app, "coach@example.org", "Coach A"),
            "committee": _create_user(app, "comite@example.org", "Comité A"),
            "a1": _create_user(app, "a1@example.org", "Catalyseur A1"),
            "a1bis": _create_user(app, "a1bis@example.org", "Catalyseur A1 bis"),
            "a2": _create_user(app, "a2@example.org", "Catalyseur A2"),
            "coordinator_b": _create_user(app, "coord-b@example.org", "Coordination B"),
            "b1": _create_user(app, "b1@example.org", "Catalyseur B1"),
            "outsider": _create_user(app, "outsider@example.org", "Hors cohorte"),
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

    def _login(role: str):
        fresh = app.test_client()
        login(fresh, EMAILS[role])
        return fresh

    return _login


def page_text(response) -> str:
    """Return the visible text of an HTML response, whitespace folded."""
    html = response.get_data(as_text=True)
    html = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", html, flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())
