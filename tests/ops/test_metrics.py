"""``/metrics``: what it counts, who may read it, and one answer for all of gunicorn's workers."""

from __future__ import annotations

import socket
import stat
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from flask import Flask
from flask.testing import FlaskClient
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy.orm import Session

from tests import factories
from tests.conftest import login, post
from tests.ops.servers import children, run_cli, server_environment, start_app_server
from tests.smtp import SmtpServer
from timetracker.gunicorn_conf import MULTIPROCESS_ENV
from timetracker.models import InvoiceStatus

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]
ELSEWHERE = {"REMOTE_ADDR": "203.0.113.9"}
TOKEN = "metrics-token-0123456789abcdef0123456789"


def parse(text: str) -> Samples:
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def scrape(client: FlaskClient) -> Samples:
    response = client.get("/metrics")
    assert response.status_code == 200, response.status_code
    assert response.mimetype == "text/plain"
    return parse(response.get_data(as_text=True))


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


def change(before: Samples, after: Samples, name: str, **labels: str) -> float:
    return value(after, name, **labels) - value(before, name, **labels)


# What is counted ---------------------------------------------------------------------------------


def test_a_request_adds_one_to_its_endpoint_and_status(client: FlaskClient) -> None:
    before = scrape(client)
    assert client.get("/login").status_code == 200
    after = scrape(client)

    requests_total = "timetracker_http_requests_total"
    assert change(before, after, requests_total, endpoint="auth.login", status="200") == 1
    assert change(before, after, requests_total, endpoint="auth.login", status="404") == 0
    duration = "timetracker_http_request_duration_seconds_count"
    assert change(before, after, duration, endpoint="auth.login") == 1
    statements = "timetracker_http_request_sql_statements_count"
    assert change(before, after, statements, endpoint="auth.login") == 1
    # The first scrape was a request too.
    assert change(before, after, requests_total, endpoint="monitoring.metrics", status="200") == 1


def test_sql_statements_are_counted_per_request(client: FlaskClient) -> None:
    histogram = "timetracker_http_request_sql_statements"
    before = scrape(client)
    for _ in range(3):
        assert client.get("/healthz").status_code == 200  # touches no database
    assert client.get("/readyz").status_code == 200  # asks the database
    after = scrape(client)

    assert change(before, after, f"{histogram}_count", endpoint="health.healthz") == 3
    assert change(before, after, f"{histogram}_sum", endpoint="health.healthz") == 0
    assert change(before, after, f"{histogram}_bucket", endpoint="health.healthz", le="0.0") == 3
    assert change(before, after, f"{histogram}_count", endpoint="health.readyz") == 1
    assert change(before, after, f"{histogram}_sum", endpoint="health.readyz") >= 1
    assert change(before, after, f"{histogram}_bucket", endpoint="health.readyz", le="0.0") == 0


def test_a_path_without_a_route_is_one_label_whatever_the_path(client: FlaskClient) -> None:
    before = scrape(client)
    for path in ("/no-such-page", "/wp-login.php", "/a/b/c?x=1"):
        assert client.get(path).status_code == 404
    after = scrape(client)

    name = "timetracker_http_requests_total"
    assert change(before, after, name, endpoint="unmatched", status="404") == 3
    assert not [key for key in after if "wp-login" in str(key)]


def test_the_job_and_email_series_exist_before_any_job(client: FlaskClient) -> None:
    samples = scrape(client)
    for mode in ("rq", "inline"):
        for name in ("timetracker_jobs_queued_total", "timetracker_jobs_failed_total"):
            assert (name, frozenset({("job", "invoice_email"), ("mode", mode)})) in samples
    assert ("timetracker_emails_failed_total", frozenset()) in samples


