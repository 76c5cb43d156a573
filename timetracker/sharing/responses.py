"""A stored version as a download: always an attachment, never rendered by the browser.

``Content-Disposition: attachment`` with a safe file name (RFC 6266: an ASCII ``filename``
and, for other names, ``filename*`` in UTF-8), ``X-Content-Type-Options: nosniff`` with the
type detected at upload, and a Content-Security-Policy with ``sandbox`` and no sources, so that
even a file opened in the browser runs nothing and reaches nothing.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Iterator
from typing import BinaryIO
from urllib.parse import quote

from flask import Response, request

from timetracker.models import DocumentVersion
from timetracker.sharing.storage import storage
from timetracker.sharing.validation import clean_filename

DOWNLOAD_CSP = "default-src 'none'; sandbox; frame-ancestors 'none'; form-action 'none'"
PRIVATE = "private, no-store"


def content_disposition(filename: str) -> str:
    """``attachment`` with ``filename`` made safe: no quotes, backslashes, control characters
    or path separators; non-ASCII names in ``filename*`` with an ASCII fallback."""
    name = clean_filename(filename)
    fallback = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    fallback = "".join(c if c.isprintable() and c not in '"\\%' else "_" for c in fallback)
    fallback = fallback.strip(" _")
    if not fallback.strip("."):
        fallback = "document"
    elif fallback.startswith("."):  # only the extension was ASCII
        fallback = "document" + fallback
    value = f'attachment; filename="{fallback}"'
    if fallback != name:
        value += "; filename*=UTF-8''" + quote(name, safe="")
    return value


class _Chunks:
    """A stored file as a response body: read in chunks, and closed when it has been read to
    the end or when the server closes the response, whichever comes first (a HEAD request's
    body is never read)."""

    SIZE = 64 * 1024

    def __init__(self, stream: BinaryIO) -> None:
        self.stream = stream

    def __iter__(self) -> Iterator[bytes]:
        try:
            while chunk := self.stream.read(self.SIZE):
                yield chunk
        finally:
            self.stream.close()

    def close(self) -> None:
        self.stream.close()


def download(version: DocumentVersion) -> Response:
    """The version's bytes; raises ``StoredFileMissing`` when the storage lost them."""
    stream = storage().open(version.storage_key)
    mimetype = version.content_type
    if mimetype.startswith("text/"):
        mimetype += "; charset=utf-8"
    body: Iterable[bytes]
    if request.method == "HEAD":
        stream.close()
        body = ()
    else:
        body = _Chunks(stream)
    response = Response(body, mimetype=mimetype, direct_passthrough=True)
    response.headers["Content-Type"] = mimetype
    response.content_length = version.size_bytes
    response.headers["Content-Disposition"] = content_disposition(version.filename)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = DOWNLOAD_CSP
    response.headers["Cache-Control"] = PRIVATE
    return response
