"""Forgotten passwords and invitation links: asking for a reset, setting a password from a link."""

from __future__ import annotations

from flask import Blueprint

from timetracker.auth.access import UrlTable, register_urls

bp = Blueprint("recovery", __name__)

URLS: UrlTable = []

register_urls(bp, URLS)
