"""Access decorators. Every view declares who may open it; a test enumerates them all.

The policy is written on the view function as ``access_policy`` so that the route matrix test
can refuse a route that declares none.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import abort
from flask_login import current_user

from timetracker.extensions import login_manager

F = TypeVar("F", bound=Callable[..., Any])

STAFF_ONLY = "This page is for the firm's staff. Your account has access to the client portal only."
ADMIN_ONLY = "This page is for administrators only."
DEACTIVATED = "Your account has been deactivated. Contact an administrator if this is a mistake."


def _signed_in_and_active() -> Any:
    """``None`` when the user may go on; otherwise the response (login redirect) or a 403."""
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if not current_user.is_active:
        abort(403, DEACTIVATED)
    return None


def _declare(view: Callable[..., Any], policy: str) -> None:
    view.access_policy = policy  # type: ignore[attr-defined]


def public(view: F) -> F:
    """Anyone, signed in or not (the login page, static files)."""
    _declare(view, "public")
    return view


def login_required(view: F) -> F:
    """Any signed-in, active user: staff and portal users alike (the account page)."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        denied = _signed_in_and_active()
        if denied is not None:
            return denied
        return view(*args, **kwargs)

    _declare(wrapper, "login")
    return wrapper  # type: ignore[return-value]


def staff_required(view: F) -> F:
    """Signed-in staff (admins included); portal users get 403."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        denied = _signed_in_and_active()
        if denied is not None:
            return denied
        if not current_user.is_staff:
            abort(403, STAFF_ONLY)
        return view(*args, **kwargs)

    _declare(wrapper, "staff")
    return wrapper  # type: ignore[return-value]


def admin_required(view: F) -> F:
    """Signed-in administrators only."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        denied = _signed_in_and_active()
        if denied is not None:
            return denied
        if not current_user.is_staff:
            abort(403, STAFF_ONLY)
        if not current_user.is_admin:
            abort(403, ADMIN_ONLY)
        return view(*args, **kwargs)

    _declare(wrapper, "admin")
    return wrapper  # type: ignore[return-value]


def portal_view(view: F) -> F:
    """A portal page; the portal blueprint checks access for all of them in one place."""
    _declare(view, "portal")
    return view
