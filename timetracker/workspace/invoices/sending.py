"""Sending an invoice: the send dialog, its preview, and marking as sent without emailing."""

from __future__ import annotations

from timetracker.auth.access import UrlTable

URLS: UrlTable = []
