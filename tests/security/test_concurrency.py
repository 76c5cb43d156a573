"""Concurrency and faults on PostgreSQL, against a throw-away database with real commits (the
rolled-back test transaction cannot show what other connections see).

* two timer starts for one user at the same moment leave exactly one running timer;
* a database error in the middle of creating an invoice from time leaves no invoice, no line
  and no time entry marked billed;
* killing the server (every gunicorn process, SIGKILL) while it is writing loses nothing it
  had acknowledged.

Twenty concurrent invoice creations giving twenty distinct numbers are tested in
``tests/workspace/invoices/test_invoice_numbers_concurrency.py``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from decimal import Decimal
from pathlib import Path

import pytest
import requests
from flask import Flask, g
from sqlalchemy import event, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import sessionmaker

from tests.conftest import _create_postgres_database, _worker, login
from tests.factories import PASSWORD, password_hash
from timetracker import create_app, migrate
from timetracker.db import make_engine
from timetracker.models import (
    Client,
    Invoice,
    InvoiceItem,
    InvoiceSequence,
    Project,
    Role,
    TimeEntry,
    User,
)
from timetracker.workspace.time.timekeeping import TimeEntryError, start_timer, stop_timer

# SQLite admits one writer at a time: the races need PostgreSQL (see tests/conftest.py).
pytestmark = pytest.mark.postgres

ROUNDS = 5
SECRET = "concurrency-test-secret-0123456789abcdef"


@pytest.fixture(scope="module")
def committed_url():
    base = os.environ.get("TEST_DATABASE_URL", "")
    assert base.startswith("postgresql"), "the postgres marker lets this run on PostgreSQL only"
    name = f"{make_url(base).database}_{_worker()}_committed"
    url = _create_postgres_database(base, name)
    migrate.upgrade(url)
    yield url
    admin = make_engine(
        make_url(base).set(database="postgres").render_as_string(False),
        isolation_level="AUTOCOMMIT",
    )
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="module")
def committed_app(app: Flask, committed_url: str):
    """An app on the throw-away database; rate limits stay where the suite's app keeps them."""
    other = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": SECRET,
            "DATABASE_URL": committed_url,
            "REDIS_URL": app.config["REDIS_URL"],
            "RATELIMIT_STORAGE_URI": app.config["RATELIMIT_STORAGE_URI"],
            "MAIL_ENABLED": False,
        }
    )
    yield other
    other.extensions["timetracker.engine"].dispose()


@pytest.fixture
def maker(committed_url: str):
    engine = make_engine(committed_url, pool_size=6, max_overflow=0)
    yield sessionmaker(bind=engine, expire_on_commit=False)
    engine.dispose()


def _basics(maker, tag: str) -> tuple[int, int, int]:
    """A committed staff user, client and project; returns their ids."""
    with maker() as s:
        user = User(email=f"{tag}@example.com", name=tag, password_hash=password_hash())
        client = Client(name=f"{tag} client", currency="EUR", default_hourly_rate=Decimal("90"))
        s.add_all([user, client])
        s.flush()
        project = Project(name=f"{tag} project", client_id=client.id)
        s.add(project)
        s.commit()
        return user.id, client.id, project.id


# Two timers -----------------------------------------------------------------------------------


def _start_one_timer(app, maker, user_id, project_id, barrier, started, refused, errors) -> None:
    """One "request" starting the timer: its own session and connection, a real commit."""
    try:
        with app.app_context():
            session = maker()
            g.db_session = session
            try:
                user = session.get(User, user_id)
                project = session.get(Project, project_id)
                session.commit()  # hold no locks while waiting for the other thread
                barrier.wait(timeout=30)
                try:
                    entry = start_timer(session, user, project, "race")
                    session.commit()
                    started.append(entry.id)
                except TimeEntryError as exc:
                    session.rollback()
                    refused.append(str(exc))
            finally:
                g.pop("db_session", None)
                session.close()
    except BaseException as exc:  # reported by the main thread
        errors.append(exc)


