"""Gunicorn settings for ``timetracker serve`` (``--config python:timetracker.gunicorn_conf``).

Gunicorn writes ``Server: gunicorn`` on every response and has no setting for it: drop that
line, so that the server does not announce itself (the app sends no ``Server`` header either).
"""

from __future__ import annotations

from typing import Any

from gunicorn.http import wsgi

_default_headers = wsgi.Response.default_headers


def _default_headers_without_server(self: Any) -> list[str]:
    return [line for line in _default_headers(self) if not line.lower().startswith("server:")]


if getattr(wsgi.Response.default_headers, "__name__", "") != "_default_headers_without_server":
    wsgi.Response.default_headers = _default_headers_without_server
