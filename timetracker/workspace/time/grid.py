"""The editable week grid of time: hours typed per project and day, saved without a reload."""

from __future__ import annotations

from timetracker.auth.access import UrlTable

URLS: UrlTable = []
