"""One JSON line per request on ``timetracker.access``, and the request id: taken from a sane
``X-Request-ID`` or made, returned on every response, and on every log line of the request and of
the jobs it queued."""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from redis import Redis
from rq import Queue, SimpleWorker
from sqlalchemy.orm import Session

from tests import factories
from tests.conftest import login, post
from tests.smtp import SmtpServer
from timetracker import create_app
from timetracker.config import ConfigError
from timetracker.models import InvoiceStatus
from timetracker.notifications.jobs import queue_name
from timetracker.observability import logs

NEW_ID = re.compile(r"[0-9a-f]{32}")
ACCESS_FIELDS = {
    "time", "level", "logger", "message", "request_id", "method", "path", "endpoint", "status",
    "duration_ms", "sql_statements", "remote_addr", "user_id",
}  # fmt: skip

Lines = Callable[[], list[dict[str, Any]]]


@pytest.fixture
def json_lines(capsys: pytest.CaptureFixture[str]) -> Iterator[Lines]:
    """The app's log lines as JSON (as under ``timetracker serve``); the callable returns the
    lines written to standard error since it was last called, parsed."""
    handler = logs.app_handler()
    previous = handler.formatter
    handler.setFormatter(logs.JsonFormatter())
    capsys.readouterr()

    def read() -> list[dict[str, Any]]:
        # Every line the app's handler writes must be one JSON object.
        return [json.loads(line) for line in capsys.readouterr().err.splitlines()]

    try:
        yield read
    finally:
        handler.setFormatter(previous)


def access(lines: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [line for line in lines if line["logger"] == "timetracker.access"]


def test_one_line_per_request_with_its_fields(
    client: FlaskClient, session: Session, json_lines: Lines
) -> None:
    user = factories.make_user(session)
    session.commit()
    assert login(client, user.email).status_code == 302
    json_lines()

    response = client.get("/account?tab=secret&q=x", headers={"X-Request-ID": "trace-42.a_B"})
    client.get("/healthz")
    client.head("/no-such-page")

    assert response.status_code == 200
    account, healthz, missing = access(json_lines())
    assert set(account) == ACCESS_FIELDS
    assert account["request_id"] == "trace-42.a_B"
    assert (account["level"], account["method"], account["path"]) == ("INFO", "GET", "/account")
    assert (account["endpoint"], account["status"]) == ("auth.account", 200)
    assert account["user_id"] == user.id and account["remote_addr"] == "127.0.0.1"
    assert isinstance(account["duration_ms"], float) and account["duration_ms"] >= 0
    assert isinstance(account["sql_statements"], int) and account["sql_statements"] >= 1
    assert "secret" not in json.dumps(account)  # no query string
    moment = dt.datetime.fromisoformat(account["time"])
    assert abs(dt.datetime.now(dt.UTC) - moment) < dt.timedelta(minutes=5)

    assert (healthz["endpoint"], healthz["status"], healthz["sql_statements"]) == (
        "health.healthz",
        200,
        0,
    )
    assert NEW_ID.fullmatch(healthz["request_id"])
    assert (missing["method"], missing["endpoint"], missing["status"]) == ("HEAD", "unmatched", 404)
    assert missing["user_id"] == user.id


def test_anonymous_requests_have_no_user(client: FlaskClient, json_lines: Lines) -> None:
    client.get("/login")
    [line] = access(json_lines())
    assert line["user_id"] is None and line["endpoint"] == "auth.login"


@pytest.mark.parametrize("prefix", ["/reset-password/", "/invitation/"])
def test_the_token_of_an_emailed_link_is_not_logged(
    client: FlaskClient, json_lines: Lines, prefix: str
) -> None:
    token = "s3cret-" + "q" * 36
    client.get(prefix + token)
    [line] = access(json_lines())
    assert token not in json.dumps(line)
    assert line["path"] == prefix + "[token]" and "[token]" in line["message"]


@pytest.mark.parametrize("sane", ["abc", "A.b-c_9", "x" * 128, "0123456789abcdef"])
def test_a_sane_request_id_is_echoed(client: FlaskClient, json_lines: Lines, sane: str) -> None:
    response = client.get("/login", headers={"X-Request-ID": sane})
    assert response.headers["X-Request-ID"] == sane
    assert access(json_lines())[0]["request_id"] == sane


@pytest.mark.parametrize(
    "insane",
    ["", "x" * 129, "x" * 300, "a b", "a\nb", 'a"b', "a;b", "a/b", "ä", "a\x00b", "\r\nX-Evil: 1"],
)
def test_any_other_request_id_is_replaced(
    client: FlaskClient, json_lines: Lines, insane: str
) -> None:
    # Set in the WSGI environment, as a server passes it on (the test client's header checks
    # would refuse some of these).
    response = client.get("/login", environ_base={"HTTP_X_REQUEST_ID": insane})
    given = response.headers["X-Request-ID"]
    assert NEW_ID.fullmatch(given)
    assert access(json_lines())[0]["request_id"] == given


def test_each_request_gets_its_own_id(client: FlaskClient) -> None:
    ids = {client.get("/healthz").headers["X-Request-ID"] for _ in range(3)}
    assert len(ids) == 3 and all(NEW_ID.fullmatch(i) for i in ids)


def test_error_pages_carry_the_id_too(client: FlaskClient) -> None:
    for method, path, status in [
        ("GET", "/no-such-page", 404),
        ("POST", "/healthz", 405),
        ("GET", "/login?x=%00", 400),
    ]:
        response = client.open(path, method=method, headers={"X-Request-ID": f"id-{status}"})
        assert response.status_code == status
        assert response.headers["X-Request-ID"] == f"id-{status}"


@pytest.fixture
def unreachable_database_app(tmp_path: Path) -> Iterator[Flask]:
    application = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret-key",
            "DATABASE_URL": "postgresql+psycopg://postgres@127.0.0.1:1/x",
            "REDIS_URL": None,
            "RATELIMIT_STORAGE_URI": "memory://",
            "MAIL_ENABLED": False,
            "PROPAGATE_EXCEPTIONS": False,
        }
    )
    yield application
    application.extensions["timetracker.engine"].dispose()


