"""The secret of a person's calendar address: shown once in the URL, kept only as its SHA-256.

Creating a new one replaces the old (the old address stops working at once); revoking removes
it. Looking one up compares the hash with ``hmac.compare_digest``.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from timetracker import audit
from timetracker.audit import Kind
from timetracker.models import User

#: token_urlsafe(32): 43 characters of the URL-safe base64 alphabet.
_TOKEN = re.compile(r"[A-Za-z0-9_-]{43}")


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create(session: Session, user: User) -> str:
    """A new secret address for ``user`` (replacing any earlier one); returns the token."""
    replaced = user.calendar_token_hash is not None
    token = secrets.token_urlsafe(32)
    user.calendar_token_hash = hash_token(token)
    session.flush()
    audit.record(
        Kind.CALENDAR_FEED_CREATED,
        session,
        actor=user,
        subject=user,
        client_id=user.client_id,
        detail="a new address replaced the old one" if replaced else None,
    )
    return token


def revoke(session: Session, user: User) -> bool:
    """Remove the person's address; ``False`` when there was none."""
    if user.calendar_token_hash is None:
        return False
    user.calendar_token_hash = None
    session.flush()
    audit.record(
        Kind.CALENDAR_FEED_REVOKED, session, actor=user, subject=user, client_id=user.client_id
    )
    return True


def owner(session: Session, token: str) -> User | None:
    """The person whose address carries ``token``, or ``None``."""
    if not _TOKEN.fullmatch(token):
        return None
    digest = hash_token(token)
    user = session.scalar(select(User).where(User.calendar_token_hash == digest))
    if user is None or user.calendar_token_hash is None:
        return None
    if not hmac.compare_digest(user.calendar_token_hash, digest):
        return None
    return user
