"""The database goes away while the app runs: every request answers the app's own 503 page
(rendered without the database, with the security headers and ``Retry-After``), the log stays
bounded, and the app recovers without a restart once the database is back."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import text
from sqlalchemy.engine import make_url

from tests import factories
from tests.conftest import login
from timetracker import create_app, errors, migrate
from timetracker.db import make_engine

UNREACHABLE_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:1/x"


@pytest.fixture
def app_on() -> Iterator:
    made: list[Flask] = []

    def make(url: str) -> Flask:
        application = create_app(
            {
                "TESTING": True,
                "SECRET_KEY": "test-secret-key",
                "DATABASE_URL": url,
                "REDIS_URL": None,
                "RATELIMIT_STORAGE_URI": "memory://",
                "MAIL_ENABLED": False,
                # As in production: an error inside an error handler reaches the 500 handler
                # instead of being raised into the test.
                "PROPAGATE_EXCEPTIONS": False,
            }
        )
        made.append(application)
        return application

    yield make
    for application in made:
        application.extensions["timetracker.engine"].dispose()


@pytest.fixture(autouse=True)
def _fresh_traceback_interval(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test starts a new interval (the module-level logger keeps its clock)."""
    monkeypatch.setattr(errors, "unavailable_log", errors.RateLimitedLogger(errors.log))


def assert_unavailable_page(response) -> None:
    assert response.status_code == 503, response.get_data(as_text=True)[:500]
    assert response.headers["Retry-After"] == "30"
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert "Service unavailable" in page
    assert "the database cannot be reached" in page
    assert "css/app.css" in page  # the app's own look, not gunicorn's bare error


def assert_bounded_log(records: list[logging.LogRecord], requests: int) -> None:
    tracebacks = [r for r in records if r.exc_info]
    assert len(tracebacks) <= 1, [r.getMessage() for r in tracebacks]
    lines = [r for r in records if r.levelno >= logging.WARNING]
    ours = [r for r in lines if r.getMessage().startswith("database unavailable:")]
    assert len(ours) == requests
    assert len(lines) == requests, [r.getMessage() for r in lines]


@pytest.mark.parametrize("path", ["/login", "/no-such-page"])
def test_unreachable_postgres_answers_503(app_on, path: str) -> None:
    # (An anonymous visitor's other pages redirect to /login without asking the database.)
    client = app_on(UNREACHABLE_POSTGRES).test_client()
    assert_unavailable_page(client.get(path, headers={"Accept": "text/html"}))


def test_twenty_failed_requests_log_one_line_each_and_one_traceback(
    app_on, caplog: pytest.LogCaptureFixture
) -> None:
    client = app_on(UNREACHABLE_POSTGRES).test_client()
    with caplog.at_level(logging.DEBUG):
        for _ in range(20):
            assert_unavailable_page(client.get("/login"))
    assert_bounded_log(caplog.records, 20)


def test_the_traceback_comes_back_after_the_interval() -> None:
    now = [0.0]
    records: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)

    logger = logging.getLogger("tests.rate_limited")
    logger.addHandler(Keep())
    try:
        limited = errors.RateLimitedLogger(logger, interval=60, clock=lambda: now[0])
        error = RuntimeError("gone")
        for second in (0, 1, 59, 60, 61):
            now[0] = second
            limited.error(f"failed at {second}", error)
    finally:
        logger.handlers.clear()
    assert [bool(r.exc_info) for r in records] == [True, False, False, True, False]
    assert records[3].getMessage() == "failed at 60 (2 more tracebacks left out)"


def test_sqlite_directory_gone_gives_503_and_recovers(
    app_on, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    folder = tmp_path / "data"
    folder.mkdir()
    url = f"sqlite:///{folder / 'timetracker.db'}"
    migrate.upgrade(url)
    app = app_on(url)
    with app.app_context():
        from timetracker import db

        user = factories.make_user(db.session)
        db.session.commit()
        email = user.email
    client = app.test_client()
    assert login(client, email).status_code == 302
    assert client.get("/account").status_code == 200

    # The database's folder disappears (a lost volume); pooled connections go with it.
    gone = tmp_path / "gone"
    folder.rename(gone)
    app.extensions["timetracker.engine"].dispose()
    with caplog.at_level(logging.DEBUG):
        for path in ["/account", "/login"] * 10:
            assert_unavailable_page(client.get(path))
        # A form post while the database is away: 503 as well, nothing raised afterwards.
        response = client.post("/logout", data={})
        assert response.status_code in {400, 503}
    assert_bounded_log([r for r in caplog.records if r.levelno >= logging.WARNING], 21)

    # The folder is back: the next request works, without a restart, still signed in.
    gone.rename(folder)
    assert client.get("/account").status_code == 200
    assert client.get("/login").status_code in {200, 302}


def test_sqlite_file_in_a_removed_directory(app_on, tmp_path: Path) -> None:
    folder = tmp_path / "removed"
    folder.mkdir()
    url = f"sqlite:///{folder / 'timetracker.db'}"
    folder.rmdir()
    client = app_on(url).test_client()
    assert_unavailable_page(client.get("/login"))


@pytest.mark.postgres
def test_terminated_postgres_connection_recovers_on_the_next_request(
    app_on, database_url: str
) -> None:
    app = app_on(database_url)
    client = app.test_client()
    assert client.get("/login").status_code == 200
    engine = app.extensions["timetracker.engine"]
    with engine.connect() as connection:
        pid = connection.execute(text("SELECT pg_backend_pid()")).scalar_one()
    admin_url = make_url(database_url).render_as_string(False)
    admin = make_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            assert connection.execute(
                text("SELECT pg_terminate_backend(:pid)"), {"pid": pid}
            ).scalar_one()
    finally:
        admin.dispose()
    # pool_pre_ping finds the dead connection and opens a new one: no error at all.
    for _ in range(3):
        assert client.get("/login").status_code == 200


def test_is_database_unavailable_tells_lost_connections_from_failed_statements(
    app_on, tmp_path: Path
) -> None:
    from sqlalchemy.exc import IntegrityError, OperationalError

    url = f"sqlite:///{tmp_path / 'x.db'}"
    engine = make_engine(url)
    try:
        with engine.connect() as connection, pytest.raises(OperationalError) as missing_table:
            connection.execute(text("SELECT * FROM nothing"))
    finally:
        engine.dispose()
    assert not errors.is_database_unavailable(missing_table.value)
    assert not errors.is_database_unavailable(IntegrityError("x", {}, Exception("dup")))
    assert not errors.is_database_unavailable(ValueError("x"))


def test_a_commit_that_loses_the_database_answers_503(
    app_on, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The connection goes at the very end (the commit of a successful request): the client
    gets the 503 page, not the page whose writes were not saved, and nothing raises again."""
    import sqlite3

    from sqlalchemy.exc import OperationalError
    from sqlalchemy.orm import Session

    url = f"sqlite:///{tmp_path / 'commit.db'}"
    migrate.upgrade(url)
    client = app_on(url).test_client()
    assert client.get("/login").status_code == 200

    def lost(_self: Session) -> None:
        raise OperationalError("COMMIT", {}, sqlite3.OperationalError("disk I/O error"))

    monkeypatch.setattr(Session, "commit", lost)
    assert_unavailable_page(client.get("/login"))
