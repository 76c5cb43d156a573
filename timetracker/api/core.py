"""The API's machinery: flask-smorest's ``Api`` and ``Blueprint`` set up for this app, the
token check every view declares, and what happens around each request (JSON bodies only,
``ETag`` with conditional GET, the per-token rate limit, and the record of every use).

Why flask-smorest: it works on our plain application factory and blueprints, takes its schemas
from marshmallow (which the views use to parse and to answer, so the document cannot drift from
the code), and writes an OpenAPI 3.1 document through apispec. It maps no errors here: the API
answers problem documents (:mod:`timetracker.api.problems`) and the rest of the app its pages.
"""

from __future__ import annotations

import http
from collections.abc import Callable
from copy import deepcopy
from functools import wraps
from typing import Any, TypeVar

import flask_smorest
from flask import Response, current_app, g, request
from sqlalchemy.orm import Session
from webargs.flaskparser import FlaskParser
from werkzeug.exceptions import HTTPException

from timetracker import audit, db
from timetracker.api import problems, tokens
from timetracker.api.problems import PROBLEM_JSON, Problem
from timetracker.auth.access import Policy, _declare
from timetracker.extensions import csrf, limiter
from timetracker.models._common import utcnow
from timetracker.sidewrites import write_after_request

F = TypeVar("F", bound=Callable[..., Any])

#: Requests per token (per address without a token), in the shared rate-limit storage;
#: ``API_RATE_LIMIT`` in the app's settings replaces it.
DEFAULT_RATE_LIMIT = "120 per minute;5000 per hour"
BEARER_SCHEME = "bearerAuth"


class ApiParser(FlaskParser):
    """Query parameters and bodies that fail their schema answer 400 (as the portal does)."""

    DEFAULT_VALIDATION_STATUS = 400


class Blueprint(flask_smorest.Blueprint):
    """flask-smorest's blueprint, reading with :class:`ApiParser` and documenting the request
    headers an operation reads (``If-None-Match``, ``If-Match``) beside its parameters, and
    the token scope it needs as its ``security`` requirement."""

    ARGUMENTS_PARSER = ApiParser()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._prepare_doc_cbks.append(self._prepare_header_doc)

    @staticmethod
    def _prepare_header_doc(doc: dict[str, Any], doc_info: dict[str, Any], **_kw: Any) -> Any:
        headers = doc_info.get("request_headers")
        if headers:
            doc.setdefault("parameters", []).extend(headers)
        scope = doc_info.get("scope")
        if scope:  # the scope the token needs (OpenAPI 3.1 lists it for any scheme)
            doc["security"] = [{BEARER_SCHEME: [scope]}]
        return doc


class Api(flask_smorest.Api):
    """flask-smorest's ``Api`` whose error responses are documented as problem documents, and
    which leaves the app's error handlers alone."""

    ERROR_SCHEMA: Any = None  # set by ``timetracker.api.init_app`` (the schemas import this)

    def _register_error_handlers(self) -> None:
        """The app maps errors (``timetracker.errors``; problem documents under /api/v1)."""

    def _register_responses(self) -> None:
        for status in http.HTTPStatus:
            response: dict[str, Any] = {"description": status.phrase}
            if status >= 400:
                response["content"] = {PROBLEM_JSON: {"schema": self.ERROR_SCHEMA}}
            self.spec.components.response(status.name, response, lazy=True)
        self.spec.components.response(
            "DEFAULT_ERROR",
            {
                "description": "Default error response",
                "content": {PROBLEM_JSON: {"schema": self.ERROR_SCHEMA}},
            },
            lazy=True,
        )


# The token check ------------------------------------------------------------------------------
def bearer() -> tokens.Bearer:
    """The request's authenticated token (inside a view declared with :func:`token`)."""
    found: tokens.Bearer = g.api_bearer
    return found


def token(scope: str) -> Callable[[F], F]:
    """Only a valid token holding ``scope`` (for a role that may still hold it) reaches the
    view; cookies authenticate nothing here. Declares the ``token`` access policy. The
    outermost decorator under ``route``: the token is checked before anything is parsed."""

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            try:
                found = tokens.authenticate(db.session, request.headers.get("Authorization"))
            except tokens.TokenRefused as refused:
                raise Problem(401, refused.reason) from None
            g.api_bearer = found
            if not found.allows(scope):
                raise Problem(403, f"This token does not have the scope {scope}.")
            require_json_body()
            return view(*args, **kwargs)

        doc = deepcopy(getattr(wrapper, "_apidoc", {}))
        doc["scope"] = scope
        wrapper._apidoc = doc  # type: ignore[attr-defined]  # flask-smorest's documentation
        _declare(wrapper, Policy.TOKEN)
        return wrapper  # type: ignore[return-value]  # functools.wraps keeps the signature

    return decorator


