"""Personal access tokens: making one, finding the one a request presents, and revoking it.

A token is ``tt_`` and 43 URL-safe characters (32 random bytes). Only its SHA-256 is stored,
with the first eight characters after ``tt_`` as a prefix to find the row by; the hashes are
compared with :func:`hmac.compare_digest`. A token acts for its owner with the owner's access
as it is at the time of each request: a deactivated account, a contact whose portal access was
taken away or whose client is inactive, an expired or a revoked token authenticate nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from timetracker import audit
from timetracker.auth.access import refusal
from timetracker.i18n import _l
from timetracker.models import User
from timetracker.models._common import utcnow
from timetracker.models.api import ApiToken

PORTAL_READ = "portal:read"
TIME_READ = "time:read"
TIME_WRITE = "time:write"
PROJECTS_READ = "projects:read"

#: Every scope with what it allows (for people, in the language being spoken), in the order
#: the forms list them.
SCOPES = {
    PORTAL_READ: _l("Read your client portal: projects, invoices and their PDFs, time entries"),
    TIME_READ: _l("Read your own time entries and your timer"),
    TIME_WRITE: _l("Create, change and delete your own time entries; start and stop your timer"),
    PROJECTS_READ: _l("Read the projects and clients"),
}
CONTACT_SCOPES = (PORTAL_READ,)
STAFF_SCOPES = (TIME_READ, TIME_WRITE, PROJECTS_READ)

#: The lifetimes a person may choose, in days (``None``: the token does not expire).
LIFETIMES: dict[str, int | None] = {"30": 30, "90": 90, "365": 365, "never": None}

PREFIX = "tt_"
PREFIX_LENGTH = 8
_TOKEN = re.compile(r"tt_[A-Za-z0-9_-]{40,64}")
#: The last-use time is written at most this often per token.
TOUCH_INTERVAL = dt.timedelta(minutes=1)

MISSING = "Send a personal access token in the Authorization header: Bearer <token>."
INVALID = "The token is not valid: it is unknown, expired or revoked."


class TokenRefused(Exception):
    """The request's token authenticates nobody (401); ``reason`` says why."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class TokenError(ValueError):
    """A token that cannot be made as asked (the form shows the message, for people)."""


@dataclass(frozen=True)
class Bearer:
    """The token a request presented, and the account it acts for."""

    token: ApiToken
    user: User

    @property
    def scopes(self) -> frozenset[str]:
        return frozenset(self.token.scopes.split())

    def allows(self, scope: str) -> bool:
        """Whether the token holds ``scope`` and the owner's role still allows it."""
        return scope in self.scopes and scope in scopes_for(self.user)


def scopes_for(user: User) -> tuple[str, ...]:
    """The scopes ``user``'s role may hold: contacts read their portal, staff the rest."""
    if user.is_client_contact:
        return CONTACT_SCOPES
    if user.is_staff:
        return STAFF_SCOPES
    return ()


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def prefix_of(token: str) -> str:
    return token[len(PREFIX) : len(PREFIX) + PREFIX_LENGTH]


def create(
    session: Session,
    user: User,
    name: str,
    scopes: list[str],
    lifetime_days: int | None,
    now: dt.datetime | None = None,
) -> tuple[ApiToken, str]:
    """A new token of ``user``'s and its secret, which is shown once and never stored."""
    name = name.strip()
    if not name or len(name) > 100:
        raise TokenError(_("Give the token a name of 1 to 100 characters."))
    allowed = scopes_for(user)
    chosen = [scope for scope in allowed if scope in scopes]
    if not chosen or len(chosen) != len(set(scopes)):
        raise TokenError(
            _("Choose at least one of the scopes offered: %(scopes)s.", scopes=", ".join(allowed))
        )
    now = now or utcnow()
    secret = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user_id=user.id,
        name=name,
        prefix=prefix_of(secret),
        token_hash=hash_token(secret),
        scopes=" ".join(chosen),
        created_at=now,
        expires_at=now + dt.timedelta(days=lifetime_days) if lifetime_days else None,
    )
    session.add(token)
    session.flush()
    audit.record(
        audit.Kind.API_TOKEN_CREATED,
        session,
        actor=user,
        subject=user,
        client_id=user.client_id if user.is_client_contact else None,
        detail=f"{token.name} ({PREFIX}{token.prefix}…): {token.scopes}",
    )
    return token, secret


