"""One place maps errors to pages (HTML) or JSON (``/api``)."""

from __future__ import annotations

import logging

from flask import Flask, Response, g, jsonify, render_template, request
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import HTTPException, InternalServerError

log = logging.getLogger(__name__)

TITLES = {
    400: "Bad request",
    403: "Access denied",
    404: "Not found",
    405: "Method not allowed",
    413: "Request too large",
    429: "Too many requests",
    500: "Server error",
}

DEFAULT_MESSAGES = {
    400: "The request could not be understood.",
    403: "You do not have permission to open this page.",
    404: "The page you asked for does not exist.",
    405: "This address does not accept that kind of request.",
    413: "The request is larger than this server accepts.",
    429: "Too many attempts. Wait a minute and try again.",
    500: "Something went wrong on our side. Nothing was saved; please try again.",
}


def render_error(code: int, message: str | None = None) -> tuple[Response | str, int]:
    message = message or DEFAULT_MESSAGES.get(code, "")
    title = TITLES.get(code, "Error")
    if request.path.startswith("/api/") or (request.accept_mimetypes.best == "application/json"):
        return jsonify(error=title, message=message), code
    return render_template("errors/error.html", code=code, title=title, message=message), code


def _http_error(error: HTTPException) -> ResponseReturnValue:
    code = error.code or 500
    description = error.description if code in {400, 403} else None
    response = render_error(code, description)
    valid_methods = getattr(error, "valid_methods", None)
    if code == 405 and valid_methods:
        body, status = response
        return body, status, {"Allow": ", ".join(valid_methods)}
    return response


def _unexpected(error: Exception) -> ResponseReturnValue:
    if isinstance(error, HTTPException):
        return _http_error(error)
    log.exception("unhandled error", exc_info=error)
    # The error may have left the session unusable (a failed flush); the error page itself
    # reads the settings, so start it on a clean transaction. Nothing of the request is kept.
    session = g.get("db_session")
    if session is not None:
        session.rollback()
    return render_error(500)


def init_app(app: Flask) -> None:
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(InternalServerError, _http_error)
    app.register_error_handler(Exception, _unexpected)
