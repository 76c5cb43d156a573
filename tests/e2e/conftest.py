"""Browser tests: the real application served by gunicorn on 127.0.0.1 with its own database,
driven by Debian's Chromium through Playwright (never ``playwright install``).

One server per test process (xdist runs each file on one worker with ``--dist loadfile``). The
database is migrated and loaded with the demo data plus the few users the flows need; tests
that change data use their own users and records, so they do not depend on each other.

Without Chromium the tests are skipped with a message saying so, unless
``TIMETRACKER_E2E_REQUIRED=1`` (set by ``.ci/run``), which turns the skip into a failure.
"""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.htmlcheck import HtmlPages, missing_validator
from tests.e2e.support import (
    ARTIFACTS,
    BROWSER_LOCALES,
    CHROMIUM,
    CHROMIUM_ARGS,
    DESKTOP,
    Browse,
    LiveServer,
    Seed,
)

ROOT = Path(__file__).resolve().parents[2]

#: Environment variables of the test run that must not leak into the served application.
SCRUBBED = (
    "DATABASE_URL",
    "REDIS_URL",
    "SESSION_COOKIE_SECURE",
    "SMTP_HOST",
    "MAIL_ENABLED",
    "TIMETRACKER_DEBUG",
    "TIMETRACKER_DEV",
    "TIMETRACKER_BASE_URL",
    "TIMETRACKER_BENCH",
)


def _require_chromium() -> None:
    if CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK):
        return
    message = (
        f"Chromium not found at {CHROMIUM}: the browser tests need Debian's chromium package "
        "(apt-get install chromium)"
    )
    if os.environ.get("TIMETRACKER_E2E_REQUIRED") == "1":
        pytest.fail(f"{message}; TIMETRACKER_E2E_REQUIRED=1 makes this a failure", pytrace=False)
    pytest.skip(f"browser tests skipped: {message}")


def _worker() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "gw0")


def _database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """SQLite by default; a database of its own on PostgreSQL when TEST_DATABASE_URL is set."""
    base = os.environ.get("TEST_DATABASE_URL")
    if not base:
        return f"sqlite:///{tmp_path_factory.mktemp('e2e') / 'e2e.db'}"
    from sqlalchemy.engine import make_url

    from tests.conftest import _create_postgres_database

    return _create_postgres_database(base, f"{make_url(base).database}_e2e_{_worker()}")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_until_serving(base_url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {process.returncode}:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(f"{base_url}/login", timeout=2) as response:  # noqa: S310
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not answer on {base_url} within 30 s:\n{log.read_text()}")


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The application under gunicorn, on a free port, with a freshly seeded database."""
    _require_chromium()
    from tests.e2e.seed import seed_database
    from timetracker import migrate

    url = _database_url(tmp_path_factory)
    migrate.upgrade(url)
    # The shared documents of the seeded data and of the flows: never the real data folder.
    documents_dir = str(tmp_path_factory.mktemp("documents"))
    seed: Seed = seed_database(url, documents_dir)

    port = _free_port()
    base_url = f"http://127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items() if k not in SCRUBBED}
    env.update(
        DATABASE_URL=url,
        SECRET_KEY=secrets.token_hex(32),
        TIMETRACKER_DOCUMENTS_DIR=documents_dir,
        # The flows log in a dozen times a minute from one address.
        TIMETRACKER_LOGIN_LIMIT_IP="600 per minute",
        TIMETRACKER_LOGIN_LIMIT_ACCOUNT="100 per minute",
        # ...and the same account (the seed's administrator) from that address as often.
        TIMETRACKER_LOGIN_LIMIT_ACCOUNT_IP="100 per minute",
    )
    log = tmp_path_factory.mktemp("server") / "gunicorn.log"
    with log.open("wb") as out:
        process = subprocess.Popen(  # noqa: S603
            [
                sys.executable,
                "-m",
                "gunicorn",
                "--config",
                "python:timetracker.gunicorn_conf",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "2",
                "--threads",
                "4",
                "--access-logfile",
                "-",
                "timetracker.wsgi:app",
            ],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait_until_serving(base_url, process, log)
        yield LiveServer(base_url=base_url, seed=seed, log=log, database_url=url)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        _drop_postgres_database(url)


def _drop_postgres_database(url: str) -> None:
    """The PostgreSQL database of this run goes when the server does (SQLite's file lives in
    pytest's temporary directory)."""
    if url.startswith("sqlite"):
        return
    from sqlalchemy import text
    from sqlalchemy.engine import make_url

    from timetracker.db import make_engine

    parsed = make_url(url)
    admin = make_engine(
        parsed.set(database="postgres").render_as_string(False), isolation_level="AUTOCOMMIT"
    )
    try:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)'))
    finally:
        admin.dispose()


@pytest.fixture(scope="session")
def browser(live_server: LiveServer) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture(scope="session")
def html_pages(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HtmlPages]:
    """Every distinct HTML page the browser tests of this process receive; when they are done,
    vnu checks them all in one run and any error fails the run (reported at the teardown of
    the last browser test). Without vnu nothing is checked here: ``test_html_valid`` says so."""
    pages = HtmlPages(tmp_path_factory.mktemp("html"))
    yield pages
    if not pages.pages or missing_validator():
        return
    errors, others = pages.problems()
    report = "\n  ".join(errors + others)
    (ARTIFACTS.parent / "html").mkdir(parents=True, exist_ok=True)
    (ARTIFACTS.parent / "html" / f"vnu-{_worker()}.txt").write_text(
        f"{len(pages.pages)} pages, {len(errors)} errors\n  {report}\n", encoding="utf-8"
    )
    if errors:
        pytest.fail(
            f"the Nu HTML Checker found {len(errors)} errors in {len(pages.pages)} pages:\n  "
            + report,
            pytrace=False,
        )


@pytest.fixture
def language() -> str:
    """The language the browser asks for; a test parametrized on ``language`` runs in each."""
    return "en"


@pytest.fixture
def browse(
    browser: Any,
    live_server: LiveServer,
    html_pages: HtmlPages,
    language: str,
    request: pytest.FixtureRequest,
) -> Iterator[Browse]:
    """A fresh browser context (no cookies) at 1280×800 asking for ``language``, watched for
    console errors, failed requests, error responses and CSP violations; axe runs on every
    page it checks."""
    context = browser.new_context(
        base_url=live_server.base_url,
        viewport=DESKTOP,
        accept_downloads=True,
        locale=BROWSER_LOCALES[language],
    )
    context.set_default_timeout(10_000)
    session = Browse(
        context, live_server, ARTIFACTS, request.node.name, language=language, html=html_pages
    )
    try:
        yield session
        session.assert_clean()
    finally:
        session.keep_html()
        session.write_notes()
        context.close()
