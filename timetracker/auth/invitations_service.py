"""Inviting client contacts: the invitation, the list of pending ones, resending, revoking,
accepting, and a new link for an invitation that expired.

An invitation is a client contact's account with no password yet (``INVITED_PASSWORD_HASH``,
which no password verifies) and an open invitation link (``auth/tokens.py``: valid 7 days,
single use, stored hashed). It is *pending* while that link is neither used nor revoked; an
expired one stays pending, shown as expired, until it is resent, renewed or revoked. Only the
newest link of a person opens anything: resending or renewing revokes the one before.

Resend, revoke and renew first close the very link they replace with a conditional UPDATE, and
go on only when that UPDATE changed it: two submissions of one button (or two administrators
at once) cannot both act.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import ColumnElement, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased

from timetracker import audit
from timetracker.audit import Kind
from timetracker.auth import sessions, tokens
from timetracker.auth.access import refusal_text
from timetracker.auth.passwords import hash_password
from timetracker.auth.recovery_links import access_refusal, equal_work
from timetracker.auth.tokens import Checked
from timetracker.i18n import N_
from timetracker.models import Client, TokenPurpose, User, UserToken
from timetracker.models._common import utcnow
from timetracker.models.users import normalize_email
from timetracker.pagination import Page, PageRequest
from timetracker.parsing import parse_id

#: The password hash of an invited person until they set one: not an Argon2 hash, so
#: ``passwords.verify_password`` refuses every password for it.
INVITED_PASSWORD_HASH = "!invited"  # noqa: S105 - a marker, not a password

#: The one answer of ``/invitation/renew``, whatever the address.
RENEWAL_REQUESTED = N_("If an invitation is waiting for this address, we have sent a new link.")

EMAIL_TAKEN = N_(
    "An account with this email address exists already. To give it portal access, edit it "
    "under Users and tick Enable Client Portal."
)
CHOOSE_CLIENT = N_("Choose an active client from the list.")

INVITATION = TokenPurpose.INVITATION


class InvitationError(ValueError):
    """Input the invitation form refuses; ``field`` names the field to show it on."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


class NoSuchInvitation(LookupError):
    """No invitation of that id belongs to that person (404)."""


class InvitationClosed(Exception):
    """The invitation of ``user`` was accepted, resent or revoked in the meantime; nothing
    was done."""

    def __init__(self, user: User) -> None:
        super().__init__(user.email)
        self.user = user


@dataclass(frozen=True)
class Invitation:
    """A link just issued: ``token`` is what goes into the link, shown or sent once."""

    user: User
    token: str
    expires_at: dt.datetime


@dataclass(frozen=True)
class PendingInvitation:
    token: UserToken
    user: User
    client_name: str | None
    sent_by: str | None

    def is_expired(self, now: dt.datetime) -> bool:
        return now >= self.token.expires_at

    @property
    def never_set_password(self) -> bool:
        return never_set_password(self.user)


def never_set_password(user: User) -> bool:
    return user.password_hash == INVITED_PASSWORD_HASH


def _open() -> list[ColumnElement[bool]]:
    """An invitation link that is neither used nor revoked (expired or not)."""
    return [
        UserToken.purpose == INVITATION,
        UserToken.used_at.is_(None),
        UserToken.revoked_at.is_(None),
    ]


def _issued(session: Session, user: User, created_by: User | None) -> Invitation:
    raw = tokens.issue(session, user, INVITATION, created_by=created_by)
    expires_at = session.scalar(
        select(UserToken.expires_at).where(UserToken.token_hash == tokens.token_hash(raw))
    )
    assert expires_at is not None  # just inserted
    return Invitation(user, raw, expires_at)


def _close(session: Session, token: UserToken) -> bool:
    """Revoke ``token`` if it is still open; ``False`` when another request closed it first."""
    result = session.execute(
        update(UserToken)
        .where(UserToken.id == token.id, *_open())
        .values(revoked_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0))


def _active_client(session: Session, client_id: str | None) -> Client:
    number = parse_id(client_id)
    client = None
    if number is not None:
        client = session.scalar(select(Client).where(Client.id == number, Client.is_active))
    if client is None:
        raise InvitationError("client_id", _(CHOOSE_CLIENT))
    return client


def invite(
    session: Session, admin: User, *, name: str, email: str, client_id: str | None
) -> Invitation:
    """A new client contact of the chosen (active) client, without a password, and their
    invitation link; raises :class:`InvitationError` for an address in use or a bad client."""
    email = normalize_email(email)
    if session.scalar(select(User.id).where(User.email == email)) is not None:
        raise InvitationError("email", _(EMAIL_TAKEN))
    client = _active_client(session, client_id)
    user = User(name=name.strip(), email=email, password_hash=INVITED_PASSWORD_HASH, is_active=True)
    user.make_client_contact(client.id)
    try:
        with session.begin_nested():  # the same address, invited at the same moment
            session.add(user)
            session.flush()
    except IntegrityError:
        raise InvitationError("email", _(EMAIL_TAKEN)) from None
    invitation = _issued(session, user, admin)
    audit.record(
        Kind.INVITATION_SENT, session=session, actor=admin, subject=user, client_id=client.id
    )
    audit.record(
        Kind.PORTAL_ACCESS_GRANTED,
        session=session,
        actor=admin,
        subject=user,
        client_id=client.id,
        detail="invited",
    )
    return invitation


