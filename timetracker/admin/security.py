"""An administrator's sign-in actions on a user: reset the second factor, end every session."""

from __future__ import annotations

from flask import Blueprint

from timetracker.auth.access import UrlTable, register_urls

bp = Blueprint("admin_security", __name__, url_prefix="/admin")

URLS: UrlTable = []

register_urls(bp, URLS)
