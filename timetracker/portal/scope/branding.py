"""The client's own branding: its portal logo, found from the scope's client id (so a contact
only ever gets their own client's logo) by the logos' one query."""

from __future__ import annotations

from timetracker.logos import operations
from timetracker.models import Logo
from timetracker.portal.scope.base import ScopeBase


class BrandingScope(ScopeBase):
    def portal_logo(self, *, with_data: bool = False) -> Logo | None:
        """This client's portal logo (its bytes loaded only when asked for)."""
        return operations.client_logo(self.session, self.client_id, with_data=with_data)
