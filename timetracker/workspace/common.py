"""Small helpers shared by the workspace views."""

from __future__ import annotations

from typing import Any, TypeVar

from flask import abort, render_template, request, url_for
from flask_login import current_user

from timetracker.models import TimeEntry

T = TypeVar("T")

OWN_ENTRIES_ONLY = "You can change only your own time entries."


def found(obj: T | None) -> T:
    """``obj``, or a 404 when the id was unknown."""
    if obj is None:
        abort(404)
    return obj


def require_entry_owner(entry: TimeEntry) -> None:
    """Staff change only their own entries; administrators change everyone's."""
    if entry.user_id != current_user.id and not current_user.is_admin:
        abort(403, OWN_ENTRIES_ONLY)


def safe_next(default_endpoint: str, **values: Any) -> str:
    """The ``next`` form field when it is a path on this site, else ``default_endpoint``."""
    target = (request.form.get("next") or "").strip()
    if target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return url_for(default_endpoint, **values)


def render_form(template: str, status: int = 200, **context: Any) -> tuple[str, int]:
    """A page with a form; a rejected form answers 400 so that nothing is committed."""
    return render_template(template, **context), status
