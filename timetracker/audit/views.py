"""Admin → Audit: the trail with filters, pages and a CSV export."""

from __future__ import annotations

from flask import Blueprint

from timetracker.auth.access import UrlTable, register_urls

bp = Blueprint("audit", __name__, url_prefix="/admin/audit")

URLS: UrlTable = []

register_urls(bp, URLS)
