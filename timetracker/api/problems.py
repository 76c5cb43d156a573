"""Errors of the API as RFC 9457 problem details (``application/problem+json``).

Inside the API's blueprints every ``HTTPException`` becomes a problem document here, with the
field errors of a rejected request (``errors``), ``WWW-Authenticate`` on a 401, ``Allow`` on a
405 and ``Retry-After`` on a 429. What the app answers before a view of the API is found (an
unknown address, a wrong method) or after a bug (a 500, or a 503 when the database is away) is
mapped by :mod:`timetracker.errors`; :func:`as_problem` rewrites those answers under
``/api/v1`` into the same shape, keeping their status and headers.
"""

from __future__ import annotations

import http
import json
import math
import time
from typing import Any

from flask import Response, request
from werkzeug.exceptions import HTTPException

PROBLEM_JSON = "application/problem+json"
PREFIX = "/api/v1/"
#: The ``type`` of every problem: its status explains it, so RFC 9457's default.
ABOUT_BLANK = "about:blank"
REALM = 'Bearer realm="TimeTracker API"'

#: The detail of each status when the code that refused says nothing more specific. A 404 says
#: the same for a missing id and for another client's: the two are indistinguishable.
DETAILS = {
    400: "The request could not be understood.",
    401: "Send a personal access token in the Authorization header: Bearer <token>.",
    403: "The token does not allow this.",
    404: "Nothing exists at this address, or it is not yours to see.",
    405: "This address does not accept that method.",
    406: "This address answers application/json only.",
    409: "The request conflicts with the current state.",
    412: "The resource has changed since you read it (If-Match).",
    413: "The request body is larger than this server accepts.",
    415: "Send the request body as JSON (Content-Type: application/json).",
    429: "Too many requests with this token. Wait and try again.",
    500: "Something went wrong on our side. Nothing was saved; please try again.",
    503: "The service is temporarily unavailable. Nothing was saved; try again in a minute.",
}


class Problem(HTTPException):
    """An API error with its detail, optional field errors and headers."""

    def __init__(
        self,
        status: int,
        detail: str | None = None,
        *,
        errors: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail or DETAILS.get(status))
        self.code = status
        self.errors = errors
        self.extra_headers = headers or {}


def title(status: int) -> str:
    try:
        return http.HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def problem_response(
    status: int,
    detail: str | None = None,
    *,
    errors: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    body: dict[str, Any] = {
        "type": ABOUT_BLANK,
        "title": title(status),
        "status": status,
        "detail": detail or DETAILS.get(status, title(status)),
        "instance": request.path,
    }
    if errors:
        body["errors"] = errors
    response = Response(json.dumps(body), status=status, mimetype=PROBLEM_JSON)
    response.headers["Cache-Control"] = "no-store"
    for name, value in (headers or {}).items():
        response.headers[name] = value
    if status == 401:
        response.headers.setdefault("WWW-Authenticate", REALM)
    return response


def _retry_after() -> str:
    from timetracker.extensions import limiter

    current = limiter.current_limit
    if current is None:
        return "60"
    return str(max(1, math.ceil(current.reset_at - time.time())))


def handle(error: HTTPException) -> Response:
    """The problem document of an exception raised inside the API."""
    status = error.code or 500
    headers: dict[str, str] = {}
    errors: dict[str, Any] | None = None
    detail: str | None = None
    if isinstance(error, Problem):
        headers.update(error.extra_headers)
        errors = error.errors
        detail = error.description
    else:
        data = getattr(error, "data", None) or {}
        if "messages" in data:  # webargs: the fields that failed, by location
            errors = data["messages"]
            detail = "Some parameters are not valid; see errors."
            headers.update(data.get("headers") or {})
        elif status == 400 and error.description and error.description != _default(error):
            detail = error.description
    if status == 405:
        valid = getattr(error, "valid_methods", None)
        if valid:
            headers["Allow"] = ", ".join(valid)
    if status == 429:
        headers.setdefault("Retry-After", _retry_after())
    return problem_response(status, detail, errors=errors, headers=headers)


def _default(error: HTTPException) -> str | None:
    return type(error).description


def as_problem(response: Response) -> Response:
    """The app's JSON error answers under ``/api/v1`` as problem documents (after request)."""
    if (
        response.status_code < 400
        or not request.path.startswith(PREFIX)
        or response.mimetype != "application/json"
    ):
        return response
    data = response.get_json(silent=True)
    if not isinstance(data, dict) or "error" not in data:
        return response
    status = response.status_code
    detail = data.get("message") if status in (400, 403) else None
    problem = problem_response(status, detail if isinstance(detail, str) else None)
    for name in ("Allow", "Retry-After", "WWW-Authenticate"):
        if name in response.headers:
            problem.headers[name] = response.headers[name]
    return problem