def test_two_concurrent_timer_starts_leave_exactly_one_running_timer(committed_app, maker):
    user_id, _, project_id = _basics(maker, f"timer-{uuid.uuid4().hex[:8]}")
    for _round in range(ROUNDS):
        barrier = threading.Barrier(2)
        started: list[int] = []
        refused: list[str] = []
        errors: list[BaseException] = []

        args = (committed_app, maker, user_id, project_id, barrier, started, refused, errors)
        threads = [threading.Thread(target=_start_one_timer, args=args) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert errors == []
        assert len(started) == 1 and len(refused) == 1, (started, refused)
        assert "already running" in refused[0]
        with maker() as s:
            running = s.scalar(
                select(func.count())
                .select_from(TimeEntry)
                .where(TimeEntry.user_id == user_id, TimeEntry.end_time.is_(None))
            )
            assert running == 1
        with committed_app.app_context():
            s = maker()
            g.db_session = s
            stop_timer(s, s.get(User, user_id))
            s.commit()
            s.close()


# A failure in the middle of an invoice --------------------------------------------------------


class InjectedFailure(RuntimeError):
    pass


def test_a_database_error_midway_through_an_invoice_leaves_nothing_behind(committed_app, maker):
    tag = f"fault-{uuid.uuid4().hex[:8]}"
    _, client_id, project_id = _basics(maker, tag)
    with maker() as s:
        admin = User(
            email=f"admin-{tag}@example.com",
            name="Admin",
            password_hash=password_hash(),
            role=Role.ADMIN,
        )
        staff_id = s.scalar(select(User.id).where(User.email == f"{tag}@example.com"))
        s.add(admin)
        for day in (2, 3, 4):  # three entries, one invoice line each
            entry = TimeEntry(
                user_id=staff_id,
                project_id=project_id,
                start_time=dt.datetime(2026, 3, day, 9, tzinfo=dt.UTC),
                notes=f"work {day}",
            )
            entry.stop(entry.start_time + dt.timedelta(hours=2))
            s.add(entry)
        s.commit()
        admin_email = admin.email
        sequences_before = s.execute(
            select(InvoiceSequence.year, InvoiceSequence.last_number)
        ).all()

    form = {
        "client": str(client_id),
        "project": "",
        "from_time": "y",
        "group_by": "entry",
        "date_from": "",
        "date_to": "",
        "issue_date": "2026-03-31",
        "payment_terms": "30",
        "tax_rate": "0",
        "notes": "",
    }
    web = committed_app.test_client()
    assert login(web, admin_email).status_code == 302
    page = web.get("/invoices/new").get_data(as_text=True)
    form["csrf_token"] = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)

    engine = committed_app.extensions["timetracker.engine"]
    inserted_lines = []

    def fail_on_second_line(_conn, _cursor, statement, *_args):
        if statement.lstrip().upper().startswith("INSERT INTO INVOICE_ITEMS"):
            inserted_lines.append(statement)
            if len(inserted_lines) == 2:
                raise InjectedFailure("the database went away after the first line")

    event.listen(engine, "before_cursor_execute", fail_on_second_line)
    try:
        response = web.post("/invoices/new", data=form)
    finally:
        event.remove(engine, "before_cursor_execute", fail_on_second_line)
    assert len(inserted_lines) == 2  # the first line was written before the failure
    assert response.status_code == 500
    assert "Nothing was saved" in response.get_data(as_text=True)

    with maker() as s:
        assert (
            s.scalar(
                select(func.count()).select_from(Invoice).where(Invoice.client_id == client_id)
            )
            == 0
        )
        assert s.scalar(select(func.count()).select_from(InvoiceItem)) == 0
        billed = s.scalar(
            select(func.count())
            .select_from(TimeEntry)
            .where(TimeEntry.project_id == project_id, TimeEntry.invoice_item_id.is_not(None))
        )
        assert billed == 0
        assert s.execute(select(InvoiceSequence.year, InvoiceSequence.last_number)).all() == (
            sequences_before
        )

    # The same request without the failure bills all three entries: the form was right.
    response = web.post("/invoices/new", data=form)
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    with maker() as s:
        invoice = s.scalar(select(Invoice).where(Invoice.client_id == client_id))
        assert invoice is not None
        assert (
            s.scalar(
                select(func.count())
                .select_from(InvoiceItem)
                .where(InvoiceItem.invoice_id == invoice.id)
            )
            == 3
        )
        assert (
            s.scalar(
                select(func.count())
                .select_from(TimeEntry)
                .where(TimeEntry.project_id == project_id, TimeEntry.invoice_item_id.is_not(None))
            )
            == 3
        )


