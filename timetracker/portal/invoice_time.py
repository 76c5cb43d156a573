"""URL table of the feature (portal routes); filled in by the feature."""

from __future__ import annotations

from flask import Blueprint

from timetracker.auth.access import UrlTable, register_urls

bp = Blueprint("portal_invoice_time", __name__, url_prefix="/client-portal")

URLS: UrlTable = []
register_urls(bp, URLS)
