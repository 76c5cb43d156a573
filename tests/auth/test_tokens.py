"""Single-use link tokens (auth/tokens.py): stored hashed, checked once, expiring exactly at
their lifetime, the newest one of a person and purpose the only one that opens anything."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.factories import make_admin, make_user
from timetracker.auth import tokens
from timetracker.auth.tokens import Problem
from timetracker.models import TokenPurpose, UserToken

NOW = dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("purpose", "lifetime"),
    [
        (TokenPurpose.INVITATION, dt.timedelta(days=7)),
        (TokenPurpose.PASSWORD_RESET, dt.timedelta(hours=1)),
    ],
)
def test_a_token_opens_until_its_lifetime_ends(
    session: Session, purpose: TokenPurpose, lifetime: dt.timedelta
) -> None:
    user = make_user(session)
    raw = tokens.issue(session, user, purpose, now=NOW)
    last_moment = NOW + lifetime - dt.timedelta(microseconds=1)
    assert tokens.check(session, raw, purpose, now=last_moment).ok
    assert tokens.check(session, raw, purpose, now=NOW + lifetime).problem is Problem.EXPIRED


def test_only_the_hash_is_stored(session: Session) -> None:
    user = make_user(session)
    raw = tokens.issue(session, user, TokenPurpose.PASSWORD_RESET, now=NOW)
    stored = session.scalars(select(UserToken.token_hash)).all()
    assert stored == [tokens.token_hash(raw)]
    assert raw not in stored[0]


def test_a_token_is_used_once(session: Session) -> None:
    user = make_user(session)
    raw = tokens.issue(session, user, TokenPurpose.PASSWORD_RESET, now=NOW)
    checked = tokens.check(session, raw, TokenPurpose.PASSWORD_RESET, now=NOW)
    assert checked.ok and checked.user is not None and checked.user.id == user.id
    assert checked.token is not None
    assert tokens.consume(session, checked.token, now=NOW) is True
    # A second submission of the same link finds it used, however it races.
    assert tokens.consume(session, checked.token, now=NOW) is False
    session.expire_all()
    assert tokens.check(session, raw, TokenPurpose.PASSWORD_RESET, now=NOW).problem is Problem.USED


def test_a_new_token_revokes_the_open_one_of_the_same_purpose(session: Session) -> None:
    admin = make_admin(session)
    user = make_user(session)
    first = tokens.issue(session, user, TokenPurpose.INVITATION, created_by=admin, now=NOW)
    reset = tokens.issue(session, user, TokenPurpose.PASSWORD_RESET, now=NOW)
    second = tokens.issue(session, user, TokenPurpose.INVITATION, created_by=admin, now=NOW)
    session.expire_all()
    assert tokens.check(session, first, TokenPurpose.INVITATION, now=NOW).problem is (
        Problem.REVOKED
    )
    assert tokens.check(session, second, TokenPurpose.INVITATION, now=NOW).ok
    # Another purpose is left alone.
    assert tokens.check(session, reset, TokenPurpose.PASSWORD_RESET, now=NOW).ok


def test_revoke_open_ends_every_open_token(session: Session) -> None:
    user = make_user(session)
    raw = tokens.issue(session, user, TokenPurpose.INVITATION, now=NOW)
    assert tokens.revoke_open(session, user, TokenPurpose.INVITATION) == 1
    session.expire_all()
    assert tokens.check(session, raw, TokenPurpose.INVITATION, now=NOW).problem is (Problem.REVOKED)
    assert tokens.revoke_open(session, user, TokenPurpose.INVITATION) == 0


def _tampered(raw: str) -> list[str]:
    flipped = ("A" if raw[0] != "A" else "B") + raw[1:]
    return [flipped, raw[:-1], raw + "x", raw.upper(), raw * 3, "", "é" * 43, raw[:19]]


def test_tampered_and_foreign_tokens_open_nothing(session: Session) -> None:
    user = make_user(session)
    raw = tokens.issue(session, user, TokenPurpose.PASSWORD_RESET, now=NOW)
    for value in _tampered(raw):
        checked = tokens.check(session, value, TokenPurpose.PASSWORD_RESET, now=NOW)
        assert checked.problem is Problem.UNKNOWN, value
        assert checked.user is None
    # A reset token is no invitation, and the other way round.
    checked = tokens.check(session, raw, TokenPurpose.INVITATION, now=NOW)
    assert checked.problem is Problem.UNKNOWN
    assert tokens.check(session, None, TokenPurpose.INVITATION, now=NOW).problem is (
        Problem.UNKNOWN
    )
    # Invalid UTF-8 (a lone surrogate, as a decoded URL can hold) is refused, not an error.
    assert tokens.check(session, "\udcff" * 43, TokenPurpose.INVITATION).problem is (
        Problem.UNKNOWN
    )
