"""Security headers on every response, the session cookie's Secure flag, and the access policy
of Flask's static file view."""

from __future__ import annotations

import io
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote_to_bytes

from flask import Flask, Response, abort, has_request_context, request
from flask.sessions import SecureCookieSessionInterface
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter, ValidationError

from timetracker.auth.access import public
from timetracker.errors import for_reader
from timetracker.i18n import _l
from timetracker.parsing import MAX_ID

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

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


PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "autoplay",
        "bluetooth",
        "browsing-topics",
        "camera",
        "display-capture",
        "encrypted-media",
        "fullscreen",
        "gamepad",
        "geolocation",
        "gyroscope",
        "hid",
        "idle-detection",
        "local-fonts",
        "magnetometer",
        "microphone",
        "midi",
        "otp-credentials",
        "payment",
        "picture-in-picture",
        "publickey-credentials-create",
        "publickey-credentials-get",
        "screen-wake-lock",
        "serial",
        "storage-access",
        "usb",
        "web-share",
        "window-management",
        "xr-spatial-tracking",
    )
)

#: HTTPS responses only (``request.is_secure``, which honours the trusted proxy's
#: ``X-Forwarded-Proto`` when ``ProxyFix`` is installed).
STRICT_TRANSPORT_SECURITY = "max-age=31536000; includeSubDomains"


def _headers(response: Response) -> Response:
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    response.headers.setdefault("Cross-Origin-Resource-Policy", "same-origin")
    response.headers.setdefault("X-Permitted-Cross-Domain-Policies", "none")
    response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
    if has_request_context() and request.is_secure:
        response.headers.setdefault("Strict-Transport-Security", STRICT_TRANSPORT_SECURITY)
    # No banner from the app (gunicorn's own is blanked by ``timetracker.gunicorn_conf``).
    response.headers.remove("Server")
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
    """``<int:...>`` in URLs (all of them are record ids): canonical ASCII digits only, so that
    ``/invoices/0003``, Arabic-Indic ``/invoices/٣`` or fullwidth digits do not reach record 3
    (Werkzeug's own ``\\d+`` takes any Unicode digit, and leading zeros), and an id larger than
    the database's INTEGER is a 404, not an overflow error in the driver (a 500)."""

    regex = r"[1-9][0-9]{0,9}"

    def __init__(self, map: Any, *args: Any, **kwargs: Any) -> None:  # noqa: A002
        kwargs.setdefault("min", 1)
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)

    def to_python(self, value: str) -> Any:
        if not (value.isascii() and value.isdigit()) or value.startswith("0"):
            raise ValidationError()  # the regex already refuses these; kept for other callers
        return super().to_python(value)


def _head_as_get() -> None:
    """A HEAD request is a GET without the body (the server drops the body by the original
    method). Views that write ``if request.method == "GET"`` would otherwise treat HEAD as a
    form submission and answer 400."""
    if request.method == "HEAD":
        request.method = "GET"


NUL_REFUSED = _l("The request contains a NUL character (0x00), which no field accepts.")


def _refuse_nul_characters() -> None:
    """No field takes a NUL character, and PostgreSQL cannot store one in text: answer 400
    here rather than fail in the database."""
    for values in (request.args, request.form):
        for name, value in values.items(multi=True):
            if "\x00" in name or "\x00" in value:
                abort(400, for_reader(NUL_REFUSED))


#: In English: the check runs before Flask, with no request to choose a language from.
NOT_UTF8 = "The request's {part} is not valid UTF-8; send text encoded as UTF-8."


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _encoded_is_utf8(text: bytes) -> bool:
    """``text`` (a query string or form body) and its percent-decoded form are UTF-8."""
    return _is_utf8(text) and _is_utf8(unquote_to_bytes(text.replace(b"+", b" ")))


class RefuseNonUtf8:
    """WSGI middleware: a request whose path, query string, cookies or URL-encoded form body is
    not valid UTF-8 (raw, or once percent-decoded) answers 400 before Flask, its extensions or
    any view reads it. (The WSGI server hands these parts over as latin-1 strings, so the bytes
    the client sent are ``value.encode("latin-1")``.) Multipart bodies are left to Werkzeug,
    which decodes their text fields with replacement characters."""

    def __init__(self, app: WSGIApplication, max_body: int | None) -> None:
        self.app = app
        self.max_body = max_body

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        part = self._bad_part(environ)
        if part is None:
            return self.app(environ, start_response)
        response = _headers(Response(NOT_UTF8.format(part=part), 400, mimetype="text/plain"))
        return response(environ, start_response)

    def _bad_part(self, environ: WSGIEnvironment) -> str | None:
        def raw(key: str) -> bytes:
            return str(environ.get(key, "")).encode("latin-1", "replace")

        if not _is_utf8(raw("PATH_INFO")) or not _is_utf8(raw("SCRIPT_NAME")):
            return "path"
        if not _encoded_is_utf8(raw("QUERY_STRING")):
            return "query string"
        if not _is_utf8(raw("HTTP_COOKIE")):
            return "cookie header"
        content_type = str(environ.get("CONTENT_TYPE", "")).split(";")[0].strip().lower()
        if content_type != "application/x-www-form-urlencoded":
            return None
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return None  # Werkzeug answers a malformed length itself
        if length <= 0 or (self.max_body is not None and length > self.max_body):
            return None  # nothing to read, or a 413 from Flask
        body = environ["wsgi.input"].read(length)
        environ["wsgi.input"] = io.BytesIO(body)
        if not _encoded_is_utf8(body):
            return "form body"
        return None


def _install_byte_check(app: Flask) -> None:
    """Wrap the application in :class:`RefuseNonUtf8`, inside ``ProxyFix`` when it is there (it
    only reads ``X-Forwarded-*`` headers, and stays the outermost layer the app declares)."""
    check = RefuseNonUtf8
    limit = app.config.get("MAX_CONTENT_LENGTH")
    if isinstance(app.wsgi_app, ProxyFix):
        app.wsgi_app.app = check(app.wsgi_app.app, limit)
    else:
        app.wsgi_app = check(app.wsgi_app, limit)  # type: ignore[method-assign]


def init_app(app: Flask) -> None:
    # Before any blueprint registers its rules, so that every ``<int:...>`` uses it.
    app.url_map.converters["int"] = DatabaseIntegerConverter
    _install_byte_check(app)
    app.before_request(_head_as_get)
    app.before_request(_refuse_nul_characters)
    app.session_interface = SessionInterface()
    _declare_static_public(app)
    app.after_request(_headers)
