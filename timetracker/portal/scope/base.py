"""Who may use the portal, and the state every part of a client's scope shares."""

from __future__ import annotations

import datetime as dt

from flask_babel import gettext
from sqlalchemy import select
from sqlalchemy.orm import Session

from timetracker import db, firm
from timetracker.billing.publication import Gate
from timetracker.i18n import N_
from timetracker.models import Client, User
from timetracker.portal.scope.visibility import Visibility


class PortalAccessDenied(Exception):
    """The user may not open the portal; ``reason`` says why in plain words."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


# The reasons in English; :func:`portal_client` raises ``gettext`` of them, in the language of
# the request (``gettext(NOT_PORTAL_USER)`` where that one is shown).
NOT_PORTAL_USER = N_(
    "Your account does not have client portal access. "
    "Ask an administrator to enable the client portal for you."
)
NO_CLIENT = N_(
    "Your portal account is not linked to a client. "
    "Ask an administrator to choose your client in your user settings."
)
CLIENT_INACTIVE = N_("The client account your portal belongs to is no longer active.")
USER_INACTIVE = N_("Your account has been deactivated.")


def portal_client(user: User, session: Session) -> Client:
    """The client whose portal ``user`` may open; raises :class:`PortalAccessDenied`."""
    if not user.is_active:
        raise PortalAccessDenied(gettext(USER_INACTIVE))
    if not user.client_portal_enabled:
        raise PortalAccessDenied(gettext(NOT_PORTAL_USER))
    if user.client_id is None:
        raise PortalAccessDenied(gettext(NO_CLIENT))
    client = session.scalar(select(Client).where(Client.id == user.client_id))
    if client is None:
        raise PortalAccessDenied(gettext(NO_CLIENT))
    if not client.is_active:
        raise PortalAccessDenied(gettext(CLIENT_INACTIVE))
    return client


class ScopeBase:
    """One client's portal: every query of the parts below starts from ``client_id``."""

    def __init__(self, client: Client, session: Session | None = None) -> None:
        self.client = client
        self.client_id: int = client.id
        self.session: Session = session if session is not None else db.session
        self.today: dt.date = firm.today()
        #: What the client's contacts may see (the administrators' choice for this client).
        self.visibility: Visibility = Visibility.of(client)
        #: Which completed time the client's contacts see (the publish gate).
        self.gate: Gate = Gate.of(client, firm.now())
