"""Server-side session records.

The login id that Flask-Login keeps in the session cookie (and in the "keep me signed in"
cookie) is ``"<user id>:<session version>:<key>"``. The key is random per login; only its
SHA-256 is stored, in ``user_sessions``. A cookie authenticates only while its row exists and
the user's session version matches, so:

* logout deletes the row: a copy of the cookie taken before logout is anonymous afterwards,
  and the user's other browsers stay signed in;
* a password change bumps the version and deletes every row of the user: all other sessions
  end, and the browser that changed it gets a fresh one;
* a row older than ``REMEMBER_COOKIE_DURATION`` no longer authenticates (absolute lifetime);
* deactivating a user, or the client a contact belongs to, revokes their sessions (both of the
  above at once), so reactivation never revives a cookie from before.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from timetracker.models import User, UserSession
from timetracker.parsing import parse_id


@dataclass(frozen=True)
class LoginId:
    user_id: int
    version: int
    key: str

    @classmethod
    def parse(cls, value: str | None) -> LoginId | None:
        parts = (value or "").split(":")
        if len(parts) != 3:
            return None
        user_id, version, key = parse_id(parts[0]), parse_id(parts[1]), parts[2]
        if user_id is None or version is None or not 20 <= len(key) <= 100:
            return None
        return cls(user_id, version, key)

    def __str__(self) -> str:
        return f"{self.user_id}:{self.version}:{self.key}"


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def max_age() -> dt.timedelta:
    return current_app.config["REMEMBER_COOKIE_DURATION"]


def _oldest_valid() -> dt.datetime:
    return dt.datetime.now(dt.UTC) - max_age()


def start(session: Session, user: User) -> str:
    """Record a new session of ``user``; returns the login id to keep in the cookie."""
    session.execute(
        delete(UserSession).where(
            UserSession.user_id == user.id, UserSession.created_at < _oldest_valid()
        )
    )
    key = secrets.token_urlsafe(32)
    session.add(UserSession(user_id=user.id, key_hash=_hash(key)))
    session.flush()
    return str(LoginId(user.id, user.session_version, key))


def resolve(session: Session, value: str | None) -> User | None:
    """The user a login id belongs to, if its session is still open; one query."""
    login_id = LoginId.parse(value)
    if login_id is None:
        return None
    user = session.scalar(
        select(User)
        .join(UserSession, UserSession.user_id == User.id)
        .where(
            User.id == login_id.user_id,
            User.session_version == login_id.version,
            UserSession.key_hash == _hash(login_id.key),
            UserSession.created_at >= _oldest_valid(),
        )
    )
    return user


def end(session: Session, value: str | None) -> None:
    """Close the session of this login id (logout)."""
    login_id = LoginId.parse(value)
    if login_id is not None:
        session.execute(
            delete(UserSession).where(
                UserSession.user_id == login_id.user_id,
                UserSession.key_hash == _hash(login_id.key),
            )
        )


def end_all(session: Session, user: User) -> None:
    """Close every session of ``user`` (password change)."""
    session.execute(delete(UserSession).where(UserSession.user_id == user.id))


def revoke(session: Session, user: User) -> None:
    """End every session of ``user`` for good: rows deleted and the version bumped, so that no
    cookie from before (a "keep me signed in" one included) authenticates again."""
    user.session_version = (user.session_version or 1) + 1
    end_all(session, user)
    session.flush()


def revoke_client_contacts(session: Session, client_id: int) -> None:
    """:func:`revoke` for every contact of the client (client deactivation)."""
    contacts = select(User.id).where(User.client_id == client_id)
    session.execute(delete(UserSession).where(UserSession.user_id.in_(contacts)))
    session.execute(
        update(User)
        .where(User.client_id == client_id)
        .values(session_version=User.session_version + 1)
        .execution_options(synchronize_session="fetch")
    )