def rate_limit() -> str:
    return str(current_app.config.get("API_RATE_LIMIT") or DEFAULT_RATE_LIMIT)


def rate_limit_key() -> str:
    """The token presented (its hash: every request with that very token), or the address
    without a token. Counted before the token is checked, so the key is the whole token, not
    its public prefix: a made-up token that shares someone's prefix cannot spend their limit."""
    text = tokens.bearer_text(request.headers.get("Authorization"))
    if text:
        return f"api-token:{tokens.hash_token(text)[:32]}"
    return f"api-anonymous:{request.remote_addr}"


# Around each request --------------------------------------------------------------------------
BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})


def require_json_body() -> None:
    """A body that is not JSON answers 415 (checked after the token, before parsing)."""
    if request.method not in BODY_METHODS:
        return
    has_body = bool(request.content_length) or "chunked" in request.headers.get(
        "Transfer-Encoding", ""
    )
    if has_body and not request.is_json:
        raise Problem(415)


def finish(response: Response) -> Response:
    """ETag and conditional GET, then the record of the token's use."""
    if request.method == "GET" and response.status_code == 200 and not response.is_streamed:
        response.add_etag()
        response.cache_control.private = True
        response.cache_control.no_cache = True
        response.make_conditional(request)
    found: tokens.Bearer | None = g.get("api_bearer")
    if found is not None:
        record_use(found, response.status_code)
    return response


def record_use(found: tokens.Bearer, status: int) -> None:
    """``API_REQUEST`` in the audit trail and the token's last use (at most once a minute),
    written after the request: a read keeps a transaction that only reads, and a refused
    request (which rolls back) is recorded all the same."""
    now = utcnow()
    event = audit.build(
        audit.Kind.API_REQUEST,
        actor=found.user,
        client_id=found.user.client_id if found.user.is_client_contact else None,
        detail=f"{request.method} {request.full_path.rstrip('?')} {status}"[:2000],
    )
    touch = tokens.needs_touch(found.token, now)
    token_id, address = found.token.id, request.remote_addr

    def work(own: Session) -> None:
        own.add(event)
        if touch:
            tokens.touch(own, token_id, now, address)

    if status < 400:
        write_after_request(work, db.session)
        return
    # The request rolls back: write on a connection of our own once its transaction is over.
    session = g.get("db_session")
    if session is not None:
        session.rollback()
    with current_app.extensions["timetracker.sessionmaker"]() as own:
        work(own)
        own.commit()


# Documentation helpers ------------------------------------------------------------------------
#: Errors every operation may answer.
COMMON_ERRORS = (400, 401, 403, 404, 405, 429)
IF_NONE_MATCH = {
    "name": "If-None-Match",
    "in": "header",
    "required": False,
    "description": "The ETag of an earlier answer: 304 Not Modified while it is unchanged.",
    "schema": {"type": "string"},
}
IF_MATCH = {
    "name": "If-Match",
    "in": "header",
    "required": False,
    "description": "The ETag you read: 412 Precondition Failed when the entry has changed.",
    "schema": {"type": "string"},
}


def errors_doc(blp: Blueprint, *codes: int) -> Callable[[F], F]:
    """Document the problem answers ``codes`` (and the common ones) on an operation."""

    def decorator(view: F) -> F:
        for code in sorted(set(COMMON_ERRORS) | set(codes)):
            view = blp.alt_response(code, response=http.HTTPStatus(code).name)(view)
        return view

    return decorator


def request_headers(*headers: dict[str, Any]) -> Callable[[F], F]:
    """Document request headers an operation reads (they are not parsed by a schema)."""

    def decorator(view: F) -> F:
        doc = deepcopy(getattr(view, "_apidoc", {}))
        doc.setdefault("request_headers", []).extend(headers)
        view._apidoc = doc  # type: ignore[attr-defined]  # flask-smorest's documentation
        return view

    return decorator


def cached_get(blp: Blueprint) -> Callable[[F], F]:
    """Document a GET's conditional request: ``If-None-Match`` and the 304 answer."""

    def decorator(view: F) -> F:
        view = blp.alt_response(304, response="NOT_MODIFIED")(view)
        return request_headers(IF_NONE_MATCH)(view)

    return decorator


def prepare(blp: Blueprint) -> Blueprint:
    """Set up an API blueprint once, where it is made: bearer tokens only (no CSRF), one
    per-token rate limit shared by every API route, problem documents for its errors, and
    the ETag and record of use after each request."""
    csrf.exempt(blp)
    limiter.shared_limit(rate_limit, scope="api-v1", key_func=rate_limit_key)(blp)
    blp.after_request(finish)
    blp.register_error_handler(HTTPException, problems.handle)
    return blp
