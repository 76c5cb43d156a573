"""Storing, replacing and removing the firm's and a client's logo, each audited.

Operations flush but never commit (the request commits once). A replaced or removed logo's row
is deleted with it: a logo belongs to exactly one owner.
"""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.orm import Session, undefer

from timetracker import audit
from timetracker.logos.validation import InspectedLogo
from timetracker.models import Client, Logo, Settings

LOGO_CHANGED = audit.Kind.LOGO_CHANGED


def _store(session: Session, inspected: InspectedLogo) -> Logo:
    logo = Logo(
        content_type=inspected.content_type,
        data=inspected.data,
        size=inspected.size,
        width=inspected.width,
        height=inspected.height,
        digest=inspected.digest,
    )
    session.add(logo)
    session.flush()
    return logo


def _drop(session: Session, logo_id: int | None) -> None:
    if logo_id is not None:
        session.execute(delete(Logo).where(Logo.id == logo_id))


def _detail(what: str, inspected: InspectedLogo | None) -> str:
    if inspected is None:
        return f"{what} removed"
    return (
        f"{what} set: {inspected.content_type}, {inspected.width} × {inspected.height} px, "
        f"{inspected.size} bytes, sha256 {inspected.digest[:16]}"
    )


def set_firm_logo(session: Session, settings: Settings, inspected: InspectedLogo | None) -> bool:
    """Store ``inspected`` as the firm's logo, replacing any; ``None`` removes it. Whether
    anything changed (removing no logo changes nothing and records nothing)."""
    if inspected is None and settings.logo_id is None:
        return False
    old = settings.logo_id
    settings.logo_id = _store(session, inspected).id if inspected is not None else None
    session.flush()
    _drop(session, old)
    audit.record(LOGO_CHANGED, session, detail=_detail("Firm logo", inspected))
    return True


def set_client_logo(session: Session, client: Client, inspected: InspectedLogo | None) -> bool:
    """The same for a client's portal logo."""
    if inspected is None and client.portal_logo_id is None:
        return False
    old = client.portal_logo_id
    client.portal_logo_id = _store(session, inspected).id if inspected is not None else None
    session.flush()
    _drop(session, old)
    audit.record(
        LOGO_CHANGED, session, client_id=client.id, detail=_detail("Portal logo", inspected)
    )
    return True


def firm_logo(session: Session, *, with_data: bool = False) -> Logo | None:
    """The firm's logo (its bytes loaded only when asked for)."""
    query = select(Logo).join(Settings, Settings.logo_id == Logo.id).where(Settings.id == 1)
    if with_data:
        query = query.options(undefer(Logo.data))
    return session.scalar(query)


def client_logo(session: Session, client_id: int, *, with_data: bool = False) -> Logo | None:
    """A client's portal logo, found from the client's id (staff pages; the portal asks its
    scope, :class:`timetracker.portal.scope.branding.BrandingScope`)."""
    query = (
        select(Logo).join(Client, Client.portal_logo_id == Logo.id).where(Client.id == client_id)
    )
    if with_data:
        query = query.options(undefer(Logo.data))
    return session.scalar(query)
