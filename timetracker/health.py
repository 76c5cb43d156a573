"""Health checks for load balancers and orchestrators.

``GET /healthz``: the process answers (touches nothing else). ``GET /readyz``: the database
answers and is migrated to the code's head revision, and Redis answers when ``REDIS_URL`` is
set; 200 when all is well, else 503 with the reason. Both are public and return JSON.
"""

from __future__ import annotations

from flask import Blueprint, Flask, current_app, jsonify
from flask.typing import ResponseReturnValue

from timetracker.auth.access import Policy, UrlTable, register_urls

bp = Blueprint("health", __name__)


def healthz() -> ResponseReturnValue:
    return jsonify(status="ok")


def _redis_problem(url: str) -> str | None:
    from redis import Redis
    from redis.exceptions import RedisError

    connection = Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2)
    try:
        connection.ping()
    except RedisError as error:
        where = connection.connection_pool.connection_kwargs
        return f"Redis at {where.get('host')}:{where.get('port')} does not answer: {error}"
    finally:
        connection.close()
    return None


def readyz() -> ResponseReturnValue:
    from timetracker.db import database
    from timetracker.migrate import DatabaseProblem, check_engine

    checks: dict[str, str] = {}
    problems: list[str] = []
    try:
        check_engine(database.engine, current_app.config["DATABASE_URL"])
        checks["database"] = "ok"
    except DatabaseProblem as database_problem:
        checks["database"] = "failed"
        problems.append(str(database_problem))
    redis_url = current_app.config.get("REDIS_URL")
    if redis_url:
        redis_problem = _redis_problem(redis_url)
        checks["redis"] = "failed" if redis_problem else "ok"
        if redis_problem:
            problems.append(redis_problem)
    if problems:
        body = {"status": "unavailable", "reason": "; ".join(problems), "checks": checks}
        return jsonify(body), 503
    return jsonify(status="ok", checks=checks)


URLS: UrlTable = [
    ("/healthz", healthz, ["GET"], Policy.PUBLIC),
    ("/readyz", readyz, ["GET"], Policy.PUBLIC),
]
register_urls(bp, URLS)


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
