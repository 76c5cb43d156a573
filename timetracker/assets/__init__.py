"""Static files: fingerprinted URLs and a year-long cache for them.

``url_for('static', filename='css/app.css')`` answers ``/static/css/app.css?v=<hash>``, where
the hash is the start of the file's SHA-256. A request that carries the file's current hash is
answered with ``Cache-Control: public, max-age=31536000, immutable``: browsers keep the file
without revalidating it, and a changed file has a new URL. Any other request for a static file
(no ``v``, or an old one, as in a page cached before a deploy) gets the file as it is now with
Flask's revalidating headers, so no old link breaks and no stale hash is cached for a year.

The hash of each file is computed once per process, the first time a URL for it is built (in
debug mode it follows the file's modification time, so an edited file shows at once).

The reduced Bootstrap stylesheet the pages load is made by :mod:`timetracker.assets.purge`.
"""

from __future__ import annotations

import hashlib
import os
from typing import Any

from flask import Flask, Response, current_app, request
from werkzeug.security import safe_join

#: The query parameter that carries a static file's hash.
VERSION_ARG = "v"
IMMUTABLE = "public, max-age=31536000, immutable"
_HASH_LENGTH = 12

#: path -> (modification time in ns, hash); filled lazily.
_hashes: dict[str, tuple[int, str]] = {}


def static_path(filename: str | None) -> str | None:
    """The path of ``filename`` inside the static folder, None for a name that leaves it."""
    folder = current_app.static_folder
    return safe_join(folder, filename) if folder and filename else None


def file_hash(filename: str) -> str | None:
    """The fingerprint of a file under the static folder, or None when there is no such file."""
    path = static_path(filename)
    if path is None:
        return None
    cached = _hashes.get(path)
    if cached is not None and not current_app.debug:
        return cached[1]
    try:
        mtime = os.stat(path).st_mtime_ns
    except OSError:
        return None
    if cached is not None and cached[0] == mtime:
        return cached[1]
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as file:
            for chunk in iter(lambda: file.read(1 << 16), b""):
                digest.update(chunk)
    except OSError:  # a folder, or unreadable: Flask answers 404 for it
        return None
    value = digest.hexdigest()[:_HASH_LENGTH]
    _hashes[path] = (mtime, value)
    return value


def _add_version(endpoint: str, values: dict[str, Any]) -> None:
    if endpoint != "static" or VERSION_ARG in values or "filename" not in values:
        return
    version = file_hash(values["filename"])
    if version is not None:
        values[VERSION_ARG] = version


def _cache_fingerprinted(response: Response) -> Response:
    if request.endpoint != "static" or response.status_code not in (200, 304):
        return response
    version = request.args.get(VERSION_ARG)
    filename = (request.view_args or {}).get("filename")
    if version and filename and version == file_hash(filename):
        response.headers["Cache-Control"] = IMMUTABLE
        response.headers.pop("Expires", None)
    return response


def init_app(app: Flask) -> None:
    app.url_defaults(_add_version)
    app.after_request(_cache_fingerprinted)
