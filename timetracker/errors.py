"""One place maps errors to pages (HTML) or JSON (``/api``)."""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from collections.abc import Callable

from flask import Flask, Response, current_app, g, jsonify, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import LazyString
from sqlalchemy import exc as sa_exc
from werkzeug.exceptions import HTTPException, InternalServerError

from timetracker import i18n
from timetracker.i18n import _l

log = logging.getLogger(__name__)

#: Seconds a client is asked to wait before trying again while the database is unreachable.
RETRY_AFTER_SECONDS = 30
#: At most one traceback per this many seconds while the database is unreachable.
TRACEBACK_INTERVAL_SECONDS = 60.0
#: PostgreSQL SQLSTATEs of a lost or refused connection: class 08 (connection exception), and
#: admin_shutdown, crash_shutdown, cannot_connect_now.
_PG_UNAVAILABLE_STATES = {"57P01", "57P02", "57P03"}
#: SQLite messages of a database file that cannot be reached (removed, unreadable, disk gone).
_SQLITE_UNAVAILABLE = ("unable to open database file", "disk i/o error")

#: Titles and messages of the error pages, in the language of the page; the JSON answers keep
#: the English (:func:`for_reader`).
TITLES = {
    400: _l("Bad request"),
    403: _l("Access denied"),
    404: _l("Not found"),
    405: _l("Method not allowed"),
    413: _l("Request too large"),
    429: _l("Too many requests"),
    500: _l("Server error"),
    503: _l("Service unavailable"),
}

DEFAULT_MESSAGES = {
    400: _l("The request could not be understood."),
    403: _l("You do not have permission to open this page."),
    404: _l("The page you asked for does not exist."),
    405: _l("This address does not accept that kind of request."),
    413: _l("The request is larger than this server accepts."),
    429: _l("Too many attempts. Wait a minute and try again."),
    500: _l("Something went wrong on our side. Nothing was saved; please try again."),
    503: _l(
        "The service is temporarily unavailable: the database cannot be reached. "
        "Nothing was saved; please try again in a minute."
    ),
}


def wants_json() -> bool:
    """Whether the request's error answer is JSON (the API, or a client that asks for JSON)."""
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


def for_reader(text: str | LazyString) -> str:
    """``text`` (a lazy message) as the request's error answer will show it: in the language of
    the page, or in English in a JSON answer, whose readers are programs."""
    if wants_json():
        with i18n.speaking(i18n.SOURCE_LANGUAGE):
            return str(text)
    return str(text)


def is_database_unavailable(error: BaseException | None) -> bool:
    """Whether ``error`` means the database cannot be reached (a lost or refused connection),
    as opposed to a failed statement."""
    if isinstance(error, InternalServerError):
        error = error.original_exception
    if isinstance(error, sa_exc.DisconnectionError | sa_exc.TimeoutError):
        return True  # (TimeoutError: no connection free in the pool in time)
    if not isinstance(error, sa_exc.DBAPIError):
        return False
    if error.connection_invalidated:
        return True
    orig = error.orig
    sqlstate = getattr(orig, "sqlstate", None)
    if sqlstate:
        return str(sqlstate).startswith("08") or sqlstate in _PG_UNAVAILABLE_STATES
    if isinstance(orig, sqlite3.Error):
        message = str(orig).lower()
        return any(text in message for text in _SQLITE_UNAVAILABLE)
    # psycopg: a connection that failed or was closed carries no SQLSTATE.
    return isinstance(error, sa_exc.OperationalError | sa_exc.InterfaceError)


