"""Signing a delivery: ``Webhook-Signature: v1=<hex HMAC-SHA256 of "{timestamp}.{body}">``.

The timestamp (Unix seconds) is signed with the body, so a receiver that refuses old
timestamps (docs/webhooks.md: five minutes) cannot be fed a recorded delivery again later.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

#: What every endpoint secret starts with, so that people recognise one when they see it.
SECRET_PREFIX = "whsec_"  # noqa: S105 - a prefix, not a secret
SIGNATURE_VERSION = "v1"
USER_AGENT = "TimeTracker-Webhooks/1.0"


def new_secret() -> str:
    """A fresh endpoint secret: the prefix and 32 random bytes (URL-safe base64)."""
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def signature(secret: str, timestamp: int, body: str) -> str:
    """The hex HMAC-SHA256 of ``"{timestamp}.{body}"`` with the endpoint's secret."""
    message = f"{timestamp}.{body}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def headers(secret: str, event_id: str, timestamp: int, body: str) -> dict[str, str]:
    """The headers of one delivery attempt (a retry is signed again with its own time)."""
    return {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "Webhook-Id": event_id,
        "Webhook-Timestamp": str(timestamp),
        "Webhook-Signature": f"{SIGNATURE_VERSION}={signature(secret, timestamp, body)}",
    }
