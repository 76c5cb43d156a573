"""Inviting client contacts: the invitation form and the list of pending invitations."""

from __future__ import annotations

from flask import Blueprint

from timetracker.auth.access import UrlTable, register_urls

bp = Blueprint("invitations", __name__, url_prefix="/admin")

URLS: UrlTable = []

register_urls(bp, URLS)
