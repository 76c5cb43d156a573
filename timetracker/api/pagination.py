"""Cursor pagination: an opaque, signed cursor names the next page; ``Link: <…>; rel="next"``
carries it, and the body says how many items the filters select over all pages (``total``).

The cursor holds the page number and size of the pages the lists of the portal's scope and the
workspace already serve (so the figures and the order are theirs), signed with the app's secret
key: a cursor that was not handed out answers 400, never a page of someone else's choosing.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from flask import current_app, request
from itsdangerous import BadData, URLSafeSerializer

from timetracker.api.problems import Problem
from timetracker.pagination import MAX_PAGE, Page, PageRequest

DEFAULT_LIMIT = 50
MAX_LIMIT = 100
#: The ``Link`` header, as the document describes it.
LINK = {
    "description": 'The next page: `<url>; rel="next"` (absent on the last page).',
    "schema": {"type": "string"},
}
BAD_CURSOR = "The cursor is not valid: use the one from the next link of an earlier answer."


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="timetracker.api.cursor")


def encode(number: int, size: int) -> str:
    return str(_serializer().dumps([number, size]))


def decode(cursor: str) -> PageRequest:
    try:
        value = _serializer().loads(cursor)
    except (BadData, UnicodeError):
        raise Problem(400, BAD_CURSOR, errors={"query": {"cursor": [BAD_CURSOR]}}) from None
    if (
        not isinstance(value, list)
        or len(value) != 2
        or not all(type(n) is int for n in value)
        or not 1 <= value[0] <= MAX_PAGE
        or not 1 <= value[1] <= MAX_LIMIT
    ):
        raise Problem(400, BAD_CURSOR, errors={"query": {"cursor": [BAD_CURSOR]}})
    return PageRequest(value[0], value[1])


def page_request(args: dict[str, Any]) -> PageRequest:
    """The page a request asks for: its cursor's, else the first of ``limit`` items."""
    cursor = args.get("cursor")
    if cursor:
        return decode(cursor)
    return PageRequest(1, int(args.get("limit") or DEFAULT_LIMIT))


def answer(page: Page[Any], body: dict[str, Any]) -> tuple[dict[str, Any], int, dict[str, str]]:
    """The list's body (``items``, ``total``, ``next_cursor`` and ``body``'s figures; its
    ``items`` when the page's rows need converting) with its ``Link`` header."""
    headers: dict[str, str] = {}
    next_cursor = None
    if page.has_next:
        next_cursor = encode(page.number + 1, page.size)
        args = [(k, v) for k, v in request.args.items(multi=True) if k not in ("cursor", "limit")]
        args.append(("cursor", next_cursor))
        headers["Link"] = f'<{request.path}?{urlencode(args)}>; rel="next"'
    content = {"items": page.items, **body, "total": page.total, "next_cursor": next_cursor}
    return content, 200, headers
