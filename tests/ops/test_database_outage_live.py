"""PostgreSQL stops under a running ``timetracker serve`` and starts again.

The in-process version (``test_database_loss.py``) shows what the app answers without its
database; this one shows it with the real pieces: a private PostgreSQL cluster (never the
machine's shared one) stopped with ``pg_ctl stop -m fast`` under gunicorn with two workers.
While it is down, every request gets the app's own 503 page, ``/login`` included, and the
server writes one log line per failed request plus at most one traceback per worker process
and interval; once PostgreSQL is back, the same server answers again without a restart, and
what was written before the outage is still there.
"""

from __future__ import annotations

import json
import re
import time
import uuid
from itertools import cycle
from pathlib import Path

import pytest
import requests
from sqlalchemy.orm import Session

from tests import factories
from tests.ops import servers
from timetracker import errors, migrate
from timetracker.db import make_engine

pytestmark = [pytest.mark.postgres, pytest.mark.servers]

#: How long PostgreSQL stays down while requests keep coming.
OUTAGE_SECONDS = 3.0
#: ``timetracker serve --workers 2``: each worker process keeps its own traceback interval.
WORKERS = 2


def assert_unavailable_page(response: requests.Response) -> None:
    """What ``test_database_loss.assert_unavailable_page`` expects, over real HTTP."""
    assert response.status_code == 503, response.text[:500]
    assert response.headers["Retry-After"] == str(errors.RETRY_AFTER_SECONDS)
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Content-Type"].startswith("text/html")
    assert "Service unavailable" in response.text
    assert "the database cannot be reached" in response.text
    assert "css/app.css" in response.text  # the app's own look, not gunicorn's bare error


def test_postgres_stopped_under_a_running_server(tmp_path: Path) -> None:
    tag = uuid.uuid4().hex[:8]
    with servers.private_postgres() as cluster, servers.children(tmp_path) as started:
        url = cluster.create_database("timetracker")
        migrate.upgrade(url)
        engine = make_engine(url)
        try:
            with Session(engine) as s:
                admin = factories.make_admin(s, email=f"outage-{tag}@example.com")
                s.commit()
                email = admin.email
        finally:
            engine.dispose()
        app = servers.start_app_server(started, "app", servers.server_environment(DATABASE_URL=url))
        server, base = app.child, f"http://127.0.0.1:{app.port}"

        web = servers.local_browser()
        token = servers.csrf_token(web.get(base + "/login", timeout=30).text)
        signed_in = web.post(
            base + "/login",
            data={"email": email, "password": factories.PASSWORD, "csrf_token": token},
            allow_redirects=False,
            timeout=30,
        )
        assert signed_in.status_code == 302
        token = servers.csrf_token(web.get(base + "/clients/new", timeout=30).text)
        before = f"Before the outage {tag}"
        created = web.post(
            base + "/clients/new",
            data={
                "name": before,
                "currency": "EUR",
                "default_hourly_rate": "100.00",
                "csrf_token": token,
            },
            allow_redirects=False,
            timeout=30,
        )
        assert created.status_code == 302, created.text[:500]

        anonymous = servers.local_browser()
        requests_made = [
            lambda: web.get(base + "/dashboard", allow_redirects=False, timeout=30),
            lambda: anonymous.get(base + "/login", allow_redirects=False, timeout=30),
            lambda: web.get(base + "/clients", allow_redirects=False, timeout=30),
            lambda: web.post(
                base + "/clients/new",
                data={"name": "During the outage", "currency": "EUR", "csrf_token": token},
                allow_redirects=False,
                timeout=30,
            ),
        ]
        log_start = len(server.log_text())
        cluster.stop()
        failed = 0
        ends = time.monotonic() + OUTAGE_SECONDS
        for make in cycle(requests_made):
            if time.monotonic() >= ends and failed >= 2 * len(requests_made):
                break
            assert_unavailable_page(make())
            failed += 1
        outage_log = server.log_text()[log_start:]

        cluster.start()
        back = time.monotonic()
        servers.wait_until(
            lambda: web.get(base + "/dashboard", allow_redirects=False, timeout=30).status_code
            == 200,
            "the server to answer again",
            server,
            timeout=15,
        )
        recovered_in = time.monotonic() - back
        assert anonymous.get(base + "/login", timeout=30).status_code == 200
        clients = web.get(base + "/clients", timeout=30)
        assert clients.status_code == 200
        assert before in clients.text
        assert "During the outage" not in clients.text  # the refused POST wrote nothing
        assert server.running()  # the same server: no restart

    print(f"\nlive outage: {failed} requests answered 503, recovered in {recovered_in:.1f} s")
    assert_bounded_log(outage_log, failed)
    assert recovered_in < 10


#: gunicorn's own access line (``timetracker serve`` may write one beside the app's).
GUNICORN_ACCESS_LINE = re.compile(r'^\S+ - \S+ \[[^]]+\] "(GET|POST) [^"]*" 503 ')


def assert_bounded_log(text: str, failed: int) -> None:
    """Per failed request, the app writes its access line and one "database unavailable"
    line (each record one JSON line under gunicorn), the latter with a traceback at most once
    per worker process and interval; gunicorn may add its own access line. Nothing else."""
    records, others = [], []
    gunicorn_access = 0
    for line in text.splitlines():
        if GUNICORN_ACCESS_LINE.match(line):
            gunicorn_access += 1
            continue
        try:
            records.append(json.loads(line))
        except ValueError:
            others.append(line)
    unavailable = [r for r in records if r["message"].startswith("database unavailable:")]
    access = [r for r in records if r["logger"] == "timetracker.access"]
    assert len(unavailable) == failed
    assert len(access) == failed
    assert all(r["status"] == 503 for r in access)
    assert gunicorn_access in {0, failed}
    with_traceback = [r for r in unavailable if "exception" in r]
    assert 1 <= len(with_traceback) <= WORKERS
    others += [r for r in records if r not in unavailable and r not in access]
    assert others == []
