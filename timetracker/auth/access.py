"""Who may open what: the access policies, and the start-up check that every endpoint has one.

Every endpoint is registered from a URL table that names its policy (``auth/routes.py``,
``workspace/blueprint.py``, ``admin/routes.py``, ``portal/routes.py``). The policy decorator
checks on the server, before the view runs, and writes its name on the view as
``access_policy``; :func:`check_access_policies` makes ``create_app()`` refuse to start when an
endpoint of ``app.url_map`` declares none. Deny by default: an account must be signed in, active
and of a role the policy names; a client contact also needs an active client.

========  ===========================================================================
public    anyone, signed in or not (login, logout, the home redirect, static files)
login     any account with access: staff, administrators, contacts of an active client
staff     staff and administrators
admin     administrators
portal    contacts of an active client; ``g.portal`` is their :class:`PortalScope`
========  ===========================================================================
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import Blueprint, Flask, abort, g
from flask.typing import ResponseReturnValue
from flask_babel import gettext
from flask_login import current_user

from timetracker.extensions import login_manager
from timetracker.i18n import N_
from timetracker.models.users import Role, User

F = TypeVar("F", bound=Callable[..., Any])


class Policy(enum.StrEnum):
    PUBLIC = "public"
    LOGIN = "login"
    STAFF = "staff"
    ADMIN = "admin"
    PORTAL = "portal"
    #: The API: a personal access token with the route's scope (``timetracker/api``); cookies
    #: never authenticate it.
    TOKEN = "token"  # noqa: S105 - a policy name


# Why an account may not open a page: in English, as the audit trail and the API record them,
# and translated where people read them (:func:`refusal_text`).
STAFF_ONLY = N_(
    "This page is for the firm's staff. Your account has access to the client portal only."
)
ADMIN_ONLY = N_("This page is for administrators only.")
DEACTIVATED = N_(
    "Your account has been deactivated. Contact an administrator if this is a mistake."
)
NO_ACCESS = N_(
    "Your account has no access to this application. "
    "Ask an administrator to give you access if this is a mistake."
)


class MissingAccessPolicy(RuntimeError):
    """An endpoint of the app declares no access policy; the app does not start."""


def refusal(user: User) -> str | None:
    """Why ``user`` (signed in) may open nothing at all, or ``None`` when they have access: in
    English, for records; :func:`refusal_text` translates it for people.

    One rule for every page and for the login form: deactivated accounts, accounts without a
    role, and contacts of a client that is gone or deactivated have no access.
    """
    if not user.is_active:
        return DEACTIVATED
    if user.role in (Role.ADMIN, Role.STAFF):
        return None
    if user.role == Role.CLIENT:
        from timetracker.portal.scope import PortalAccessDenied, PortalScope

        try:
            g.portal = PortalScope.require(user)
        except PortalAccessDenied as denied:  # the client is gone or deactivated
            return denied.reason
        return None
    return NO_ACCESS


def refusal_text(reason: str) -> str:
    """A reason of :func:`refusal` as people read it, in the language being spoken."""
    return str(gettext(reason))


def _declare(view: Callable[..., Any], policy: Policy) -> None:
    view.access_policy = policy  # type: ignore[attr-defined]  # an attribute on a function


def policy_of(view: Callable[..., Any]) -> Policy | None:
    value = getattr(view, "access_policy", None)
    return Policy(value) if value in set(Policy) else None


def _guarded(view: F, policy: Policy, extra: Callable[[User], str | None]) -> F:
    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> ResponseReturnValue:
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        user: User = current_user._get_current_object()
        reason = refusal(user) or extra(user)
        if reason is not None:
            abort(403, refusal_text(reason))
        return view(*args, **kwargs)

    _declare(wrapper, policy)
    return wrapper  # type: ignore[return-value]  # functools.wraps keeps the view's signature


def public(view: F) -> F:
    """Anyone, signed in or not (the login page, static files)."""
    _declare(view, Policy.PUBLIC)
    return view


def login_required(view: F) -> F:
    """Any account with access: staff, administrators and contacts of an active client."""
    return _guarded(view, Policy.LOGIN, lambda _user: None)


def _staff(user: User) -> str | None:
    return None if user.is_staff else STAFF_ONLY


def _admin(user: User) -> str | None:
    if not user.is_staff:
        return STAFF_ONLY
    return None if user.is_admin else ADMIN_ONLY


def _portal(user: User) -> str | None:
    from timetracker.portal.scope import NOT_PORTAL_USER

    # ``refusal`` has put the contact's scope in ``g.portal`` already.
    return None if user.is_client_contact and "portal" in g else NOT_PORTAL_USER


def staff_required(view: F) -> F:
    """Staff and administrators; client contacts get 403."""
    return _guarded(view, Policy.STAFF, _staff)


def admin_required(view: F) -> F:
    """Administrators only."""
    return _guarded(view, Policy.ADMIN, _admin)


def portal_required(view: F) -> F:
    """A contact of an active client; the view reads their data through ``g.portal``."""
    return _guarded(view, Policy.PORTAL, _portal)


#: The decorator of each policy, for URL tables.
DECORATORS: dict[Policy, Callable[[F], F]] = {
    Policy.PUBLIC: public,
    Policy.LOGIN: login_required,
    Policy.STAFF: staff_required,
    Policy.ADMIN: admin_required,
    Policy.PORTAL: portal_required,
}


#: A URL table: (rule, view, methods, policy); the endpoint is the view's name.
UrlTable = list[tuple[str, Callable[..., Any], list[str], Policy]]


def register_urls(bp: Blueprint, urls: UrlTable) -> None:
    """Add a URL table's rules to ``bp``, each view wrapped once in its policy's decorator (a
    view served at two rules keeps one endpoint)."""
    wrapped: dict[Callable[..., Any], Callable[..., Any]] = {}
    for rule, view, methods, policy in urls:
        guarded = wrapped.setdefault(view, DECORATORS[policy](view))
        bp.add_url_rule(rule, view.__name__, guarded, methods=methods)


def undeclared_endpoints(app: Flask) -> list[str]:
    """Endpoints of ``app.url_map`` whose view declares no known access policy."""
    missing = set()
    for rule in app.url_map.iter_rules():
        view = app.view_functions.get(rule.endpoint)
        if view is None or policy_of(view) is None:
            missing.add(f"{rule.endpoint} ({rule.rule})")
    return sorted(missing)


def check_access_policies(app: Flask) -> None:
    """Refuse to start when an endpoint declares no access policy (deny by default)."""
    missing = undeclared_endpoints(app)
    if missing:
        raise MissingAccessPolicy(
            "These endpoints declare no access policy; register them from a URL table with "
            "one of public, login, staff, admin, portal, token (timetracker/auth/access.py): "
            + ", ".join(missing)
        )
