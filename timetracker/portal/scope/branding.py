"""The client's own branding: its portal logo (the query starts from the scope's client id, so
a contact only ever gets their own client's logo)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import undefer

from timetracker.models import Client, Logo
from timetracker.portal.scope.base import ScopeBase


class BrandingScope(ScopeBase):
    def portal_logo(self, *, with_data: bool = False) -> Logo | None:
        """This client's portal logo (its bytes loaded only when asked for)."""
        query = (
            select(Logo)
            .join(Client, Client.portal_logo_id == Logo.id)
            .where(Client.id == self.client_id)
        )
        if with_data:
            query = query.options(undefer(Logo.data))
        return self.session.scalar(query)
