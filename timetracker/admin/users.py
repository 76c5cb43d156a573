"""Operations on user accounts for the admin pages."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from timetracker.audit.accounts import portal_client_of, record_access_change, record_activation
from timetracker.auth.passwords import hash_password, password_problem
from timetracker.auth.sessions import revoke
from timetracker.i18n import N_
from timetracker.models import Client, Role, User
from timetracker.models.users import STAFF_ROLES, normalize_email
from timetracker.pagination import Page, PageRequest
from timetracker.parsing import parse_id


class UserFormError(ValueError):
    """Input the user form refuses; ``field`` names the field to show it on."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


PORTAL_NEEDS_CLIENT = N_("Select a client to enable client portal access.")


def user_page(session: Session, request: PageRequest) -> Page[tuple[User, str | None]]:
    """Users with the name of their portal client, in one query per page."""
    total = session.scalar(select(func.count(User.id))) or 0
    request = request.clamp(total)
    rows = session.execute(
        select(User, Client.name)
        .outerjoin(Client, Client.id == User.client_id)
        .order_by(User.name, User.id)
        .limit(request.size)
        .offset(request.offset)
    ).all()
    return Page([(u, c) for u, c in rows], total, request.number, request.size)


def active_clients(session: Session) -> list[Client]:
    return list(session.scalars(select(Client).where(Client.is_active).order_by(Client.name)))


def apply_user_form(
    session: Session,
    user: User,
    *,
    name: str,
    email: str,
    role: str | None,
    is_active: bool,
    password: str | None,
    portal_enabled: bool,
    client_id: str | None,
    acting_admin: User,
) -> None:
    """Validate and apply the admin's changes to ``user``; raises :class:`UserFormError`.

    The role follows from the form like this (the seed's steps, with roles stored):

    * "Enable Client Portal" ticked with a client: the user becomes a contact of that client.
    * Unticked on a client contact (or on an account without access): the user keeps no access
      at all (``none``); being made staff again is a separate action (:func:`make_staff`).
    * Unticked on staff or an administrator, or on a new user: ``role`` (Staff or Administrator)
      applies. ``role`` is ``None`` when the form offered no role select.
    """
    email = normalize_email(email)
    clash = session.scalar(select(User.id).where(User.email == email, User.id != user.id))
    if clash is not None:
        raise UserFormError("email", _("Another user already has this email address."))
    new_user = user.id is None
    offers_role = new_user or user.is_staff
    if offers_role and not portal_enabled and role not in STAFF_ROLES:
        raise UserFormError("role", _("Choose Staff or Administrator."))
    if user.id is not None and user.id == acting_admin.id:
        if role != Role.ADMIN:
            raise UserFormError("role", _("You cannot remove your own administrator role."))
        if not is_active:
            raise UserFormError("is_active", _("You cannot deactivate your own account."))
        if portal_enabled:
            raise UserFormError(
                "client_portal_enabled",
                _("You cannot turn your own account into a portal account."),
            )
    client: Client | None = None
    if portal_enabled:
        if not client_id:
            raise UserFormError("client_id", _(PORTAL_NEEDS_CLIENT))
        client_number = parse_id(client_id)
        if client_number is None:
            raise UserFormError("client_id", _("Choose a client from the list."))
        client = session.scalar(select(Client).where(Client.id == client_number))
        if client is None or not client.is_active:
            raise UserFormError("client_id", _("Choose an active client from the list."))
        if offers_role and role == Role.ADMIN:
            raise UserFormError(
                "role", _("Portal users see only their client's data; make this user Staff.")
            )
    elif client_id and parse_id(client_id) is None:
        raise UserFormError("client_id", _("Choose a client from the list."))
    if new_user and not password:
        raise UserFormError("password", _("Set a password for the new user."))
    if password:
        problem = password_problem(password)
        if problem:
            raise UserFormError("password", problem)

    was_active = bool(user.is_active) and not new_user
    old_client_id = portal_client_of(user)
    user.name = name.strip()
    user.email = email
    user.is_active = is_active
    if password:
        user.password_hash = hash_password(password)
        if not new_user:
            user.session_version = (user.session_version or 1) + 1
    if client is not None:
        user.make_client_contact(client.id)
    elif offers_role and role is not None:  # checked above: Staff or Administrator
        user.make_staff(Role(role))
    else:
        # A contact whose portal box was unticked: portal access ends, nothing else is granted.
        user.revoke_portal()
    session.add(user)
    session.flush()
    if was_active and not is_active:
        revoke(session, user)
    record_access_change(session, acting_admin, user, old_client_id)
    record_activation(session, acting_admin, user, None if new_user else was_active)


def set_active(session: Session, user: User, active: bool) -> None:
    """(De)activate ``user``. Deactivation ends every session of theirs for good, so that
    reactivation does not revive a cookie from before."""
    was_active = bool(user.is_active)
    user.is_active = active
    if not active:
        revoke(session, user)
    record_activation(session, None, user, was_active)


ONLY_WITHOUT_ACCESS = N_(
    "Only an account without access can be made staff here; "
    "take a client contact's portal access away first."
)


def make_staff(session: Session, user: User) -> None:
    """Give an account without access (a former client contact) staff access: the separate,
    confirmed action that unticking "Enable Client Portal" deliberately does not take."""
    if user.role != Role.NONE:
        raise ValueError(ONLY_WITHOUT_ACCESS)
    user.make_staff(Role.STAFF)
    session.flush()
