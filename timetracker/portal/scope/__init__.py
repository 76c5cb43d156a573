"""PortalScope: the only way portal code reaches data.

Every query starts from the scope's client id, so a portal page cannot see another client's
rows even by a forged id; an id outside the scope is answered exactly like a missing one.
Lists are paginated and every count and total is computed in SQL over the whole filtered set.
Figures follow the billing package's rules, as every staff page does.

The scope is built in parts, each a module: :mod:`.base` (access), :mod:`.projects`,
:mod:`.invoices`, :mod:`.time`, :mod:`.dashboard`, :mod:`.quotes`, :mod:`.comments`,
:mod:`.documents`, :mod:`.statements` and :mod:`.branding`; :mod:`.visibility` holds what
the firm lets this client's contacts see.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from timetracker import db
from timetracker.models import User
from timetracker.portal.scope.base import (
    CLIENT_INACTIVE,
    NO_CLIENT,
    NOT_PORTAL_USER,
    USER_INACTIVE,
    PortalAccessDenied,
    portal_client,
)
from timetracker.portal.scope.branding import BrandingScope
from timetracker.portal.scope.comments import CommentScope
from timetracker.portal.scope.dashboard import DashboardScope
from timetracker.portal.scope.documents import DocumentScope
from timetracker.portal.scope.quotes import QuoteScope
from timetracker.portal.scope.statements import StatementScope

__all__ = [
    "CLIENT_INACTIVE",
    "NOT_PORTAL_USER",
    "NO_CLIENT",
    "USER_INACTIVE",
    "PortalAccessDenied",
    "PortalScope",
]


class PortalScope(
    BrandingScope, CommentScope, DocumentScope, StatementScope, QuoteScope, DashboardScope
):
    """The data one client may see: its projects, its non-draft invoices and quotes, and the
    completed time entries of all its projects."""

    @classmethod
    def for_user(cls, user: User, session: Session | None = None) -> PortalScope | None:
        """The user's scope, or ``None`` when the user may not use the portal."""
        try:
            return cls.require(user, session)
        except PortalAccessDenied:
            return None

    @classmethod
    def require(cls, user: User, session: Session | None = None) -> PortalScope:
        """The user's scope; raises :class:`PortalAccessDenied` with the reason otherwise."""
        s = session if session is not None else db.session
        return cls(portal_client(user, s), s)

    def portal_data(self) -> dict[str, Any]:
        """What ``User.get_client_portal_data()`` returns: the client, its active projects
        (:class:`~timetracker.portal.results.ProjectRow`), its non-draft invoices and its
        completed time entries (:class:`~timetracker.portal.results.EntryRow`), as the
        client's visibility settings allow (no entries at all when they are hidden; no staff
        names, notes or budgets in money where those are)."""
        return {
            "client": self.client,
            "projects": self.active_project_rows(),
            "invoices": self.all_invoices(),
            "time_entries": self.all_time_entries(),
        }
