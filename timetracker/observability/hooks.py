"""Per request: the request id, the SQL statement count, the metrics and the access log line."""

from __future__ import annotations

import logging
import time
from contextvars import ContextVar
from typing import Any

from flask import Flask, Response, g, request
from sqlalchemy import event
from sqlalchemy import inspect as sa_inspect

from timetracker.observability import logs, metrics

#: One line per request (fields in ``record.fields``; see docs/monitoring.md).
access_log = logging.getLogger("timetracker.access")

#: The running request's SQL statement count (a one-item list, so that statements run in a
#: nested application context, such as an inline background job, count for the request too).
_sql_statements: ContextVar[list[int] | None] = ContextVar(
    "timetracker_sql_statements", default=None
)


def _count_statement(*_args: Any) -> None:
    counter = _sql_statements.get()
    if counter is not None:
        counter[0] += 1


def _start_request() -> None:
    g.request_started = time.perf_counter()
    g.request_id = logs.accepted_request_id(request.headers.get(logs.REQUEST_ID_HEADER))
    logs.request_id_var.set(g.request_id)
    _sql_statements.set([0])


def _signed_in_user_id() -> int | None:
    """The id of the user Flask-Login loaded for this request, if it did; never loads it (that
    would be a query on pages that make none, like ``/healthz``)."""
    user = g.get("_login_user")
    state = sa_inspect(user, raiseerr=False) if user is not None else None
    if state is None or state.identity is None:
        return None
    return int(state.identity[0])


def _printable(text: str) -> str:
    """``text`` with control characters escaped, for the plain-text message."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


#: Path parts that are secrets (the token of an emailed invitation or reset link): logged as this.
MASKED = "[token]"


def _logged_path() -> str:
    """The request's path with the secret parts masked: a single-use link's token never goes
    into the logs, where whoever reads them could use it before its owner."""
    path = request.path
    token = (request.view_args or {}).get("token")
    if isinstance(token, str) and token:
        path = path.replace(token, MASKED)
    return path


def _finish_request(response: Response) -> Response:
    request_id = g.get("request_id") or logs.accepted_request_id(None)
    response.headers[logs.REQUEST_ID_HEADER] = request_id
    started = g.get("request_started")
    seconds = time.perf_counter() - started if started is not None else 0.0
    counter = _sql_statements.get()
    statements = counter[0] if counter is not None else 0
    endpoint = request.endpoint or metrics.UNMATCHED
    metrics.observe_request(endpoint, response.status_code, seconds, statements)
    # The method the client sent (HEAD is answered as GET inside the app).
    method = str(request.environ.get("REQUEST_METHOD", request.method))
    fields = {
        "method": method,
        "path": _logged_path(),
        "endpoint": endpoint,
        "status": response.status_code,
        "duration_ms": round(seconds * 1000, 1),
        "sql_statements": statements,
        "remote_addr": request.remote_addr,
        "user_id": _signed_in_user_id(),
    }
    access_log.info(
        "%s %s %s %.1f ms",
        method,
        _printable(_logged_path()),
        response.status_code,
        fields["duration_ms"],
        extra={"fields": fields, "request_id": request_id},
    )
    return response


def _end_request(_error: BaseException | None) -> None:
    logs.request_id_var.set(None)
    _sql_statements.set(None)


def init_app(app: Flask) -> None:
    # First of the app's before_request functions, so that the id and the clock start before
    # anything else can log or refuse the request; last of its after_request functions (they
    # run in reverse order), so that the response measured and logged is the one sent (e.g.
    # the 503 that replaces it when the commit fails).
    app.before_request_funcs.setdefault(None, []).insert(0, _start_request)
    app.after_request_funcs.setdefault(None, []).insert(0, _finish_request)
    app.teardown_request(_end_request)
    event.listen(app.extensions["timetracker.engine"], "before_cursor_execute", _count_statement)
