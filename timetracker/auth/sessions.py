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

Each row also keeps what the account page lists: the address and browser it started from, when,
and when it was last used. ``last_seen_at`` is refreshed by :func:`resolve`, which every request
with a session runs: it reads the row's ``last_seen_at`` in its one query and writes it again
only when it is older than :data:`LAST_SEEN_EVERY` (one small ``UPDATE``, in the request's
transaction), so a busy session writes at most once every few minutes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass
from functools import partial

from flask import current_app, has_request_context, request
from flask import session as cookie_session
from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from timetracker.models import User, UserSession
from timetracker.parsing import parse_id
from timetracker.sidewrites import write_after_request

#: How stale ``last_seen_at`` may get before a request refreshes it.
LAST_SEEN_EVERY = dt.timedelta(minutes=5)


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


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def max_age() -> dt.timedelta:
    return current_app.config["REMEMBER_COOKIE_DURATION"]


def _oldest_valid() -> dt.datetime:
    return _now() - max_age()


def _request_details() -> tuple[str | None, str | None]:
    """The address and browser (user agent) of the current request, cut to their columns."""
    if not has_request_context():
        return None, None
    address = (request.remote_addr or "")[:45] or None
    agent = (request.user_agent.string or "")[:300] or None
    return address, agent


def start(session: Session, user: User) -> str:
    """Record a new session of ``user`` (with the request's address and browser); returns the
    login id to keep in the cookie."""
    session.execute(
        delete(UserSession).where(
            UserSession.user_id == user.id, UserSession.created_at < _oldest_valid()
        )
    )
    key = secrets.token_urlsafe(32)
    address, agent = _request_details()
    now = _now()
    session.add(
        UserSession(
            user_id=user.id,
            key_hash=_hash(key),
            created_at=now,
            last_seen_at=now,
            ip_address=address,
            user_agent=agent,
        )
    )
    session.flush()
    return str(LoginId(user.id, user.session_version, key))


def resolve(session: Session, value: str | None) -> User | None:
    """The user a login id belongs to, if its session is still open: one query, and one small
    ``UPDATE`` of the session's ``last_seen_at`` when it is due (see :data:`LAST_SEEN_EVERY`)."""
    login_id = LoginId.parse(value)
    if login_id is None:
        return None
    row = session.execute(
        select(User, UserSession.id, UserSession.last_seen_at)
        .join(UserSession, UserSession.user_id == User.id)
        .where(
            User.id == login_id.user_id,
            User.session_version == login_id.version,
            UserSession.key_hash == _hash(login_id.key),
            UserSession.created_at >= _oldest_valid(),
        )
    ).first()
    if row is None:
        return None
    user, session_id, last_seen = row
    now = _now()
    if last_seen is None or last_seen <= now - LAST_SEEN_EVERY:
        # After the request's own transaction (timetracker/sidewrites.py): a page that reads
        # keeps a transaction that only reads.
        write_after_request(partial(_touch, session_id=session_id, now=now), session)
    return user


def _touch(session: Session, *, session_id: int, now: dt.datetime) -> None:
    """Refresh ``last_seen_at`` unless a concurrent request of the session just did."""
    session.execute(
        update(UserSession)
        .where(
            UserSession.id == session_id,
            or_(
                UserSession.last_seen_at.is_(None),
                UserSession.last_seen_at <= now - LAST_SEEN_EVERY,
            ),
        )
        .values(last_seen_at=now)
        .execution_options(synchronize_session=False)
    )


def key_hash(value: str | None) -> str | None:
    """The stored hash of the key in a login id (to tell "this browser" among the sessions)."""
    login_id = LoginId.parse(value)
    return _hash(login_id.key) if login_id is not None else None


def _open(user: User) -> list[ColumnElement[bool]]:
    return [UserSession.user_id == user.id, UserSession.created_at >= _oldest_valid()]


def open_sessions(session: Session, user: User) -> list[UserSession]:
    """The sessions of ``user`` that still authenticate, the most recently used first."""
    return list(
        session.scalars(
            select(UserSession)
            .where(*_open(user))
            .order_by(
                func.coalesce(UserSession.last_seen_at, UserSession.created_at).desc(),
                UserSession.id.desc(),
            )
        )
    )


def count_open(session: Session, user: User) -> int:
    count = session.scalar(select(func.count()).select_from(UserSession).where(*_open(user)))
    return count or 0


def find(session: Session, user: User, session_id: int) -> UserSession | None:
    """One open session of ``user``; another person's session is as missing as no session."""
    return session.scalar(select(UserSession).where(UserSession.id == session_id, *_open(user)))


def end_other(session: Session, user: User, except_value: str | None) -> int:
    """Close every session of ``user`` but the one of ``except_value`` (this browser); returns
    how many were closed. Their cookies, "keep me signed in" ones included, no longer
    authenticate; this browser stays signed in."""
    keep = key_hash(except_value)
    statement = delete(UserSession).where(UserSession.user_id == user.id)
    if keep is not None:
        statement = statement.where(UserSession.key_hash != keep)
    result = session.execute(statement)
    return int(getattr(result, "rowcount", 0) or 0)


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


def cookie_user_id() -> int | None:
    """The user id of the session cookie's login id (signed, so not forged), read without the
    database: rate limits count it before the request's transaction reads anything."""
    login = LoginId.parse(cookie_session.get("_user_id"))
    return login.user_id if login is not None else None
