"""Single-use links sent by email: invitations (valid 7 days) and password resets (1 hour).

The link holds a random token; the database keeps only its SHA-256, so a copy of the database
opens nothing. A token is checked in one place, :func:`check`, which tells why a link does not
work (unknown, expired, used, revoked) so the page can say so; :func:`consume` marks it used in
the transaction that sets the password, and a second use of the same link finds it used.
"""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from timetracker.models import TokenPurpose, User, UserToken
from timetracker.models._common import utcnow

LIFETIMES: dict[TokenPurpose, dt.timedelta] = {
    TokenPurpose.INVITATION: dt.timedelta(days=7),
    TokenPurpose.PASSWORD_RESET: dt.timedelta(hours=1),
}
#: Tokens are 43 URL-safe characters; anything far from that is not looked up.
TOKEN_BYTES = 32


class Problem(enum.StrEnum):
    UNKNOWN = "unknown"
    EXPIRED = "expired"
    USED = "used"
    REVOKED = "revoked"


@dataclass(frozen=True)
class Checked:
    token: UserToken | None
    user: User | None
    problem: Problem | None

    @property
    def ok(self) -> bool:
        return self.problem is None


def token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()


def issue(
    session: Session,
    user: User,
    purpose: TokenPurpose,
    *,
    created_by: User | None = None,
    now: dt.datetime | None = None,
) -> str:
    """A new link token for ``user``; earlier open tokens of the same purpose stop working
    (only the newest invitation or reset link of a person opens anything)."""
    now = now or utcnow()
    session.execute(
        update(UserToken)
        .where(
            UserToken.user_id == user.id,
            UserToken.purpose == purpose,
            UserToken.used_at.is_(None),
            UserToken.revoked_at.is_(None),
        )
        .values(revoked_at=now)
        .execution_options(synchronize_session=False)
    )
    raw = secrets.token_urlsafe(TOKEN_BYTES)
    session.add(
        UserToken(
            purpose=purpose,
            user_id=user.id,
            token_hash=token_hash(raw),
            created_at=now,
            expires_at=now + LIFETIMES[purpose],
            created_by_id=created_by.id if created_by is not None else None,
        )
    )
    session.flush()
    return raw


def check(
    session: Session, raw: str | None, purpose: TokenPurpose, now: dt.datetime | None = None
) -> Checked:
    """Whether the link token ``raw`` opens anything, and if not why."""
    if not raw or not 20 <= len(raw) <= 100:
        return Checked(None, None, Problem.UNKNOWN)
    row = session.execute(
        select(UserToken, User)
        .join(User, User.id == UserToken.user_id)
        .where(UserToken.token_hash == token_hash(raw), UserToken.purpose == purpose)
    ).first()
    if row is None:
        return Checked(None, None, Problem.UNKNOWN)
    token, user = row
    if token.used_at is not None:
        return Checked(token, user, Problem.USED)
    if token.revoked_at is not None:
        return Checked(token, user, Problem.REVOKED)
    if (now or utcnow()) >= token.expires_at:
        return Checked(token, user, Problem.EXPIRED)
    return Checked(token, user, None)


def consume(session: Session, token: UserToken, now: dt.datetime | None = None) -> bool:
    """Mark ``token`` used; ``False`` when another request used it first (the UPDATE is
    conditional, so two submissions of one link cannot both succeed)."""
    result = session.execute(
        update(UserToken)
        .where(UserToken.id == token.id, UserToken.used_at.is_(None))
        .values(used_at=now or utcnow())
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0))


def revoke_open(session: Session, user: User, purpose: TokenPurpose) -> int:
    """Revoke every open token of ``user`` for ``purpose``; returns how many."""
    result = session.execute(
        update(UserToken)
        .where(
            UserToken.user_id == user.id,
            UserToken.purpose == purpose,
            UserToken.used_at.is_(None),
            UserToken.revoked_at.is_(None),
        )
        .values(revoked_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)