def test_every_line_of_a_request_carries_its_id(
    unreachable_database_app: Flask, json_lines: Lines
) -> None:
    """The database is unreachable: the 503 page and the error line logged on the way."""
    client = unreachable_database_app.test_client()
    response = client.get("/login", headers={"X-Request-ID": "lost-db-1"})

    assert response.status_code == 503
    assert response.headers["X-Request-ID"] == "lost-db-1"
    lines = json_lines()
    errors = [line for line in lines if line["level"] == "ERROR"]
    assert errors and errors[0]["message"].startswith("database unavailable:")
    assert "exception" in errors[0]  # the traceback, inside the one line
    assert [line["request_id"] for line in lines] == ["lost-db-1"] * len(lines)
    assert access(lines)[0]["status"] == 503


def test_lines_outside_a_request_have_no_id(app: Flask, json_lines: Lines) -> None:
    app.test_client().get("/healthz")
    logging.getLogger("timetracker.somewhere").warning("between requests")
    [line] = [line for line in json_lines() if line["logger"] == "timetracker.somewhere"]
    assert line["request_id"] is None and line["level"] == "WARNING"


@pytest.fixture
def sending(
    app: Flask, client: FlaskClient, session: Session, smtp_server: SmtpServer
) -> dict[str, Any]:
    """An administrator signed in, a draft invoice, a portal user, a mail server that refuses."""
    admin = factories.make_admin(session)
    customer = factories.make_client(session)
    draft = factories.make_invoice(session, customer, status=InvoiceStatus.DRAFT)
    factories.make_portal_user(session, customer)
    session.commit()
    assert login(client, admin.email).status_code == 302
    smtp_server.reply = "451 4.3.2 System not accepting network messages"
    app.config["MAIL_MAX_ATTEMPTS"] = 2  # (smtp_server's monkeypatch restores it)
    return {"client": client, "draft": draft}


def _delivery_warnings(lines: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [line for line in lines if line["logger"] == "timetracker.notifications.invoices"]


def test_a_job_run_inline_carries_the_request_id(
    app: Flask, sending: dict[str, Any], json_lines: Lines, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(app.config, "REDIS_URL", None)
    json_lines()
    path = f"/invoices/{sending['draft'].id}/send"
    response = post(sending["client"], path, headers={"X-Request-ID": "send-inline-1"})

    assert response.status_code == 302
    lines = json_lines()
    warnings = _delivery_warnings(lines)
    assert len(warnings) == 2  # one per failed attempt
    assert {line["request_id"] for line in warnings} == {"send-inline-1"}
    [sent] = [line for line in access(lines) if line["path"] == path]
    assert sent["request_id"] == "send-inline-1"


@pytest.mark.redis
def test_a_job_run_by_the_worker_carries_the_request_id(
    app: Flask, sending: dict[str, Any], json_lines: Lines
) -> None:
    url = app.config.get("REDIS_URL")
    assert url, "the redis marker lets this run with Redis only"
    connection = Redis.from_url(url)
    with app.app_context():
        queue = Queue(queue_name(), connection=connection)
    queue.empty()
    try:
        path = f"/invoices/{sending['draft'].id}/send"
        response = post(sending["client"], path, headers={"X-Request-ID": "send-rq-1"})
        assert response.status_code == 302
        [job] = queue.get_jobs()
        assert job.meta["request_id"] == "send-rq-1"
        json_lines()
        with app.app_context():
            SimpleWorker([queue], connection=connection).work(burst=True)
    finally:
        queue.empty()
        connection.close()
    warnings = _delivery_warnings(json_lines())
    assert len(warnings) == 2  # the job and its retry
    assert {line["request_id"] for line in warnings} == {"send-rq-1"}


# The setting -------------------------------------------------------------------------------------


@pytest.fixture
def restore_format() -> Iterator[None]:
    handler = logs.app_handler()
    previous = handler.formatter
    yield
    handler.setFormatter(previous)


@pytest.mark.usefixtures("restore_format")
@pytest.mark.parametrize(
    ("setting", "formatter"),
    [("json", logs.JsonFormatter), ("TEXT", logs.TextFormatter), (None, logs.TextFormatter)],
)
def test_the_log_format_setting(
    database_url: str, setting: str | None, formatter: type, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(logs.LOG_FORMAT_ENV, raising=False)
    application = create_app({"TESTING": True, "DATABASE_URL": database_url, "LOG_FORMAT": setting})
    application.extensions["timetracker.engine"].dispose()
    assert type(logs.app_handler().formatter) is formatter


@pytest.mark.usefixtures("restore_format")
def test_an_unknown_log_format_stops_the_app(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(logs.LOG_FORMAT_ENV, "xml")
    with pytest.raises(ConfigError, match="TIMETRACKER_LOG_FORMAT must be json or text"):
        create_app({"TESTING": True, "DATABASE_URL": database_url})
