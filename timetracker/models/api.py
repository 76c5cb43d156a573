"""Reaching the app from other programs: personal access tokens, webhooks and calendar feeds.

A token is shown once; only its SHA-256 is kept, with a short prefix to find it by. Webhook
deliveries are queued rows, sent and retried by the background jobs, and kept with the answer
the receiver gave.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, Text, true
from sqlalchemy.orm import Mapped, mapped_column

from timetracker.db import Base, UTCDateTime
from timetracker.models._common import utcnow


class ApiToken(Base):
    """A personal access token: ``Authorization: Bearer <token>``."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    #: The owner's label ("Accounting export").
    name: Mapped[str] = mapped_column(String(100))
    #: The token's first characters, shown in lists and used to find the row.
    prefix: Mapped[str] = mapped_column(String(16), index=True)
    #: SHA-256 (hex) of the whole token; the token itself is never stored.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    #: Space-separated scopes: ``portal:read``, ``time:read``, ``time:write``, ``projects:read``.
    scopes: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: ``None``: does not expire.
    expires_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    last_used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    last_used_ip: Mapped[str | None] = mapped_column(String(45))
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class WebhookEndpoint(Base):
    """An HTTPS address an administrator registered to be told of events."""

    __tablename__ = "webhook_endpoints"

    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(String(2000))
    description: Mapped[str | None] = mapped_column(String(200))
    #: The key deliveries are signed with (HMAC-SHA256), shown to the administrator.
    secret: Mapped[str] = mapped_column(String(100))
    #: Space-separated event names: ``invoice.sent``, ``invoice.paid``, ``time_entry.created``.
    events: Mapped[str] = mapped_column(String(200))
    is_active: Mapped[bool] = mapped_column(default=True, server_default=true())
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: Deliveries that failed in a row (every retry given up); reset by a success.
    consecutive_failures: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    #: Set when the endpoint was turned off for failing, with the reason.
    disabled_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    disabled_reason: Mapped[str | None] = mapped_column(String(500))


class WebhookDelivery(Base):
    """One event to one endpoint, with its attempts and the last answer."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        CheckConstraint("status IN ('pending', 'delivered', 'failed')", name="status_known"),
        Index("ix_webhook_deliveries_endpoint_created", "endpoint_id", "created_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    endpoint_id: Mapped[int] = mapped_column(ForeignKey("webhook_endpoints.id", ondelete="CASCADE"))
    event: Mapped[str] = mapped_column(String(50))
    #: Unique per event; sent in a header so a receiver can drop duplicates.
    event_id: Mapped[str] = mapped_column(String(36))
    #: The JSON body, exactly as signed and sent.
    payload: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    status: Mapped[str] = mapped_column(String(10), default="pending", server_default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    next_attempt_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    last_attempt_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    response_status: Mapped[int | None] = mapped_column(Integer)
    #: The start of the receiver's answer (or the error when there was none).
    response_body: Mapped[str | None] = mapped_column(Text)
    error: Mapped[str | None] = mapped_column(String(500))
