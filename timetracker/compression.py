"""Compression of text responses (HTML, CSS, JavaScript, JSON, SVG, CSV), for clients that ask.

Brotli when the client accepts it and the ``brotli`` package is importable (WeasyPrint brings it
through ``fonttools[woff]``), gzip otherwise. A response is left as it is when it is small
(under :data:`MIN_SIZE` bytes, where the saving is below one packet), of a type that is
compressed already (PDF, PNG, XLSX, ZIP...), streamed (the CSV exports: compressing them here
would buffer the whole export), partial (206: a byte range of the uncompressed file), without a
body (204, 304), already encoded, or marked ``Cache-Control: no-transform``. Every response of a
compressible type says ``Vary: Accept-Encoding``, compressed or not, so that no cache hands a
compressed body to a client that did not ask for it. A changed body's ETag becomes weak (its
bytes differ from the identity encoding's; Werkzeug compares ``If-None-Match`` weakly, so a
revalidation still answers 304).

Static files are the one streamed kind that is compressed: their bytes are known, so each file is
compressed once per process at the highest level (:func:`_compressed_file`, keyed by path, size
and modification time) and served from memory. A HEAD request is compressed like its GET, so
that its headers (``Content-Encoding``, ``Content-Length``) describe what a GET would send.

BREACH (an attacker who can make the victim's browser send many requests with chosen input, and
can observe the encrypted sizes, recovers a secret that the same compressed response repeats).
HTML is compressed anyway, because:

* the CSRF token in our forms is not a stable secret: Flask-WTF signs it with a timestamp, so the
  token text changes every second (its signature with it), and the part that stays the same for a
  session (the encoded session token) cannot be turned into a valid token without ``SECRET_KEY``;
* the session and remember cookies are ``SameSite=Lax``: the cross-site requests an attack sends
  by the thousand (images, scripts, fetch) carry no session, so they get the login page, not the
  victim's data; only top-level navigations carry it, one visible page load each;
* every page is ``Cache-Control: no-store`` and the sign-in, two-factor and recovery secrets are
  not pages an attacker can make the browser reload with reflected input.

The residual risk is private data (amounts, names) on a page that also echoes a query parameter,
extracted through thousands of top-level navigations of the victim's own browser: accepted. Set
``COMPRESS_HTML = False`` to serve HTML uncompressed (static files and JSON stay compressed).
"""

from __future__ import annotations

import functools
import gzip
import importlib
import os
from stat import S_ISREG
from types import ModuleType

from flask import Flask, Response, current_app, request

from timetracker.assets import static_path


def _optional_brotli() -> ModuleType | None:
    try:
        return importlib.import_module("brotli")
    except ImportError:  # pragma: no cover - WeasyPrint installs it (fonttools[woff])
        return None


brotli = _optional_brotli()

#: Below this many bytes a body is sent as it is.
MIN_SIZE = 1024

#: Media types worth compressing; everything else (images, PDF, XLSX, ZIP, fonts) is left alone.
COMPRESSIBLE_TYPES = frozenset(
    {
        "text/html",
        "text/css",
        "text/plain",
        "text/csv",
        "text/calendar",
        "text/javascript",
        "application/javascript",
        "application/json",
        "application/problem+json",
        "application/manifest+json",
        "application/xml",
        "text/xml",
        "application/atom+xml",
        "application/rss+xml",
        "image/svg+xml",
    }
)

_NO_BODY = (204, 206, 304)
#: Levels for bodies made per request (fast) and for static files (compressed once, so the best).
_DYNAMIC_GZIP, _STATIC_GZIP = 6, 9
_DYNAMIC_BROTLI, _STATIC_BROTLI = 5, 11


def _encoding() -> str | None:
    """The encoding to use for this request: ``br``, ``gzip`` or None."""
    accepted = request.accept_encodings
    if brotli is not None and accepted["br"] > 0:
        return "br"
    if accepted["gzip"] > 0:
        return "gzip"
    return None


def compress(data: bytes, encoding: str, best: bool = False) -> bytes:
    if encoding == "br":
        assert brotli is not None
        quality = _STATIC_BROTLI if best else _DYNAMIC_BROTLI
        return bytes(brotli.compress(data, quality=quality))
    # mtime=0: the same input always gives the same bytes (and the same ETag).
    return gzip.compress(data, compresslevel=_STATIC_GZIP if best else _DYNAMIC_GZIP, mtime=0)


@functools.lru_cache(maxsize=256)
def _compressed_file(path: str, size: int, mtime_ns: int, encoding: str) -> bytes:
    """A static file compressed once per process; a changed file has a new key."""
    with open(path, "rb") as file:
        return compress(file.read(), encoding, best=True)


def _static_body(response: Response, encoding: str) -> bytes | None:
    """The compressed bytes of the static file this response sends, or None."""
    path = static_path((request.view_args or {}).get("filename"))
    if path is None:
        return None
    try:
        stat = os.stat(path)
    except OSError:
        return None
    if (
        not S_ISREG(stat.st_mode)
        or stat.st_size < MIN_SIZE
        or response.content_length not in (None, stat.st_size)
    ):
        return None  # small, or not the whole file
    return _compressed_file(path, stat.st_size, stat.st_mtime_ns, encoding)


def _add_vary(response: Response) -> None:
    if "accept-encoding" not in {value.lower() for value in response.vary}:
        response.vary.add("Accept-Encoding")


def compress_response(response: Response) -> Response:
    if response.mimetype not in COMPRESSIBLE_TYPES:
        return response
    if response.mimetype == "text/html" and not current_app.config["COMPRESS_HTML"]:
        return response
    _add_vary(response)
    if (
        response.status_code < 200
        or response.status_code in _NO_BODY
        or "Content-Encoding" in response.headers
        or "no-transform" in response.headers.get("Cache-Control", "")
    ):
        return response
    encoding = _encoding()
    if encoding is None:
        return response
    if response.is_streamed:
        if request.endpoint != "static" or response.status_code != 200:
            return response  # a generator (the CSV exports): keep it streaming
        body = _static_body(response, encoding)
        if body is None:
            return response
        close = getattr(response.response, "close", None)
        if close is not None:
            close()  # the open file we no longer send
        response.direct_passthrough = False
    else:
        data = response.get_data()
        if len(data) < MIN_SIZE:
            return response
        body = compress(data, encoding)
        if len(body) >= len(data):
            return response  # incompressible after all
    response.set_data(body)
    response.headers["Content-Encoding"] = encoding
    # Byte ranges would count in the compressed bytes, which differ per request encoding.
    response.headers.pop("Accept-Ranges", None)
    etag, weak = response.get_etag()
    if etag and not weak:
        response.set_etag(etag, weak=True)
    return response


def init_app(app: Flask) -> None:
    app.config.setdefault("COMPRESS_HTML", True)
    app.after_request(compress_response)