def test_inline_jobs_and_failed_emails_are_counted(
    app: Flask,
    client: FlaskClient,
    session: Session,
    smtp_server: SmtpServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(app.config, "REDIS_URL", None)
    admin = factories.make_admin(session)
    customer = factories.make_client(session)
    draft = factories.make_invoice(session, customer, status=InvoiceStatus.DRAFT)
    factories.make_portal_user(session, customer)
    session.commit()
    monkeypatch.setitem(app.config, "MAIL_MAX_ATTEMPTS", 2)
    assert login(client, admin.email).status_code == 302
    smtp_server.reply = "451 4.3.2 System not accepting network messages"

    before = scrape(client)
    assert post(client, f"/invoices/{draft.id}/send").status_code == 302
    after = scrape(client)

    job = {"job": "invoice_email", "mode": "inline"}
    # One delivery, two attempts (MAIL_MAX_ATTEMPTS): two failed sends; the first attempt asks
    # for a retry (a failed run), the second records the final failure on the delivery.
    assert change(before, after, "timetracker_jobs_queued_total", **job) == 1
    assert change(before, after, "timetracker_jobs_failed_total", **job) == 1
    assert change(before, after, "timetracker_emails_failed_total") == 2
    assert smtp_server.refused == 2


# Who may read it ---------------------------------------------------------------------------------


def test_another_address_gets_the_plain_404_page(client: FlaskClient) -> None:
    response = client.get("/metrics", environ_base=ELSEWHERE)
    missing = client.get("/no-such-page", environ_base=ELSEWHERE)
    assert response.status_code == 404
    assert response.get_data() == missing.get_data()
    assert b"timetracker_" not in response.get_data()


@pytest.mark.parametrize("address", ["127.0.0.1", "127.0.0.2", "::1", "::ffff:127.0.0.1"])
def test_this_machine_may_read_it(client: FlaskClient, address: str) -> None:
    response = client.get("/metrics", environ_base={"REMOTE_ADDR": address})
    assert response.status_code == 200
    assert b"timetracker_http_requests_total" in response.get_data()
    assert response.headers["Cache-Control"] == "no-store"


def test_the_right_bearer_token_opens_it_from_anywhere(
    app: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(app.config, "METRICS_TOKEN", TOKEN)
    response = client.get(
        "/metrics", environ_base=ELSEWHERE, headers={"Authorization": f"Bearer {TOKEN}"}
    )
    assert response.status_code == 200
    assert b"timetracker_http_requests_total" in response.get_data()


@pytest.mark.parametrize(
    "authorization",
    [
        f"Bearer {TOKEN}x",
        f"Bearer {TOKEN[:-1]}",
        "Bearer ",
        f"Basic {TOKEN}",
        TOKEN,
    ],
)
def test_a_wrong_token_is_refused(
    app: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch, authorization: str
) -> None:
    monkeypatch.setitem(app.config, "METRICS_TOKEN", TOKEN)
    response = client.get(
        "/metrics", environ_base=ELSEWHERE, headers={"Authorization": authorization}
    )
    assert response.status_code == 404


def test_no_token_is_accepted_when_none_is_configured(
    app: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(app.config, "METRICS_TOKEN", None)
    for authorization in ("Bearer ", "Bearer None", "Bearer null"):
        response = client.get(
            "/metrics", environ_base=ELSEWHERE, headers={"Authorization": authorization}
        )
        assert response.status_code == 404


def test_a_proxy_nobody_declared_does_not_make_a_request_local(client: FlaskClient) -> None:
    """A proxy on this machine without TIMETRACKER_PROXY_HOPS: the peer is 127.0.0.1, but the
    request came from elsewhere."""
    for header in ("X-Forwarded-For", "X-Real-IP", "Forwarded"):
        response = client.get("/metrics", headers={header: "203.0.113.9"})
        assert response.status_code == 404, header


def test_behind_a_declared_proxy_the_forwarded_client_decides(
    app: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from werkzeug.middleware.proxy_fix import ProxyFix

    monkeypatch.setitem(app.config, "PROXY_FIX_HOPS", 1)
    monkeypatch.setattr(app, "wsgi_app", ProxyFix(app.wsgi_app, x_for=1))
    remote = client.get("/metrics", headers={"X-Forwarded-For": "203.0.113.9"})
    local = client.get("/metrics", headers={"X-Forwarded-For": "127.0.0.1"})
    assert (remote.status_code, local.status_code) == (404, 200)


# The real server -----------------------------------------------------------------------------


@pytest.fixture
def served(tmp_path: Path) -> Iterator[dict[str, Any]]:
    """``timetracker serve --workers 2`` on a fresh SQLite database, with its own TMPDIR (where
    the server makes its metrics folder)."""
    temp = tmp_path / "tmp"
    temp.mkdir()
    env = server_environment(
        DATABASE_URL=f"sqlite:///{tmp_path / 'served.db'}",
        TIMETRACKER_DATA=str(tmp_path / "data"),
        TMPDIR=str(temp),
    )
    env.pop(MULTIPROCESS_ENV, None)  # the server makes its own folder
    run_cli(env, "db", "upgrade")
    with children(tmp_path) as started:
        app = start_app_server(started, "app", env)
        yield {
            "base": f"http://127.0.0.1:{app.port}",
            "port": app.port,
            "server": app.child,
            "log": app.child.log,
            "temp": temp,
        }


def _healthz_count(base: str) -> float:
    samples = parse(requests.get(f"{base}/metrics", timeout=5).text)
    return value(
        samples, "timetracker_http_requests_total", endpoint="health.healthz", status="200"
    )


@pytest.mark.servers
def test_one_scrape_adds_up_the_counts_of_both_workers(served: dict[str, Any]) -> None:
    base = served["base"]
    start = _healthz_count(base)  # includes the readiness poll
    # A request whose head is not complete keeps one worker (gunicorn's workers are sync: one
    # request at a time) waiting, so the requests sent meanwhile are all answered by the other.
    held = socket.create_connection(("127.0.0.1", served["port"]), timeout=10)
    try:
        held.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        time.sleep(0.5)  # let a worker take it
        for _ in range(10):
            assert requests.get(f"{base}/healthz", timeout=5).status_code == 200
        held.sendall(b"Connection: close\r\n\r\n")
        answer = b""
        while chunk := held.recv(65536):
            answer += chunk
        assert answer.startswith(b"HTTP/1.1 200"), answer[:200]
    finally:
        held.close()
    # 11 requests, 10 by one worker and 1 by the other: whichever worker answers the scrape,
    # only a sum over both processes gives 11.
    assert _healthz_count(base) - start == 11

    # The multiprocess folder: made fresh for this server, private, removed when it stops.
    [folder] = list(served["temp"].glob("timetracker-metrics-*"))
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert len({path.name.split("_")[1] for path in folder.glob("counter_*.db")}) == 2
    # The app's access log, one JSON line per request.
    lines = served["log"].read_text().splitlines()
    assert sum('"logger": "timetracker.access"' in line and "/healthz" in line for line in lines)
    assert served["server"].stop() == 0
    assert not folder.exists()
