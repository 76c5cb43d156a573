from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    Connection,
    ForeignKey,
    Integer,
    String,
    event,
    false,
    true,
    update,
)
from sqlalchemy.orm import Mapped, Mapper, mapped_column, relationship, validates

from timetracker.db import Base, UTCDateTime
from timetracker.models._common import utcnow
from timetracker.models.clients import Client


class Role(enum.StrEnum):
    """What an account may open. Stored in ``users.role``; nothing derives it.

    ``client`` is a contact of one client (``client_id``), confined to that client's portal and
    their account page. ``none`` is an account with no access at all: a contact whose portal
    access was taken away stays ``none`` until an administrator makes them staff explicitly.
    """

    ADMIN = "admin"
    STAFF = "staff"
    CLIENT = "client"
    NONE = "none"


#: Roles that use the internal workspace.
STAFF_ROLES = (Role.ADMIN, Role.STAFF)

ROLE_LABELS: dict[str, str] = {
    Role.ADMIN: "Administrator",
    Role.STAFF: "Staff",
    Role.CLIENT: "Client contact",
    Role.NONE: "No access",
}


def normalize_email(email: str) -> str:
    return email.strip().lower()


class User(Base):
    __tablename__ = "users"
    __table_args__ = (
        # Emails are unique case-insensitively: they are stored lower-cased, and the database
        # refuses any other spelling.
        CheckConstraint("email = lower(email)", name="email_lowercase"),
        CheckConstraint("role IN ('admin', 'staff', 'client', 'none')", name="role_known"),
        # A client contact belongs to a client and has the portal; nobody else has either, so
        # a portal user is never an administrator and staff are never tied to a client.
        CheckConstraint(
            "(role = 'client' AND client_id IS NOT NULL AND client_portal_enabled)"
            " OR (role <> 'client' AND client_id IS NULL AND NOT client_portal_enabled)",
            name="role_client_link",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(255))
    #: Deny by default: an account created without a role has no access.
    role: Mapped[str] = mapped_column(String(20), default=Role.NONE)
    is_active: Mapped[bool] = mapped_column(default=True, server_default=true())
    last_login_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    #: Bumped when the password changes or the account (or its client) is deactivated, which
    #: ends sessions of the user (see auth/sessions.py).
    session_version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    #: True exactly for client contacts (a CHECK constraint ties it to ``role``).
    client_portal_enabled: Mapped[bool] = mapped_column(default=False, server_default=false())
    #: The client whose data the portal shows; set exactly for client contacts.
    client_id: Mapped[int | None] = mapped_column(
        ForeignKey("clients.id", ondelete="SET NULL"), index=True
    )
    #: Portal users may turn off the email sent when a new invoice is issued.
    invoice_emails_enabled: Mapped[bool] = mapped_column(default=True, server_default=true())

    #: The language the person reads the app and their emails in (``timetracker.i18n``;
    #: ``None``: the browser's language on pages, the firm's or their client's in emails).
    language: Mapped[str | None] = mapped_column(String(8))

    #: The base32 secret of the person's authenticator app while two-factor sign-in is on (or
    #: being set up: then ``totp_enabled_at`` is still ``None``).
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_enabled_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    #: The time step of the last code accepted: a code is never accepted twice.
    totp_last_step: Mapped[int | None] = mapped_column(Integer)
    #: SHA-256 (hex) of the secret in the person's calendar feed address (``None``: no feed).
    calendar_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)

    client: Mapped[Client | None] = relationship(lazy="raise_on_sql")

    @validates("email")
    def _normalize_email(self, _key: str, value: str) -> str:
        return normalize_email(value)

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def is_staff(self) -> bool:
        """Staff and administrators use the internal workspace; nobody else does."""
        return self.role in STAFF_ROLES

    @property
    def is_client_contact(self) -> bool:
        """A contact of a client: confined to that client's portal and their account page."""
        return self.role == Role.CLIENT

    @property
    def has_two_factor(self) -> bool:
        return self.totp_enabled_at is not None and self.totp_secret is not None

    @property
    def has_no_access(self) -> bool:
        return self.role == Role.NONE

    @property
    def role_label(self) -> str:
        return ROLE_LABELS.get(self.role, self.role)

    @property
    def is_client_portal_user(self) -> bool:
        """True when portal access is enabled and a client is assigned."""
        return bool(self.client_portal_enabled and self.client_id is not None)

    def make_client_contact(self, client_id: int) -> None:
        self.role = Role.CLIENT
        self.client_portal_enabled = True
        self.client_id = client_id

    def revoke_portal(self) -> None:
        """Take portal access away and grant nothing else: the account keeps no access."""
        self.role = Role.NONE
        self.client_portal_enabled = False
        self.client_id = None

    def make_staff(self, role: Role = Role.STAFF) -> None:
        if role not in STAFF_ROLES:
            raise ValueError(f"not a staff role: {role!r}")
        self.role = role
        self.client_portal_enabled = False
        self.client_id = None

    def get_client_portal_data(self) -> dict[str, Any] | None:
        """All portal data of the user's client, or ``None`` without portal access.

        Returns ``{'client', 'projects', 'invoices', 'time_entries'}``: the client, its active
        projects, its invoices except drafts and the completed time entries of all its projects,
        as its portal shows them (``PortalScope.portal_data``: the client's visibility settings
        apply).
        """
        from timetracker.portal.scope import PortalScope

        if not self.is_client_portal_user:
            return None
        scope = PortalScope.for_user(self)
        if scope is None:
            return None
        return scope.portal_data()

    # Flask-Login protocol -------------------------------------------------------------------
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email!r}>"


@event.listens_for(Client, "before_delete")
def _revoke_contacts_of_deleted_client(
    _mapper: Mapper[Client], connection: Connection, target: Client
) -> None:
    """The foreign key sets ``client_id`` to NULL when a client is deleted, which the CHECK
    constraint refuses for a contact: the ORM first takes the contacts' access away (they become
    ``none``; their sessions end)."""
    connection.execute(
        update(User)
        .where(User.client_id == target.id)
        .values(
            role=Role.NONE,
            client_portal_enabled=False,
            client_id=None,
            session_version=User.session_version + 1,
        )
    )
