"""Test set-up: the schema is built once per run by migrating; each test runs in a transaction
that is rolled back, so tests never see each other's data.

Every database test runs on SQLite, and on PostgreSQL when ``TEST_DATABASE_URL`` is set.
"""

from __future__ import annotations

import os
import re
import smtplib
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask, g
from flask.testing import FlaskClient
from sqlalchemy import event, text
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.orm import Session, sessionmaker

from tests import factories
from timetracker import create_app, migrate
from timetracker.db import make_engine
from timetracker.extensions import limiter


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


@pytest.fixture(scope="session")
def app(database_url: str) -> Iterator[Flask]:
    redis_url = _redis_url()
    application = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret-key",
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
            "RATELIMIT_STORAGE_URI": redis_url or "memory://",
            "SERVER_NAME": None,
            "MAIL_ENABLED": False,
        }
    )
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
def _reset_rate_limits(app: Flask) -> None:
    with app.app_context():
        limiter.reset()


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
