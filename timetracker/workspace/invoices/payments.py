"""Correcting payments: edit and delete, each with a reason, audited."""

from __future__ import annotations

from timetracker.auth.access import UrlTable

URLS: UrlTable = []
