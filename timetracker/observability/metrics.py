"""The app's Prometheus metrics and the ``/metrics`` page.

Under gunicorn every worker is a process with its own counters: ``timetracker serve`` runs
prometheus-client's multiprocess mode (``PROMETHEUS_MULTIPROC_DIR``, set up by
``timetracker.gunicorn_conf``), where each process writes its values to files in that folder and
``/metrics`` adds up all of them, so one scrape shows the whole server. Without it (tests,
``flask run``) the process's own default registry is served.

``/metrics`` answers requests from this machine (a loopback address; behind a proxy declared with
``TIMETRACKER_PROXY_HOPS``, the forwarded client's address) and requests that bring
``Authorization: Bearer <TIMETRACKER_METRICS_TOKEN>``. Everyone else gets the plain 404 page of
an address that does not exist, so the page is not advertised.
"""

from __future__ import annotations

import hmac
import ipaddress
import os

from flask import Blueprint, Flask, Response, abort, current_app, request
from flask.typing import ResponseReturnValue
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client import multiprocess as prometheus_multiprocess

from timetracker.auth.access import Policy, UrlTable, register_urls

#: The environment variable that switches prometheus-client to multiprocess mode.
MULTIPROCESS_ENV = "PROMETHEUS_MULTIPROC_DIR"
#: The endpoint label of a request no URL rule matched (a 404 or 405 of the router).
UNMATCHED = "unmatched"

REQUESTS = Counter(
    "timetracker_http_requests",
    "HTTP requests answered, by Flask endpoint and status code.",
    ["endpoint", "status"],
)
REQUEST_DURATION = Histogram(
    "timetracker_http_request_duration_seconds",
    "Time from the start of the request to the response, by Flask endpoint.",
    ["endpoint"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
)
REQUEST_SQL_STATEMENTS = Histogram(
    "timetracker_http_request_sql_statements",
    "SQL statements run while answering a request, by Flask endpoint.",
    ["endpoint"],
    buckets=(0, 1, 2, 3, 5, 8, 13, 20, 30, 50, 100, 200, 500),
)
JOBS_QUEUED = Counter(
    "timetracker_jobs_queued",
    "Background jobs queued: on RQ (mode=rq) or run in the web process (mode=inline).",
    ["job", "mode"],
)
JOBS_FAILED = Counter(
    "timetracker_jobs_failed",
    "Background job runs that failed (raised, or need a retry), counted by the process that "
    "ran them: the web server for inline jobs, `timetracker worker` for RQ jobs.",
    ["job", "mode"],
)
EMAILS_FAILED = Counter(
    "timetracker_emails_failed",
    "Attempts to hand an email to the SMTP server that failed.",
)

#: The background jobs, so that their series exist (at 0) before the first one runs.
JOB_NAMES = ("invoice_email",)
JOB_MODES = ("rq", "inline")
for _job in JOB_NAMES:
    for _mode in JOB_MODES:
        JOBS_QUEUED.labels(_job, _mode)
        JOBS_FAILED.labels(_job, _mode)


def observe_request(endpoint: str, status: int, seconds: float, sql_statements: int) -> None:
    REQUESTS.labels(endpoint, str(status)).inc()
    REQUEST_DURATION.labels(endpoint).observe(seconds)
    REQUEST_SQL_STATEMENTS.labels(endpoint).observe(sql_statements)


def is_multiprocess() -> bool:
    return bool(os.environ.get(MULTIPROCESS_ENV))


def exposition() -> bytes:
    """The metrics in Prometheus' text format: of all worker processes in multiprocess mode."""
    if not is_multiprocess():
        return generate_latest(REGISTRY)
    registry = CollectorRegistry()
    prometheus_multiprocess.MultiProcessCollector(registry)
    return generate_latest(registry)


def _is_loopback(address: str | None) -> bool:
    try:
        ip = ipaddress.ip_address(address or "")
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_loopback


def _bearer_token_matches() -> bool:
    expected = current_app.config.get("METRICS_TOKEN")
    if not expected:
        return False
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not given:
        return False
    return hmac.compare_digest(given.strip().encode(), str(expected).encode())


#: Headers a reverse proxy adds. Without ``TIMETRACKER_PROXY_HOPS`` a request carrying one came
#: through a proxy nobody declared, probably on this machine: its loopback address is the
#: proxy's, not the client's, so it does not count as local.
_FORWARDING_HEADERS = ("Forwarded", "X-Forwarded-For", "X-Real-IP")


def _from_this_machine() -> bool:
    if not current_app.config.get("PROXY_FIX_HOPS") and any(
        name in request.headers for name in _FORWARDING_HEADERS
    ):
        return False
    return _is_loopback(request.remote_addr)


def may_read_metrics() -> bool:
    """A client on this machine, or the right bearer token. (``request.remote_addr`` is the
    forwarded client's address when ``TIMETRACKER_PROXY_HOPS`` declares the proxies in front.)"""
    return _from_this_machine() or _bearer_token_matches()


def metrics() -> ResponseReturnValue:
    # Public in the URL table because the rule is not about accounts: the check is here.
    if not may_read_metrics():
        abort(404)
    response = Response(exposition(), headers={"Content-Type": CONTENT_TYPE_LATEST})
    response.headers["Cache-Control"] = "no-store"
    return response


bp = Blueprint("monitoring", __name__)
URLS: UrlTable = [
    ("/metrics", metrics, ["GET"], Policy.PUBLIC),
]
register_urls(bp, URLS)


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
