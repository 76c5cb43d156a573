"""Serving logos. URL table (``URLS`` at the end):

/logos/firm                    GET  firm_logo     the firm's logo, for staff (the workspace,
                                                  the settings page)
/logos/clients/<client_id>     GET  client_logo   a client's portal logo, for staff (its form)
/client-portal/logo            GET  portal_logo   the signed-in contact's own client's logo

No logo: 404. Each answer is private, revalidated by its ETag (the image's SHA-256), sent with
``nosniff`` and the downloads' sandboxing Content-Security-Policy, so the bytes are only ever
an image. ``portal_logo()`` in templates gives the portal's navigation its logo.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, g, request, url_for
from flask.typing import ResponseReturnValue

from timetracker import db
from timetracker.auth.access import Policy, UrlTable, register_urls
from timetracker.logos import operations
from timetracker.models import Logo
from timetracker.sharing.responses import DOWNLOAD_CSP

bp = Blueprint("logos", __name__)


def logo_response(logo: Logo | None) -> ResponseReturnValue:
    if logo is None:
        abort(404)
    response = Response(logo.data, mimetype=logo.content_type)
    response.set_etag(logo.digest)
    response.cache_control.private = True
    response.cache_control.no_cache = True
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = DOWNLOAD_CSP
    response.headers["Content-Disposition"] = "inline"
    return response.make_conditional(request)


def firm_logo() -> ResponseReturnValue:
    return logo_response(operations.firm_logo(db.session, with_data=True))


def client_logo(client_id: int) -> ResponseReturnValue:
    return logo_response(operations.client_logo(db.session, client_id, with_data=True))


def portal_logo() -> ResponseReturnValue:
    """Only ever the contact's own client's logo: the scope's query starts from its id."""
    return logo_response(g.portal.portal_logo(with_data=True))


@bp.app_context_processor
def _portal_logo() -> dict[str, Any]:
    def portal_logo() -> dict[str, str] | None:
        """The portal navigation's logo: its address (which changes with the logo) and its
        text, the client's display name; ``None`` without a logo or outside the portal."""
        portal = g.get("portal")
        if portal is None or portal.client.portal_logo_id is None:
            return None
        client = portal.client
        return {
            "src": url_for("logos.portal_logo", v=client.portal_logo_id),
            "alt": client.portal_name,
        }

    return {"portal_logo": portal_logo}


GET = ["GET"]

URLS: UrlTable = [
    ("/logos/firm", firm_logo, GET, Policy.STAFF),
    ("/logos/clients/<int:client_id>", client_logo, GET, Policy.STAFF),
    ("/client-portal/logo", portal_logo, GET, Policy.PORTAL),
]

register_urls(bp, URLS)
