"""Quotes (estimates) a client accepts or declines in the portal, and what a client tells the
firm about a payment it sent."""

from __future__ import annotations

import datetime as dt
import enum
from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from timetracker.db import Base, Hours, Money, Rate, UTCDateTime
from timetracker.models._common import utcnow

if TYPE_CHECKING:
    from timetracker.models.clients import Client
    from timetracker.models.projects import Project

ZERO = Decimal("0.00")


class QuoteStatus(enum.StrEnum):
    """The stored states. "Expired" is derived (sent, and the validity date has passed in the
    firm's timezone), like an invoice's "overdue"; it is never stored."""

    DRAFT = "draft"
    SENT = "sent"
    ACCEPTED = "accepted"
    DECLINED = "declined"


class Quote(Base):
    __tablename__ = "quotes"
    __table_args__ = (
        CheckConstraint("status IN ('draft', 'sent', 'accepted', 'declined')", name="status_known"),
        CheckConstraint("tax_rate >= 0 AND tax_rate <= 100", name="tax_rate_range"),
        Index("ix_quotes_client_id_status_valid_until", "client_id", "status", "valid_until"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(40), unique=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id", ondelete="RESTRICT"))
    project_id: Mapped[int | None] = mapped_column(
        ForeignKey("projects.id", ondelete="SET NULL"), index=True
    )
    title: Mapped[str] = mapped_column(String(200))
    issue_date: Mapped[dt.date] = mapped_column(Date)
    valid_until: Mapped[dt.date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default=QuoteStatus.DRAFT)
    currency: Mapped[str] = mapped_column(String(3))
    tax_rate: Mapped[Decimal] = mapped_column(Rate, default=ZERO)
    subtotal: Mapped[Decimal] = mapped_column(Money, default=ZERO)
    tax_amount: Mapped[Decimal] = mapped_column(Money, default=ZERO)
    total: Mapped[Decimal] = mapped_column(Money, default=ZERO)
    notes: Mapped[str | None] = mapped_column(Text)
    #: The terms the client accepts by ticking the box (shown with the quote).
    terms: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    #: The client contact's answer (accepted or declined); immutable once set.
    answered_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: For an acceptance: the full name the contact typed as their signature.
    answered_by_name: Mapped[str | None] = mapped_column(String(200))
    answer_ip_address: Mapped[str | None] = mapped_column(String(45))
    answer_user_agent: Mapped[str | None] = mapped_column(String(300))
    decline_reason: Mapped[str | None] = mapped_column(Text)

    #: What staff made of an accepted quote (each at most once).
    converted_project_id: Mapped[int | None] = mapped_column(
        ForeignKey("projects.id", ondelete="SET NULL")
    )
    converted_invoice_id: Mapped[int | None] = mapped_column(
        ForeignKey("invoices.id", ondelete="SET NULL")
    )

    client: Mapped[Client] = relationship(lazy="raise_on_sql")
    project: Mapped[Project | None] = relationship(lazy="raise_on_sql", foreign_keys=[project_id])
    items: Mapped[list[QuoteItem]] = relationship(
        back_populates="quote",
        order_by="QuoteItem.position, QuoteItem.id",
        cascade="all, delete-orphan",
        lazy="raise_on_sql",
    )

    @property
    def is_editable(self) -> bool:
        return self.status == QuoteStatus.DRAFT

    def __repr__(self) -> str:
        return f"<Quote {self.id} {self.number}>"


class QuoteItem(Base):
    __tablename__ = "quote_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    quote_id: Mapped[int] = mapped_column(ForeignKey("quotes.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    description: Mapped[str] = mapped_column(Text)
    quantity: Mapped[Decimal] = mapped_column(Hours)
    unit_price: Mapped[Decimal] = mapped_column(Money)
    #: quantity × unit price, rounded half-up to cents (billing.rules, like invoice lines).
    amount: Mapped[Decimal] = mapped_column(Money)

    quote: Mapped[Quote] = relationship(back_populates="items", lazy="raise_on_sql")


class QuoteSequence(Base):
    """The last quote number handed out per year; incremented atomically."""

    __tablename__ = "quote_sequences"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last_number: Mapped[int] = mapped_column(Integer, default=0)


class PaymentNotice(Base):
    """A client contact's "Payment sent" for an invoice: recorded and shown to staff, never a
    payment (the balance changes only when staff record the money as received)."""

    __tablename__ = "payment_notices"

    id: Mapped[int] = mapped_column(primary_key=True)
    invoice_id: Mapped[int] = mapped_column(
        ForeignKey("invoices.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    user_name: Mapped[str] = mapped_column(String(200))
    paid_on: Mapped[dt.date] = mapped_column(Date)
    reference: Mapped[str | None] = mapped_column(String(140))
    ip_address: Mapped[str | None] = mapped_column(String(45))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: A random key of the form the notice came from: a double submission writes one row.
    submission_key: Mapped[str] = mapped_column(String(64), unique=True)
