"""HTTP responses for downloads: a PDF in one piece, a CSV streamed chunk by chunk."""

from __future__ import annotations

from collections.abc import Iterator

from flask import Response, stream_with_context

from timetracker.documents.csv_export import attachment_header

#: Documents hold a client's billing data: no shared caches, no copies left behind.
PRIVATE = "private, no-store"


def pdf_response(pdf: bytes, filename: str) -> Response:
    response = Response(pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = attachment_header(filename)
    response.headers["Cache-Control"] = PRIVATE
    return response


def csv_response(chunks: Iterator[bytes], filename: str) -> Response:
    """Stream ``chunks``; the request context (and its database session) stays open until the
    last chunk is sent, and the rows are read while the response is being written."""
    response = Response(stream_with_context(chunks), mimetype="text/csv")
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    response.headers["Content-Disposition"] = attachment_header(filename)
    response.headers["Cache-Control"] = PRIVATE
    return response
