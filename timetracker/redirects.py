"""The one check of a redirect target that came from a request (``next``)."""

from __future__ import annotations

import unicodedata
from urllib.parse import urlsplit


def safe_redirect_target(target: str | None) -> str | None:
    """``target`` when it is a path on this site, else ``None`` (redirect to a default).

    Refused: an empty value; anything not starting with a single ``/`` (``//host`` and ``/\\host``
    are other hosts to a browser); a backslash anywhere; a scheme or host; and any whitespace or
    control or format character anywhere (browsers drop tabs and newlines from URLs, so
    ``/\\t/evil`` would become ``//evil``, and CR/LF would break the ``Location`` header).
    """
    if not target or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target:
        return None
    if any(ch.isspace() or unicodedata.category(ch).startswith(("C", "Z")) for ch in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target
