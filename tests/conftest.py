"""Test set-up: the schema is built once per run by migrating; each test runs in a transaction
that is rolled back, so tests never see each other's data.

Every database test runs on SQLite, and on PostgreSQL when ``TEST_DATABASE_URL`` is set.

Services. Tests that need PostgreSQL carry ``@pytest.mark.postgres``, tests that need Redis
``@pytest.mark.redis``. Without the service such a test is skipped with the reason, except when
``TIMETRACKER_CI=1`` (set by ``.ci/run``): there it fails, so that a missing service can never
pass CI by skipping. CI's SQLite pass deselects them explicitly (``-m "not postgres and not
redis"``) and its PostgreSQL pass, which has both services, runs them. When ``TEST_DATABASE_URL``
or ``REDIS_URL`` is set but its server does not answer, the run stops at start with the reason.

Hypothesis runs derandomised (profile ``timetracker``, loaded here for every test): the same
examples on every run and every machine, so a property test cannot pass or fail by luck.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import smtplib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import time_machine
from flask import Flask, g
from flask.testing import FlaskClient
from hypothesis import HealthCheck, settings
from limits import parse as parse_limit
from redis import Redis
from redis.exceptions import RedisError
from sqlalchemy import event, text
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from tests import factories
from timetracker import config, create_app, migrate
from timetracker.db import make_engine
from timetracker.extensions import limiter

#: The real SMTP server fixture (``smtp_server``) for every test that sends mail.
pytest_plugins = ["tests.smtp"]

# Hypothesis --------------------------------------------------------------------------------------

# derandomize: examples come from a fixed seed derived from the test, so every run tries the same
# inputs (it implies database=None: no examples replayed from an earlier run either).
# deadline=None: tests that touch the database take as long as the database takes.
settings.register_profile(
    "timetracker",
    derandomize=True,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile("timetracker")

# Services ----------------------------------------------------------------------------------------

IN_CI = os.environ.get("TIMETRACKER_CI") == "1"
#: marker -> (is the service configured?, what to set)
SERVICES = {
    "postgres": (
        lambda: os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql"),
        "TEST_DATABASE_URL=postgresql+psycopg://...",
    ),
    "redis": (lambda: bool(os.environ.get("REDIS_URL")), "REDIS_URL=redis://..."),
}


def _unreachable_services() -> list[str]:
    """The configured services whose server does not answer, with the reason."""
    problems = []
    database = os.environ.get("TEST_DATABASE_URL")
    if database and not database.startswith("sqlite"):
        url = make_url(database)
        engine = make_engine(
            url.set(database="postgres").render_as_string(False),
            connect_args={"connect_timeout": 5},
        )
        try:
            with engine.connect() as connection:
                connection.execute(text("SELECT 1"))
        except SQLAlchemyError as error:
            problems.append(
                f"TEST_DATABASE_URL is set but PostgreSQL at {url.host}:{url.port or 5432} "
                f"does not answer: {str(error).splitlines()[0]}"
            )
        finally:
            engine.dispose()
    redis_url = os.environ.get("REDIS_URL")
    if redis_url:
        connection = Redis.from_url(redis_url, socket_connect_timeout=5, socket_timeout=5)
        try:
            connection.ping()
        except RedisError as error:
            where = connection.connection_pool.connection_kwargs
            problems.append(
                f"REDIS_URL is set but Redis at {where.get('host')}:{where.get('port')} "
                f"does not answer: {error}"
            )
        finally:
            connection.close()
    return problems


def pytest_configure(config: pytest.Config) -> None:
    """A service that is configured but down stops the run at start (in CI and outside it),
    instead of failing every test that touches it. Checked once, by the xdist controller."""
    if hasattr(config, "workerinput"):
        return
    problems = _unreachable_services()
    if problems:
        raise pytest.UsageError(
            "services configured for the tests do not answer:\n  " + "\n  ".join(problems)
        )


BROWSER_TESTS = Path(__file__).parent / "e2e"


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test under ``tests/e2e`` is marked ``browser`` (before ``-m`` selects), so that
    ``make test-browser`` runs them and ``make test`` leaves them out."""
    for item in items:
        if BROWSER_TESTS in item.path.parents:
            item.add_marker(pytest.mark.browser)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    """A test marked ``postgres`` or ``redis`` needs that service: skipped without it, except in
    CI (``TIMETRACKER_CI=1``), where it fails (deselect it with ``-m`` in a pass without it)."""
    for marker, (configured, setting) in SERVICES.items():
        if item.get_closest_marker(marker) is None or configured():
            continue
        message = f"needs {marker} ({setting}), which is not configured"
        if IN_CI:
            pytest.fail(
                f"{message}; in CI (TIMETRACKER_CI=1) a missing service is a failure: run the "
                f'test where the service is, or deselect it with -m "not {marker}"',
                pytrace=False,
            )
        pytest.skip(message)


