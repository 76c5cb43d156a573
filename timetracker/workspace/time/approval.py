"""Approval of time entries in bulk: the publish gate of the client portal."""

from __future__ import annotations

from timetracker.auth.access import UrlTable

URLS: UrlTable = []
