"""Two-factor sign-in: enrolment on the account page, the second step at login, recovery codes."""

from __future__ import annotations

from flask import Blueprint

from timetracker.auth.access import UrlTable, register_urls

bp = Blueprint("twofactor", __name__)

URLS: UrlTable = []

register_urls(bp, URLS)
