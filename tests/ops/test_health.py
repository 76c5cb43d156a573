"""``/healthz`` and ``/readyz``."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask

from timetracker import create_app, migrate
from timetracker.auth.access import Policy, policy_of


def test_healthz_answers_without_the_database(client, monkeypatch: pytest.MonkeyPatch) -> None:
    from timetracker.db import Database

    def no_database(_self: Database) -> None:
        raise AssertionError("/healthz touched the database")

    monkeypatch.setattr(Database, "get_session", no_database)
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


def test_readyz_is_200_when_the_database_is_at_head(client) -> None:
    response = client.get("/readyz")
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    assert body["status"] == "ok" and body["checks"]["database"] == "ok"


def test_both_are_public(app: Flask) -> None:
    for endpoint in ("health.healthz", "health.readyz"):
        assert policy_of(app.view_functions[endpoint]) == Policy.PUBLIC


@pytest.fixture
def app_on(tmp_path: Path):
    made: list[Flask] = []

    def make(url: str) -> Flask:
        application = create_app(
            {
                "TESTING": True,
                "SECRET_KEY": "test-secret-key",
                "DATABASE_URL": url,
                "REDIS_URL": None,
            }
        )
        made.append(application)
        return application

    yield make
    for application in made:
        application.extensions["timetracker.engine"].dispose()


def test_readyz_is_503_on_an_unmigrated_database(app_on, tmp_path: Path) -> None:
    response = app_on(f"sqlite:///{tmp_path / 'empty.db'}").test_client().get("/readyz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["status"] == "unavailable" and body["checks"]["database"] == "failed"
    assert "run `timetracker db upgrade`" in body["reason"]


def test_readyz_is_503_on_a_database_behind_head(app_on, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'behind.db'}"
    migrate.upgrade(url, "0002")
    response = app_on(url).test_client().get("/readyz")
    assert response.status_code == 503
    assert "behind" in response.get_json()["reason"]


def test_readyz_is_503_when_the_database_does_not_answer(app_on) -> None:
    response = app_on("postgresql://postgres@127.0.0.1:1/nothing").test_client().get("/readyz")
    assert response.status_code == 503
    assert "Cannot connect to the database" in response.get_json()["reason"]


def test_readyz_is_503_when_redis_does_not_answer(
    app: Flask, client, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(app.config, "REDIS_URL", "redis://127.0.0.1:1/0")
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["checks"] == {"database": "ok", "redis": "failed"}
    assert "Redis at 127.0.0.1:1 does not answer" in body["reason"]
