"""The benchmark's diagnostics exist only when TIMETRACKER_BENCH=1 is in the environment."""

from __future__ import annotations

import pytest
from flask import Flask, Response
from sqlalchemy import text

from timetracker import create_app, db
from timetracker.diagnostics import CONSTANT_PATH, QUERY_COUNT_HEADER


def _app(database_url: str) -> Flask:
    return create_app(
        {"TESTING": True, "SECRET_KEY": "test", "DATABASE_URL": database_url, "MAIL_ENABLED": False}
    )


def test_without_the_flag_there_is_no_bench_route_and_no_query_header(app: Flask) -> None:
    response = app.test_client().get(CONSTANT_PATH)
    assert response.status_code == 404
    assert QUERY_COUNT_HEADER not in response.headers
    assert "bench_constant" not in app.view_functions


def test_with_the_flag_the_constant_route_answers_without_login(
    monkeypatch: pytest.MonkeyPatch, database_url: str
) -> None:
    monkeypatch.setenv("TIMETRACKER_BENCH", "1")
    bench_app = _app(database_url)
    try:
        response = bench_app.test_client().get(CONSTANT_PATH)
        assert response.status_code == 200
        assert response.get_data(as_text=True) == "ok\n"
        assert response.headers[QUERY_COUNT_HEADER] == "0"
        assert bench_app.view_functions["bench_constant"].access_policy == "public"
    finally:
        bench_app.extensions["timetracker.engine"].dispose()


def test_query_count_counts_statements_of_the_request_but_not_transaction_control(
    monkeypatch: pytest.MonkeyPatch, database_url: str
) -> None:
    monkeypatch.setenv("TIMETRACKER_BENCH", "1")
    bench_app = _app(database_url)
    try:
        with bench_app.test_request_context("/"):
            db.session.execute(text("SELECT 1"))
            db.session.execute(text("SELECT 2"))
            db.session.execute(text("SAVEPOINT sp"))
            db.session.execute(text("RELEASE SAVEPOINT sp"))
            response = bench_app.process_response(Response("x"))
            assert response.headers[QUERY_COUNT_HEADER] == "2"
        with bench_app.test_request_context("/"):
            db.session.execute(text("SELECT 3"))
            response = bench_app.process_response(Response("x"))
            assert response.headers[QUERY_COUNT_HEADER] == "1"
    finally:
        bench_app.extensions["timetracker.engine"].dispose()
