from __future__ import annotations

import datetime as dt
import enum
from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from timetracker.db import Base, Hours, Money, Rate, UTCDateTime
from timetracker.models._common import utcnow

if TYPE_CHECKING:
    from timetracker.models.clients import Client
    from timetracker.models.projects import Project


class InvoiceStatus(enum.StrEnum):
    DRAFT = "draft"
    SENT = "sent"
    PAID = "paid"
    CANCELLED = "cancelled"


ZERO = Decimal("0.00")


class Invoice(Base):
    __tablename__ = "invoices"
    __table_args__ = (
        CheckConstraint("status IN ('draft', 'sent', 'paid', 'cancelled')", name="status_known"),
        CheckConstraint("tax_rate >= 0 AND tax_rate <= 100", name="tax_rate_range"),
        # The portal's counts and totals by status read the amounts from the index alone.
        Index(
            "ix_invoices_client_id_status_due_date_amounts",
            "client_id",
            "status",
            "due_date",
            "currency",
            "total",
            "amount_paid",
        ),
        Index("ix_invoices_client_id_issue_date", "client_id", "issue_date"),
        # The staff's list of every client's invoices, newest first, a page at a time.
        Index("ix_invoices_issue_date_id", "issue_date", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(40), unique=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id", ondelete="RESTRICT"))
    project_id: Mapped[int | None] = mapped_column(
        ForeignKey("projects.id", ondelete="SET NULL"), index=True
    )
    issue_date: Mapped[dt.date] = mapped_column(Date)
    due_date: Mapped[dt.date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default=InvoiceStatus.DRAFT)
    currency: Mapped[str] = mapped_column(String(3))
    tax_rate: Mapped[Decimal] = mapped_column(Rate, default=ZERO)
    #: Kept equal to the sum of the items' amounts by ``billing.invoicing``; balances and
    #: states are derived in ``billing.states``.
    subtotal: Mapped[Decimal] = mapped_column(Money, default=ZERO)
    tax_amount: Mapped[Decimal] = mapped_column(Money, default=ZERO)
    total: Mapped[Decimal] = mapped_column(Money, default=ZERO)
    #: Kept equal to the sum of the payments, so that "unpaid" is a plain SQL filter.
    amount_paid: Mapped[Decimal] = mapped_column(Money, default=ZERO)
    notes: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    #: Issued with "Mark as sent without emailing" (the send dialog's other button).
    sent_without_email: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    paid_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    client: Mapped[Client] = relationship(lazy="raise_on_sql")
    project: Mapped[Project | None] = relationship(lazy="raise_on_sql")
    items: Mapped[list[InvoiceItem]] = relationship(
        back_populates="invoice",
        order_by="InvoiceItem.position, InvoiceItem.id",
        cascade="all, delete-orphan",
        lazy="raise_on_sql",
    )
    payments: Mapped[list[Payment]] = relationship(
        back_populates="invoice",
        order_by="Payment.paid_on, Payment.id",
        cascade="all, delete-orphan",
        lazy="raise_on_sql",
    )

    @property
    def is_editable(self) -> bool:
        return self.status == InvoiceStatus.DRAFT

    def __repr__(self) -> str:
        return f"<Invoice {self.id} {self.number}>"


class InvoiceItem(Base):
    __tablename__ = "invoice_items"
    __table_args__ = (
        CheckConstraint(
            "(period_start IS NULL AND period_end IS NULL)"
            " OR (period_start IS NOT NULL AND period_end >= period_start)",
            name="service_period",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    invoice_id: Mapped[int] = mapped_column(
        ForeignKey("invoices.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)
    description: Mapped[str] = mapped_column(Text)
    quantity: Mapped[Decimal] = mapped_column(Hours)
    unit_price: Mapped[Decimal] = mapped_column(Money)
    #: quantity × unit price, rounded half-up to cents.
    amount: Mapped[Decimal] = mapped_column(Money)
    #: What the quantity counts ("hours" for time; ``None`` for a plain quantity).
    unit: Mapped[str | None] = mapped_column(String(20))
    #: The service period the line bills, first and last day (both or neither).
    period_start: Mapped[dt.date | None] = mapped_column(Date)
    period_end: Mapped[dt.date | None] = mapped_column(Date)

    invoice: Mapped[Invoice] = relationship(back_populates="items", lazy="raise_on_sql")


class Payment(Base):
    __tablename__ = "payments"
    __table_args__ = (CheckConstraint("amount > 0", name="amount_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    invoice_id: Mapped[int] = mapped_column(
        ForeignKey("invoices.id", ondelete="CASCADE"), index=True
    )
    amount: Mapped[Decimal] = mapped_column(Money)
    paid_on: Mapped[dt.date] = mapped_column(Date)
    method: Mapped[str | None] = mapped_column(String(50))
    reference: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    invoice: Mapped[Invoice] = relationship(back_populates="payments", lazy="raise_on_sql")


class InvoiceSequence(Base):
    """The last invoice number handed out per year; incremented atomically."""

    __tablename__ = "invoice_sequences"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last_number: Mapped[int] = mapped_column(Integer, default=0)


class EmailDelivery(Base):
    """One attempt-tracked email about an invoice to one recipient."""

    __tablename__ = "email_deliveries"
    __table_args__ = (Index("ix_email_deliveries_send_key", "invoice_id", "send_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    invoice_id: Mapped[int] = mapped_column(
        ForeignKey("invoices.id", ondelete="CASCADE"), index=True
    )
    recipient: Mapped[str] = mapped_column(String(254))
    #: The subject the email was sent with (the send dialog lets staff change it).
    subject: Mapped[str | None] = mapped_column(String(300))
    #: The cover message written in the send dialog (``None`` for the automatic email).
    message: Mapped[str | None] = mapped_column(Text)
    #: The key of the send dialog's form that queued it: a second submission of the same form
    #: finds it and sends nothing again (``None`` for the automatic email).
    send_key: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(20), default="queued")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
