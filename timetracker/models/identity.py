"""Identity records: the audit trail, single-use links, recovery codes and known browsers."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from timetracker.db import Base, UTCDateTime
from timetracker.models._common import utcnow


class AuditEvent(Base):
    """One thing someone did, and when. Append-only: the app inserts rows and never changes
    one; only the retention setting removes old rows (a bulk delete, see
    :mod:`timetracker.audit`). The ORM refuses an update or a delete of a loaded row.

    Who acted is kept twice: as a link (``actor_id``) for filtering and as the name and email
    they had at the time, so that the trail still reads right after a rename.
    """

    __tablename__ = "audit_events"
    __table_args__ = (
        Index("ix_audit_events_at_id", "at", "id"),
        Index("ix_audit_events_actor_at", "actor_id", "at"),
        Index("ix_audit_events_client_at", "client_id", "at"),
        Index("ix_audit_events_invoice_kind", "invoice_id", "kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: What happened: a value of :class:`timetracker.audit.Kind`.
    kind: Mapped[str] = mapped_column(String(40), index=True)
    #: Who did it (``None``: someone not signed in, e.g. a failed sign-in, or the system).
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    actor_name: Mapped[str | None] = mapped_column(String(200))
    actor_email: Mapped[str | None] = mapped_column(String(254))
    #: The account the event is about when it is not the actor's own (an invitation, a reset
    #: of someone's second factor, portal access granted to someone).
    subject_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    subject_email: Mapped[str | None] = mapped_column(String(254))
    #: The client whose data or contact the event concerns.
    client_id: Mapped[int | None] = mapped_column(ForeignKey("clients.id", ondelete="SET NULL"))
    invoice_id: Mapped[int | None] = mapped_column(ForeignKey("invoices.id", ondelete="SET NULL"))
    ip_address: Mapped[str | None] = mapped_column(String(45))
    user_agent: Mapped[str | None] = mapped_column(String(300))
    #: A short human-readable detail ("wrong password", "CSV of March 2026", ...).
    detail: Mapped[str | None] = mapped_column(Text)


class TokenPurpose(enum.StrEnum):
    INVITATION = "invitation"
    PASSWORD_RESET = "password_reset"  # noqa: S105 - an event name


class UserToken(Base):
    """A single-use link sent by email (an invitation, a password reset). Only the SHA-256 of
    the token is stored; the link holds the token itself."""

    __tablename__ = "user_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    purpose: Mapped[str] = mapped_column(String(20))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    #: Who sent it (the inviting administrator); ``None`` for a reset someone asked for.
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class RecoveryCode(Base):
    """One of the ten codes that stand in for the second factor once each (hashed)."""

    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class KnownBrowser(Base):
    """A browser a person has signed in from before (the hash of a random id kept in a
    long-lived cookie). A sign-in from a browser not listed here is emailed to the person."""

    __tablename__ = "known_browsers"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    browser_hash: Mapped[str] = mapped_column(String(64))
    first_seen_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    sign_ins: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
