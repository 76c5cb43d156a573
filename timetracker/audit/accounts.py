"""Events of an administrator's changes to an account: portal access granted or taken away,
and the account deactivated or activated. The admin operations call these with what the account
was before, once the change is applied and flushed (so that a new account has an id)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from timetracker.audit import Kind, record
from timetracker.models import User


def portal_client_of(user: User) -> int | None:
    """The client whose portal ``user`` may open (``None``: no portal access)."""
    return user.client_id if user.is_client_contact else None


def record_access_change(
    session: Session, actor: User | None, user: User, old_client_id: int | None
) -> None:
    """Portal access granted or taken away, when :func:`portal_client_of` changed from
    ``old_client_id``. Moving a contact to another client takes access to the first away and
    grants the second. ``actor`` ``None``: the signed-in administrator."""
    new_client_id = portal_client_of(user)
    if old_client_id == new_client_id:
        return
    if old_client_id is not None:
        _record(session, Kind.PORTAL_ACCESS_REMOVED, actor, user, old_client_id)
    if new_client_id is not None:
        _record(session, Kind.PORTAL_ACCESS_GRANTED, actor, user, new_client_id)


def record_activation(
    session: Session, actor: User | None, user: User, was_active: bool | None
) -> None:
    """The account deactivated or activated, when that changed (``was_active`` ``None``: a
    new account, which records neither)."""
    if was_active is None or was_active == bool(user.is_active):
        return
    kind = Kind.USER_ACTIVATED if user.is_active else Kind.USER_DEACTIVATED
    _record(session, kind, actor, user, user.client_id)


def _record(
    session: Session, kind: Kind, actor: User | None, user: User, client_id: int | None
) -> None:
    record(kind, session, actor=actor, subject=user, client_id=client_id)
