"""How many emails to addresses people type one staff member may have the app send.

The invoice dialog emails any address an administrator adds, and an invitation goes to the
address typed: a stolen administrator session must not turn the server into a mailer. Every
such action (a view marked with :func:`emails_typed_addresses`) counts against one limit per
person (``staff-email``), kept in the shared rate-limit storage (SECURITY.md) so that it holds
across workers and servers; past it the action answers 429 and nothing is sent. A month's
invoices sent in one sitting stay far below.

The limit is a blueprint limit (:func:`limit_blueprint`), counted in the app's
``before_request`` before the access check loads the user: the database storage of the limits
writes on a connection of its own, and on SQLite a transaction that had read before that write
could not write afterwards ("database is locked"). So the person is the session cookie's login
id, read without the database; a request without one is not counted (the access check sends it
to the login).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import Blueprint, current_app, request

from timetracker.auth.sessions import cookie_user_id
from timetracker.extensions import limiter

STAFF_EMAIL_LIMIT = "60 per hour"
_MARK = "emails_typed_addresses"

F = TypeVar("F", bound=Callable[..., Any])


def emails_typed_addresses(view: F) -> F:
    """Mark a view whose POST emails addresses people typed: it counts against the limit."""
    setattr(view, _MARK, True)  # kept by the access check's functools.wraps
    return view


def _limit() -> str:
    """The limit: ``STAFF_EMAIL_LIMIT`` in the app's configuration, else the default."""
    return str(current_app.config.get("STAFF_EMAIL_LIMIT") or STAFF_EMAIL_LIMIT)


def _per_person() -> str:
    return f"staff-email:{cookie_user_id()}"


def _exempt() -> bool:
    view = current_app.view_functions.get(request.endpoint or "")
    return not getattr(view, _MARK, False) or cookie_user_id() is None


_shared = limiter.shared_limit(
    _limit, scope="staff-email", key_func=_per_person, methods=["POST"], exempt_when=_exempt
)


def limit_blueprint(blueprint: Blueprint) -> None:
    """Count the marked views of ``blueprint`` against the one shared limit."""
    _shared(blueprint)