# Database and app --------------------------------------------------------------------------------


def _worker() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "gw0")


def _postgres_admin(base_url: str, sql: list[str]) -> None:
    url = make_url(base_url)
    admin = make_engine(
        url.set(database="postgres").render_as_string(False), isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as connection:
        for statement in sql:
            connection.execute(text(statement))
    admin.dispose()


def _create_postgres_database(base_url: str, name: str) -> str:
    _postgres_admin(
        base_url, [f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', f'CREATE DATABASE "{name}"']
    )
    return make_url(base_url).set(database=name).render_as_string(False)


def _drop_postgres_database(base_url: str, name: str) -> None:
    _postgres_admin(base_url, [f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'])


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A fresh database for this test process, migrated to head (PostgreSQL: dropped after)."""
    base = os.environ.get("TEST_DATABASE_URL")
    if not base:
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
        migrate.upgrade(url)
        yield url
        return
    name = f"{make_url(base).database}_{_worker()}"
    url = _create_postgres_database(base, name)
    migrate.upgrade(url)
    yield url
    _drop_postgres_database(base, name)


def _redis_url() -> str | None:
    base = os.environ.get("REDIS_URL")
    if not base:
        return None
    # One Redis database per xdist worker, so that limiter resets do not collide.
    index = int(re.sub(r"\D", "", _worker()) or 0) % 15 + 1
    return re.sub(r"/\d*$", "", base.rstrip("/")) + f"/{index}"


@pytest.fixture(scope="session", autouse=True)
def _documents_folder(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Shared documents written by any app a test makes (demo data included) go to a folder
    of this test run, never to the real data folder."""
    before = os.environ.get("TIMETRACKER_DOCUMENTS_DIR")
    os.environ["TIMETRACKER_DOCUMENTS_DIR"] = str(tmp_path_factory.mktemp("documents"))
    yield
    if before is None:
        os.environ.pop("TIMETRACKER_DOCUMENTS_DIR", None)
    else:
        os.environ["TIMETRACKER_DOCUMENTS_DIR"] = before


@pytest.fixture(scope="session")
def app(database_url: str) -> Iterator[Flask]:
    redis_url = _redis_url()
    application = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret-key",
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
            # Not the database storage (the default without Redis): its hits commit on their
            # own connection, which on SQLite would wait for the test transaction's write lock,
            # and its rows would show in the every-row snapshots of the security tests. It is
            # tested on its own, and through a real server, in
            # tests/security/test_rate_limits_shared.py.
            "RATELIMIT_STORAGE_URI": redis_url or "memory://",
            "SERVER_NAME": None,
            "MAIL_ENABLED": False,
        }
    )
    application.extensions["tests.limiter_storage"] = (limiter._storage, limiter._limiter)
    yield application
    application.extensions["timetracker.engine"].dispose()


@pytest.fixture
def connection(app: Flask) -> Iterator[Connection]:
    """The test's connection, inside a transaction that is rolled back at the end."""
    engine = app.extensions["timetracker.engine"]
    conn = engine.connect()
    outer = conn.begin()
    original = app.extensions["timetracker.sessionmaker"]
    app.extensions["timetracker.sessionmaker"] = sessionmaker(
        bind=conn, join_transaction_mode="create_savepoint", expire_on_commit=False
    )
    try:
        yield conn
    finally:
        app.extensions["timetracker.sessionmaker"] = original
        if outer.is_active:
            outer.rollback()
        conn.close()


@pytest.fixture
def session(app: Flask, connection: Connection) -> Iterator[Session]:
    """A session for building test data; requests see what it flushes."""
    maker = app.extensions["timetracker.sessionmaker"]
    s = maker()
    yield s
    s.close()


@pytest.fixture
def ctx(app: Flask, session: Session) -> Iterator[Session]:
    """An application context whose request session is ``session``: for calling domain code
    directly. Do not make test-client requests while it is active."""
    with app.app_context():
        g.db_session = session
        yield session
        g.pop("db_session", None)


@pytest.fixture(autouse=True)
def _no_development_key_file(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never read the checkout's ``instance/secret_key`` (``make run`` writes it)."""
    monkeypatch.setattr(config, "SECRET_KEY_FILE", config.PROJECT_ROOT / "no-such-secret-key")


@pytest.fixture(autouse=True)
def _reset_rate_limits(app: Flask) -> None:
    """Every test starts with no rate-limit counts: Redis and the database storage keep theirs
    outside the test's rolled-back transaction, memory across tests of one process."""
    # The limiter is one object per process, and each ``create_app`` points it at that app's
    # storage: a test that makes an app of its own (the database storage by default) must not
    # leave it there for the next test, whose rolled-back transaction it would wait for.
    limiter._storage, limiter._limiter = app.extensions["tests.limiter_storage"]
    with app.app_context():
        limiter.reset()


def redis_rate_limits(app: Flask) -> bool:
    """Whether the suite's rate limits are kept in Redis (else in memory)."""
    return str(app.config["RATELIMIT_STORAGE_URI"]).startswith("redis")


@pytest.fixture
def frozen_clock(app: Flask, monkeypatch: pytest.MonkeyPatch) -> Iterator[time_machine.Coordinates]:
    """The clock stands still at the current time for the whole test: for rate-limit tests,
    whose windows must not end (or roll over) while the test makes its requests.

    Memory storage (the suite's default) and the database storage (``timetracker-db://``) keep
    each window's expiry as ``time.time()``, which time-machine patches: with the clock frozen no
    window ends mid-test. This is shown for memory in ``tests/security/test_hardening.py`` and
    for the database in ``tests/security/test_rate_limits_shared.py``.

    Redis storage counts a fixed window with a key's TTL, by Redis' own clock, which nothing
    here can freeze. There, two things keep the window whole: every key is deleted before each
    test (``_reset_rate_limits``), so each window starts at the test's own first request (Redis
    sets the TTL when it creates the counter), never at a minute boundary; and the configurable
    login limits get the same number of attempts per day instead of per minute, so that even a
    slow run (dozens of password hashes on a loaded machine) stays inside its window. The
    download limits are constants of the views; their tests make a dozen quick requests, far
    less than the minute that starts with the first one.

    Freezing at the real current time (not a fixed date) keeps times the database sets itself
    (``now()`` on PostgreSQL) consistent with the application's.
    """
    if redis_rate_limits(app):
        for name in config.DEFAULT_LOGIN_LIMITS:
            monkeypatch.setitem(app.config, name, f"{parse_limit(app.config[name]).amount}/day")
    with time_machine.travel(dt.datetime.now(dt.UTC), tick=False) as traveller:
        yield traveller


@pytest.fixture(autouse=True)
def _no_unexpected_smtp(monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest) -> None:
    """Fail any test that opens an SMTP connection it did not ask for (``smtp_server``)."""
    if "smtp_server" in request.fixturenames:
        return

    def refuse(*_args: Any, **_kwargs: Any) -> None:
        raise AssertionError("unexpected SMTP connection in a test without smtp_server")

    monkeypatch.setattr(smtplib.SMTP, "connect", refuse)


@pytest.fixture
def client(app: Flask, connection: Connection) -> FlaskClient:
    return app.test_client()


CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_token(client: FlaskClient, path: str = "/login") -> str:
    html = client.get(path).get_data(as_text=True)
    match = CSRF_RE.search(html)
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def login(client: FlaskClient, email: str, password: str = factories.PASSWORD) -> Any:
    token = csrf_token(client, "/login")
    return client.post("/login", data={"email": email, "password": password, "csrf_token": token})


def post(
    client: FlaskClient,
    path: str,
    data: dict[str, Any] | None = None,
    token_from: str = "/account",
    **kw: Any,
) -> Any:
    """POST a form with a valid CSRF token of the client's session."""
    payload = dict(data or {})
    payload.setdefault("csrf_token", csrf_token(client, token_from))
    return client.post(path, data=payload, **kw)


class QueryCounter:
    def __init__(self) -> None:
        self.statements: list[str] = []

    def __call__(self, _conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK TO")):
            self.statements.append(statement)

    @property
    def count(self) -> int:
        return len(self.statements)


@pytest.fixture
def count_queries(app: Flask, connection: Connection) -> Iterator[QueryCounter]:
    """Counts the SQL statements run while the test runs (savepoints excluded)."""
    counter = QueryCounter()
    event.listen(connection, "before_cursor_execute", counter)
    yield counter
    event.remove(connection, "before_cursor_execute", counter)
