from __future__ import annotations

import datetime as dt
import enum
from typing import TYPE_CHECKING, Any

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String, false, true
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from timetracker.db import Base, UTCDateTime
from timetracker.models._common import utcnow

if TYPE_CHECKING:
    from timetracker.models.clients import Client


class Role(enum.StrEnum):
    ADMIN = "admin"
    USER = "user"


def normalize_email(email: str) -> str:
    return email.strip().lower()


class User(Base):
    __tablename__ = "users"
    __table_args__ = (
        # Emails are unique case-insensitively: they are stored lower-cased, and the database
        # refuses any other spelling.
        CheckConstraint("email = lower(email)", name="email_lowercase"),
        CheckConstraint("role IN ('admin', 'user')", name="role_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20), default=Role.USER)
    is_active: Mapped[bool] = mapped_column(default=True, server_default=true())
    last_login_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    #: Bumped when the password changes, which ends every other session of the user.
    session_version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    #: Grants the read-only client portal; such a user sees nothing internal.
    client_portal_enabled: Mapped[bool] = mapped_column(default=False, server_default=false())
    #: The client whose data the portal shows.
    client_id: Mapped[int | None] = mapped_column(
        ForeignKey("clients.id", ondelete="SET NULL"), index=True
    )
    #: Portal users may turn off the email sent when a new invoice is issued.
    invoice_emails_enabled: Mapped[bool] = mapped_column(default=True, server_default=true())

    client: Mapped[Client | None] = relationship(lazy="raise_on_sql")

    @validates("email")
    def _normalize_email(self, _key: str, value: str) -> str:
        return normalize_email(value)

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def is_client_portal_user(self) -> bool:
        """True when portal access is enabled and a client is assigned."""
        return bool(self.client_portal_enabled and self.client_id is not None)

    @property
    def is_staff(self) -> bool:
        """Staff use the internal workspace; portal users are confined to the portal."""
        return not self.client_portal_enabled

    def get_client_portal_data(self) -> dict[str, Any] | None:
        """All portal data of the user's client, or ``None`` without portal access.

        Returns ``{'client', 'projects', 'invoices', 'time_entries'}``: the client, its active
        projects, its invoices except drafts and the completed time entries of all its projects.
        """
        from timetracker.portal.scope import PortalScope

        if not self.is_client_portal_user:
            return None
        scope = PortalScope.for_user(self)
        if scope is None:
            return None
        return {
            "client": scope.client,
            "projects": scope.active_projects(),
            "invoices": scope.all_invoices(),
            "time_entries": scope.all_time_entries(),
        }

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
