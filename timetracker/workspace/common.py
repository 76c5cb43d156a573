"""Small helpers shared by the workspace views."""

from __future__ import annotations

from typing import Any, TypeVar

from flask import abort, render_template, request, url_for

from timetracker.pagination import Page
from timetracker.redirects import safe_redirect_target

T = TypeVar("T")


def found(obj: T | None) -> T:
    """``obj``, or a 404 when the id was unknown (or names nothing the person may reach: the
    scoped getters leave such objects out of the query)."""
    if obj is None:
        abort(404)
    return obj


def safe_next(default_endpoint: str, **values: Any) -> str:
    """The ``next`` form field when it is a path on this site, else ``default_endpoint``."""
    return safe_redirect_target(request.form.get("next")) or url_for(default_endpoint, **values)


def render_form(template: str, status: int = 200, **context: Any) -> tuple[str, int]:
    """A page with a form; a rejected form answers 400 so that nothing is committed."""
    return render_template(template, **context), status


def empty_page() -> Page:
    """The list of a page whose filters were refused: nothing to show."""
    return Page(items=[], total=0, number=1, size=1)


def like_pattern(text: str) -> str:
    """``text`` as a LIKE pattern matching it anywhere (use with ``escape="\\\\"``)."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"