def revoke(session: Session, token: ApiToken, owner: User, by: User) -> None:
    """Revoke ``token`` (idempotent: revoking a revoked token changes nothing)."""
    if token.revoked_at is not None:
        return
    token.revoked_at = utcnow()
    token.revoked_by_id = by.id
    session.flush()
    audit.record(
        audit.Kind.API_TOKEN_REVOKED,
        session,
        actor=by,
        subject=owner,
        client_id=owner.client_id if owner.is_client_contact else None,
        detail=f"{token.name} ({PREFIX}{token.prefix}…)",
    )


def is_active(token: ApiToken, now: dt.datetime) -> bool:
    return token.revoked_at is None and (token.expires_at is None or token.expires_at > now)


def bearer_text(header: str | None) -> str | None:
    """The token of an ``Authorization: Bearer <token>`` header, or ``None``."""
    if not header:
        return None
    scheme, _, value = header.strip().partition(" ")
    if scheme.lower() != "bearer":
        return None
    value = value.strip()
    return value if _TOKEN.fullmatch(value) else ""


def authenticate(session: Session, header: str | None, now: dt.datetime | None = None) -> Bearer:
    """The bearer of the request's token; raises :class:`TokenRefused` otherwise."""
    text = bearer_text(header)
    if text is None:
        raise TokenRefused(MISSING)
    if not text:
        raise TokenRefused(INVALID)
    digest = hash_token(text)
    found = None
    for candidate in session.scalars(select(ApiToken).where(ApiToken.prefix == prefix_of(text))):
        if hmac.compare_digest(candidate.token_hash, digest):
            found = candidate
    if found is None or not is_active(found, now or utcnow()):
        raise TokenRefused(INVALID)
    user = session.get(User, found.user_id)
    if user is None:
        raise TokenRefused(INVALID)
    reason = refusal(user)
    if reason is not None:
        raise TokenRefused(f"The token's account has no access. {reason}")
    return Bearer(found, user)


def needs_touch(token: ApiToken, now: dt.datetime) -> bool:
    return token.last_used_at is None or now - token.last_used_at >= TOUCH_INTERVAL


def touch(session: Session, token_id: int, now: dt.datetime, ip: str | None) -> None:
    """Write the token's last use (a statement of its own: the row may be stale here)."""
    session.execute(
        update(ApiToken)
        .where(ApiToken.id == token_id)
        .values(last_used_at=now, last_used_ip=(ip or "")[:45] or None)
    )


def tokens_of(session: Session, user_id: int) -> list[ApiToken]:
    """Every token of the person, newest first (revoked and expired ones too)."""
    return list(
        session.scalars(
            select(ApiToken)
            .where(ApiToken.user_id == user_id)
            .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
        )
    )


def active_tokens(session: Session, now: dt.datetime | None = None) -> list[tuple[ApiToken, User]]:
    """Everyone's tokens that still work (not revoked, not expired), with their owners."""
    now = now or utcnow()
    rows = session.execute(
        select(ApiToken, User)
        .join(User, User.id == ApiToken.user_id)
        .where(
            ApiToken.revoked_at.is_(None),
            (ApiToken.expires_at.is_(None)) | (ApiToken.expires_at > now),
        )
        .order_by(User.name, ApiToken.created_at.desc(), ApiToken.id.desc())
    ).all()
    return [(token, user) for token, user in rows]


def token_of(session: Session, token_id: int, user_id: int | None) -> ApiToken | None:
    """A token by id: of ``user_id`` only, unless ``None`` (an administrator's choice)."""
    query = select(ApiToken).where(ApiToken.id == token_id)
    if user_id is not None:
        query = query.where(ApiToken.user_id == user_id)
    return session.scalar(query)