# Killing the server ---------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _start_server(url: str, port: int, log: Path) -> subprocess.Popen[bytes]:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"REDIS_URL", "TIMETRACKER_DEBUG", "TIMETRACKER_DEV", "TIMETRACKER_BENCH"}
    }
    env.update({"DATABASE_URL": url, "SECRET_KEY": SECRET, "MAIL_ENABLED": "0"})
    command = [
        str(Path(sys.executable).parent / "timetracker"),
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        "2",
    ]
    with log.open("ab") as out:
        process = subprocess.Popen(
            command, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if requests.get(f"http://127.0.0.1:{port}/login", timeout=10).status_code == 200:
                return process
        except requests.RequestException:
            time.sleep(0.2)
    os.killpg(process.pid, signal.SIGKILL)
    raise AssertionError("the server did not start:\n" + log.read_text()[-3000:])


def _csrf(web: requests.Session, url: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', web.get(url, timeout=10).text)
    assert match, url
    return match.group(1)


def test_killing_the_server_mid_write_loses_nothing_acknowledged(committed_url, maker, tmp_path):
    tag = uuid.uuid4().hex[:8]
    with maker() as s:
        admin = User(
            email=f"kill-{tag}@example.com",
            name="Admin",
            password_hash=password_hash(),
            role=Role.ADMIN,
        )
        s.add(admin)
        s.commit()
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    log = tmp_path / "server.log"
    server = _start_server(committed_url, port, log)
    acknowledged: list[str] = []
    lock = threading.Lock()
    try:
        web = requests.Session()
        token = _csrf(web, base + "/login")
        response = web.post(
            base + "/login",
            data={"email": admin.email, "password": PASSWORD, "csrf_token": token},
            allow_redirects=False,
            timeout=10,
        )
        assert response.status_code == 302
        token = _csrf(web, base + "/clients/new")
        cookies = web.cookies.get_dict()

        def write(worker: int) -> None:
            session = requests.Session()
            session.cookies.update(cookies)
            for n in range(10_000):
                name = f"Durable {tag} {worker}-{n}"
                try:
                    answer = session.post(
                        base + "/clients/new",
                        data={
                            "name": name,
                            "currency": "EUR",
                            "default_hourly_rate": "100.00",
                            "csrf_token": token,
                        },
                        allow_redirects=False,
                        timeout=10,
                    )
                except requests.RequestException:
                    return  # the server is gone: this write was not acknowledged
                if answer.status_code != 302:
                    raise AssertionError(f"{answer.status_code}: {answer.text[:500]}")
                with lock:
                    acknowledged.append(name)

        writers = [threading.Thread(target=write, args=(w,)) for w in range(3)]
        for writer in writers:
            writer.start()
        deadline = time.monotonic() + 60
        while len(acknowledged) < 30 and time.monotonic() < deadline:
            time.sleep(0.01)
        os.killpg(server.pid, signal.SIGKILL)  # master and workers, mid-stream
        server.wait(timeout=30)
        for writer in writers:
            writer.join(timeout=30)
        assert len(acknowledged) >= 30, log.read_text()[-3000:]

        server = _start_server(committed_url, port, log)
        # The session survived too (it lives in the database), and every write is there.
        assert web.get(base + "/clients", allow_redirects=False, timeout=10).status_code == 200
        with maker() as s:
            stored = set(s.scalars(select(Client.name).where(Client.name.like(f"Durable {tag} %"))))
        missing = [name for name in acknowledged if name not in stored]
        assert missing == []
        print(f"\nkill test: {len(acknowledged)} acknowledged writes, {len(stored)} stored")
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(server.pid, signal.SIGKILL)
        server.wait(timeout=30)
