"""Forgotten passwords: asking for a reset link, and setting a new password with it.

A reset link (``auth/tokens.py``, valid one hour, single use) is issued only to an account that
exists, is active and has access; the page that asks for it answers alike for every address
(``auth/recovery.py``, and ``recovery_links`` for the timing). Setting the new password ends
every session of the account, in every browser, this one included: the person signs in again
with the new password, and with their second factor when they have one (a reset never signs
anyone in, so it cannot skip the second step of the login).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from timetracker import audit
from timetracker.audit import Kind
from timetracker.auth import sessions, tokens
from timetracker.auth.passwords import hash_password
from timetracker.auth.recovery_links import access_refusal, equal_work
from timetracker.auth.tokens import Checked
from timetracker.i18n import N_
from timetracker.models import TokenPurpose, User
from timetracker.models.users import normalize_email

#: The one answer of ``/forgot-password``, whatever the address.
RESET_REQUESTED = N_(
    "If an account exists for this address, we have sent a link to reset the password. "
    "It works for one hour."
)


@dataclass(frozen=True)
class ResetLink:
    user: User
    token: str


def find_account(session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(User.email == normalize_email(email)))


def request_reset(session: Session, email: str) -> ResetLink | None:
    """A reset link for the account of ``email``, if it exists, is active and has access.

    The request is recorded for every existing account (the administrator sees someone asked,
    and why nothing was sent); an unknown address leaves no trace."""
    user = find_account(session, email)
    if user is None:
        equal_work()
        return None
    refused = access_refusal(user)
    if refused is not None:
        equal_work()
        audit.record(
            Kind.PASSWORD_RESET_REQUESTED,
            session=session,
            subject=user,
            client_id=user.client_id,
            detail=f"no link sent: {refused}",
        )
        return None
    raw = tokens.issue(session, user, TokenPurpose.PASSWORD_RESET)
    audit.record(
        Kind.PASSWORD_RESET_REQUESTED,
        session=session,
        subject=user,
        client_id=user.client_id,
        detail="reset link issued",
    )
    return ResetLink(user, raw)


def reset_password(session: Session, checked: Checked, password: str) -> User | None:
    """Use the reset link ``checked`` (checked and found open) to set ``password``; ``None``
    when another request used the link first (a double submission changes nothing twice).

    Every session of the account ends (the cookie of each browser, "keep me signed in" ones
    included, stops working). A pending invitation of the account is revoked: its person has
    a password now, and the invitation would only set it again."""
    user, token = checked.user, checked.token
    assert user is not None and token is not None
    if not tokens.consume(session, token):
        return None
    user.password_hash = hash_password(password)
    sessions.revoke(session, user)
    tokens.revoke_open(session, user, TokenPurpose.INVITATION)
    audit.record(Kind.PASSWORD_RESET, session=session, actor=user, client_id=user.client_id)
    return user
