"""Security headers on every response, the session cookie's Secure flag, and the access policy
of Flask's static file view."""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, abort, has_request_context, request
from flask.sessions import SecureCookieSessionInterface
from werkzeug.routing import IntegerConverter

from timetracker.auth.access import public

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


def _headers(response: Response) -> Response:
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    if response.mimetype == "text/html":
        response.headers.setdefault("Cache-Control", "no-store")
    return response


class SessionInterface(SecureCookieSessionInterface):
    """The session cookie is ``Secure`` when ``SESSION_COOKIE_SECURE`` is set, and also whenever
    the request came over HTTPS (directly, or through a proxy trusted by ``ProxyFix``)."""

    def get_cookie_secure(self, app: Flask) -> bool:
        if super().get_cookie_secure(app):
            return True
        return has_request_context() and request.is_secure


def _declare_static_public(app: Flask) -> None:
    """Static files are public; say so, so that the route matrix can check every view."""
    send = app.view_functions.get("static")
    if send is None:
        return

    @public
    def static(filename: str) -> Any:
        return send(filename=filename)

    app.view_functions["static"] = static


class DatabaseIntegerConverter(IntegerConverter):
    """``<int:...>`` in URLs: an id larger than the database's INTEGER is a 404, not an
    overflow error in the driver (a 500)."""

    def __init__(self, map: Any, *args: Any, **kwargs: Any) -> None:  # noqa: A002
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(map, *args, **kwargs)


def _head_as_get() -> None:
    """A HEAD request is a GET without the body (the server drops the body by the original
    method). Views that write ``if request.method == "GET"`` would otherwise treat HEAD as a
    form submission and answer 400."""
    if request.method == "HEAD":
        request.method = "GET"


NUL_REFUSED = "The request contains a NUL character (0x00), which no field accepts."


def _refuse_nul_characters() -> None:
    """No field takes a NUL character, and PostgreSQL cannot store one in text: answer 400
    here rather than fail in the database."""
    for values in (request.args, request.form):
        for name, value in values.items(multi=True):
            if "\x00" in name or "\x00" in value:
                abort(400, NUL_REFUSED)


def init_app(app: Flask) -> None:
    # Before any blueprint registers its rules, so that every ``<int:...>`` uses it.
    app.url_map.converters["int"] = DatabaseIntegerConverter
    app.before_request(_head_as_get)
    app.before_request(_refuse_nul_characters)
    app.session_interface = SessionInterface()
    _declare_static_public(app)
    app.after_request(_headers)