def pending_page(session: Session, request: PageRequest) -> Page[PendingInvitation]:
    """Open invitation links, newest first, with their person, client and sender; one query
    for the count and one for the page."""
    total = session.scalar(select(func.count(UserToken.id)).where(*_open())) or 0
    request = request.clamp(total)
    sender = aliased(User)
    rows = session.execute(
        select(UserToken, User, Client.name, sender.name)
        .join(User, User.id == UserToken.user_id)
        .outerjoin(Client, Client.id == User.client_id)
        .outerjoin(sender, sender.id == UserToken.created_by_id)
        .where(*_open())
        .order_by(UserToken.created_at.desc(), UserToken.id.desc())
        .limit(request.size)
        .offset(request.offset)
    ).all()
    items = [PendingInvitation(t, u, c, s) for t, u, c, s in rows]
    return Page(items, total, request.number, request.size)


def _invitation_of(session: Session, user_id: int, token_id: int) -> tuple[UserToken, User]:
    """The invitation ``token_id`` of person ``user_id``, open or not; :class:`NoSuchInvitation`
    when there is none, :class:`InvitationClosed` when it is no longer open."""
    row = session.execute(
        select(UserToken, User)
        .join(User, User.id == UserToken.user_id)
        .where(UserToken.id == token_id, User.id == user_id, UserToken.purpose == INVITATION)
    ).first()
    if row is None:
        raise NoSuchInvitation()
    token, user = row
    if token.used_at is not None or token.revoked_at is not None:
        raise InvitationClosed(user)
    return token, user


def resend(session: Session, admin: User, *, user_id: int, token_id: int) -> Invitation:
    """A new link in place of the pending invitation ``token_id``: the old link stops working.

    Raises :class:`NoSuchInvitation`, :class:`InvitationClosed`, or :class:`InvitationError`
    when the person could not use a link (deactivated, or their client is)."""
    token, user = _invitation_of(session, user_id, token_id)
    refused = access_refusal(user)
    if refused is not None:
        raise InvitationError(
            "invitation",
            _(
                "%(name)s cannot use a link: %(reason)s",
                name=user.name,
                reason=refusal_text(refused),
            ),
        )
    if not _close(session, token):
        raise InvitationClosed(user)
    invitation = _issued(session, user, admin)
    audit.record(
        Kind.INVITATION_SENT,
        session=session,
        actor=admin,
        subject=user,
        client_id=user.client_id,
        detail="resent",
    )
    return invitation


@dataclass(frozen=True)
class Revoked:
    user: User
    #: The person never set a password: their account lost portal access and was deactivated.
    account_closed: bool


def revoke(session: Session, admin: User, *, user_id: int, token_id: int) -> Revoked:
    """Revoke the pending invitation ``token_id``. A person who never set a password loses
    portal access and is deactivated (their account was only the invitation); one who set a
    password some other way keeps their account, and only the link stops working."""
    token, user = _invitation_of(session, user_id, token_id)
    if not _close(session, token):
        raise InvitationClosed(user)
    tokens.revoke_open(session, user, INVITATION)
    client_id = user.client_id
    closed = never_set_password(user)
    had_portal = user.is_client_contact
    if closed:
        user.revoke_portal()
        user.is_active = False
        sessions.revoke(session, user)
    audit.record(
        Kind.INVITATION_REVOKED,
        session=session,
        actor=admin,
        subject=user,
        client_id=client_id,
        detail="account deactivated" if closed else None,
    )
    if closed and had_portal:
        audit.record(
            Kind.PORTAL_ACCESS_REMOVED,
            session=session,
            actor=admin,
            subject=user,
            client_id=client_id,
            detail="invitation revoked",
        )
    return Revoked(user, closed)


def client_of(session: Session, user: User) -> Client | None:
    if user.client_id is None:
        return None
    return session.scalar(select(Client).where(Client.id == user.client_id))


def accept(session: Session, checked: Checked, password: str) -> User | None:
    """Use the invitation link ``checked`` (checked and found open) to set the person's
    password; ``None`` when another request used the link first."""
    user, token = checked.user, checked.token
    assert user is not None and token is not None
    if not tokens.consume(session, token):
        return None
    user.password_hash = hash_password(password)
    audit.record(Kind.INVITATION_ACCEPTED, session=session, actor=user, client_id=user.client_id)
    return user


def renew(session: Session, email: str) -> Invitation | None:
    """A new link for the invitation of ``email`` if one is waiting and has expired: the
    person never set a password, may still use the portal, and their newest link is open but
    past its date. ``None`` otherwise (the page says the same either way)."""
    user = session.scalar(select(User).where(User.email == normalize_email(email)))
    token = None
    if user is not None and never_set_password(user):
        token = session.scalar(
            select(UserToken)
            .where(UserToken.user_id == user.id, *_open())
            .order_by(UserToken.created_at.desc(), UserToken.id.desc())
            .limit(1)
        )
    if (
        user is None
        or token is None
        or utcnow() < token.expires_at  # still open: the link they have works
        or access_refusal(user) is not None
        or not _close(session, token)
    ):
        equal_work()
        return None
    inviter = None
    if token.created_by_id is not None:
        inviter = session.scalar(select(User).where(User.id == token.created_by_id))
    invitation = _issued(session, user, inviter)
    audit.record(
        Kind.INVITATION_SENT,
        session=session,
        subject=user,
        client_id=user.client_id,
        detail="renewed: the invited person asked for a new link",
    )
    return invitation
