"""Request ids and the format of the app's log lines.

Every request has an id: the client's (or the proxy's) ``X-Request-ID`` when it is a sane token,
else a new one. It is returned in the response's ``X-Request-ID`` header, put on every log
record emitted while the request runs (and while a background job it queued runs), so that one
id finds everything a request did.

The app's loggers (``timetracker`` and below, Flask's ``app.logger`` included) write to standard
error through one handler, as JSON objects, one a line (``TIMETRACKER_LOG_FORMAT=json``, the
default under ``timetracker serve``), or as plain text (``text``, the default elsewhere).
Logging is process-wide: the last app created in a process sets the format.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TextIO

from flask import Flask

from timetracker.config import ConfigError

#: The header that carries the request id, in and out.
REQUEST_ID_HEADER = "X-Request-ID"
#: An incoming id is kept when it is 1 to 128 of these characters; anything else (a newline, a
#: quote, a longer text) could forge or break log lines, so it is replaced by a new id.
_SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,128}")
#: The setting, until ``timetracker.config`` reads it as ``LOG_FORMAT``.
LOG_FORMAT_ENV = "TIMETRACKER_LOG_FORMAT"
LOG_FORMATS = ("json", "text")
#: The logger of the app's modules (it is also Flask's ``app.logger``).
APP_LOGGER = "timetracker"

#: The id of the request (or of the request that queued the job) being handled.
request_id_var: ContextVar[str | None] = ContextVar("timetracker_request_id", default=None)


def current_request_id() -> str | None:
    return request_id_var.get()


def accepted_request_id(incoming: str | None) -> str:
    """``incoming`` when it is a sane token, else a new random id (32 hex digits)."""
    if incoming is not None and _SANE_REQUEST_ID.fullmatch(incoming):
        return incoming
    return uuid.uuid4().hex


@contextmanager
def request_id_bound(request_id: str | None) -> Iterator[None]:
    """Log records emitted inside carry ``request_id`` (for background jobs)."""
    token = request_id_var.set(request_id)
    try:
        yield
    finally:
        request_id_var.reset(token)


class RequestIdFilter(logging.Filter):
    """Puts the current request id on each record as ``record.request_id`` (``None`` outside a
    request), unless the record brings its own."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "request_id", None) is None:
            record.request_id = request_id_var.get()
        return True


def _timestamp(record: logging.LogRecord) -> str:
    moment = dt.datetime.fromtimestamp(record.created, dt.UTC)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


class JsonFormatter(logging.Formatter):
    """One JSON object per line: ``time`` (UTC), ``level``, ``logger``, ``message``,
    ``request_id``, the record's ``fields`` (a dict; the access log's), and ``exception`` with
    the traceback when there is one. Newlines inside values are escaped, so a line is a record."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": _timestamp(record),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None),
        }
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            entry.update(fields)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, default=str)


class TextFormatter(logging.Formatter):
    """``2026-12-01 22:30:39,123 INFO timetracker.access [<request id>] message``."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s [%(request_id_text)s] %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        record.request_id_text = getattr(record, "request_id", None) or "-"
        return super().format(record)


class StderrHandler(logging.StreamHandler[TextIO]):
    """Writes to whatever ``sys.stderr`` is when a record comes (test runners swap it)."""

    def __init__(self) -> None:
        super().__init__()

    @property
    def stream(self) -> TextIO:
        return sys.stderr

    @stream.setter
    def stream(self, _value: TextIO) -> None:
        pass  # always the current sys.stderr


def log_format(app: Flask) -> str:
    """``LOG_FORMAT`` (``TIMETRACKER_LOG_FORMAT``): ``json`` or ``text`` (the default)."""
    value = app.config.get("LOG_FORMAT") or "text"
    value = str(value).strip().lower()
    if value not in LOG_FORMATS:
        raise ConfigError(f"{LOG_FORMAT_ENV} must be json or text, not {value!r}")
    return value


def app_handler() -> StderrHandler:
    """The one handler of the app's loggers (created once per process)."""
    logger = logging.getLogger(APP_LOGGER)
    for handler in logger.handlers:
        if isinstance(handler, StderrHandler):
            return handler
    handler = StderrHandler()
    handler.addFilter(RequestIdFilter())
    logger.addHandler(handler)
    if logger.level == logging.NOTSET:
        logger.setLevel(logging.INFO)
    return handler


def init_app(app: Flask) -> None:
    handler = app_handler()
    formatter = JsonFormatter() if log_format(app) == "json" else TextFormatter()
    handler.setFormatter(formatter)