class RateLimitedLogger:
    """One log line per event, with the traceback at most once per ``interval`` seconds (the
    line then says how many tracebacks were left out since the last one)."""

    def __init__(
        self,
        logger: logging.Logger,
        interval: float = TRACEBACK_INTERVAL_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.logger = logger
        self.interval = interval
        self.clock = clock
        self._lock = threading.Lock()
        self._last: float | None = None
        self._suppressed = 0

    def error(self, message: str, error: BaseException) -> None:
        with self._lock:
            now = self.clock()
            with_traceback = self._last is None or now - self._last >= self.interval
            if with_traceback:
                self._last = now
                suppressed, self._suppressed = self._suppressed, 0
            else:
                self._suppressed += 1
        if with_traceback:
            if suppressed:
                message += f" ({suppressed} more tracebacks left out)"
            self.logger.error(message, exc_info=error)
        else:
            self.logger.error(message)


unavailable_log = RateLimitedLogger(log)


def _one_line(error: BaseException) -> str:
    text = str(getattr(error, "orig", None) or error).strip().splitlines()
    return f"{type(error).__name__}: {text[0] if text else ''}"


def database_unavailable(error: BaseException) -> Response:
    """The 503 response for ``error`` (for code outside the error handlers)."""
    return current_app.make_response(_database_unavailable(error))


def _database_unavailable(error: BaseException) -> ResponseReturnValue:
    """503 with ``Retry-After`` and a page that does not touch the database."""
    if isinstance(error, InternalServerError) and error.original_exception is not None:
        error = error.original_exception
    unavailable_log.error(
        f"database unavailable: {request.method} {request.path} -> 503 ({_one_line(error)})",
        error,
    )
    _discard_session()
    headers = {"Retry-After": str(RETRY_AFTER_SECONDS)}
    if wants_json():
        title, message = for_reader(TITLES[503]), for_reader(DEFAULT_MESSAGES[503])
        return jsonify(error=title, message=message), 503, headers
    # Without the context processors: Flask-Login's would load the current user (a query), and
    # so would the choice of language; the page speaks the browser's language instead.
    language = request.accept_languages.best_match(tuple(i18n.LANGUAGES)) or i18n.SOURCE_LANGUAGE
    template = current_app.jinja_env.get_template("errors/unavailable.html")
    with i18n.speaking(language):
        title, message = str(TITLES[503]), str(DEFAULT_MESSAGES[503])
        page = template.render(code=503, title=title, message=message, html_lang=language)
    return page, 503, headers


def _discard_session() -> None:
    """Drop the request's session without letting a dead connection raise again."""
    session = g.pop("db_session", None)
    if session is None:
        return
    try:
        session.rollback()
        session.close()
    except sa_exc.SQLAlchemyError:
        log.debug("discarding the session failed", exc_info=True)


def render_error(code: int, message: str | LazyString | None = None) -> tuple[Response | str, int]:
    title = for_reader(TITLES.get(code, _l("Error")))
    message = for_reader(message or DEFAULT_MESSAGES.get(code, ""))
    if wants_json():
        return jsonify(error=title, message=message), code
    return render_template("errors/error.html", code=code, title=title, message=message), code


def _http_error(error: HTTPException) -> ResponseReturnValue:
    if is_database_unavailable(error):
        return _database_unavailable(error)
    code = error.code or 500
    description = error.description if code in {400, 403} else None
    try:
        response = render_error(code, description)
    except sa_exc.SQLAlchemyError as failure:
        # The error page reads the firm's settings and the current user.
        if is_database_unavailable(failure):
            return _database_unavailable(failure)
        raise
    valid_methods = getattr(error, "valid_methods", None)
    if code == 405 and valid_methods:
        body, status = response
        return body, status, {"Allow": ", ".join(valid_methods)}
    return response


def _unexpected(error: Exception) -> ResponseReturnValue:
    if isinstance(error, HTTPException):
        return _http_error(error)
    if is_database_unavailable(error):
        return _database_unavailable(error)
    log.exception("unhandled error", exc_info=error)
    # The error may have left the session unusable (a failed flush); the error page itself
    # reads the settings, so start it on a clean transaction. Nothing of the request is kept.
    session = g.get("db_session")
    if session is not None:
        try:
            session.rollback()
        except sa_exc.SQLAlchemyError:
            _discard_session()
    try:
        return render_error(500)
    except sa_exc.SQLAlchemyError as failure:
        if is_database_unavailable(failure):
            return _database_unavailable(failure)
        raise


def init_app(app: Flask) -> None:
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(InternalServerError, _http_error)
    app.register_error_handler(Exception, _unexpected)
