"""Benchmark diagnostics, switched on only by ``TIMETRACKER_BENCH=1`` in the environment.

With it, every response carries ``X-Query-Count`` (the SQL statements the request ran,
transaction control excluded) and ``/__bench/constant`` answers a constant string: the ceiling
of this stack on the machine, against which ``python -m bench`` compares the portal pages.
Without it nothing here is registered, so production servers expose neither.
"""

from __future__ import annotations

import os
from typing import Any

from flask import Flask, Response, g, has_app_context

from timetracker.auth.access import public

ENV_FLAG = "TIMETRACKER_BENCH"
QUERY_COUNT_HEADER = "X-Query-Count"
CONSTANT_PATH = "/__bench/constant"

#: Statements that only delimit transactions; the test suite's query counter skips them too.
_TRANSACTION_CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")


def enabled() -> bool:
    return os.environ.get(ENV_FLAG) == "1"


def _count_statement(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
    if has_app_context() and not statement.lstrip().upper().startswith(_TRANSACTION_CONTROL):
        g.bench_query_count = g.get("bench_query_count", 0) + 1


def _add_header(response: Response) -> Response:
    response.headers[QUERY_COUNT_HEADER] = str(g.get("bench_query_count", 0))
    return response


@public
def constant() -> Response:
    return Response("ok\n", mimetype="text/plain")


def init_app(app: Flask) -> None:
    if not enabled():
        return
    from sqlalchemy import event

    event.listen(app.extensions["timetracker.engine"], "before_cursor_execute", _count_statement)
    app.after_request(_add_header)
    app.add_url_rule(CONSTANT_PATH, "bench_constant", constant, methods=["GET"])
