from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String, Text, false, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from timetracker.db import Base, Money, UTCDateTime
from timetracker.models._common import utcnow

if TYPE_CHECKING:
    from timetracker.models.projects import Project


class Client(Base):
    __tablename__ = "clients"
    __table_args__ = (
        CheckConstraint("length(currency) = 3", name="currency_iso"),
        CheckConstraint(
            "publish_after_days IS NULL OR publish_after_days BETWEEN 1 AND 365",
            name="publish_after_days_range",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Unique across the firm; it is how staff tell clients apart.
    name: Mapped[str] = mapped_column(String(200), unique=True)
    contact_email: Mapped[str | None] = mapped_column(String(254))
    address: Mapped[str | None] = mapped_column(Text)
    #: ISO 4217 code used for this client's invoices.
    currency: Mapped[str] = mapped_column(String(3), default="EUR", server_default="EUR")
    default_hourly_rate: Mapped[Decimal] = mapped_column(Money, default=Decimal("0.00"))
    is_active: Mapped[bool] = mapped_column(default=True, server_default=true())
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    # Portal branding: all optional; the portal falls back to the client's name and its own
    # colours.
    #: The name the portal greets the client with (a brand name, say).
    portal_display_name: Mapped[str | None] = mapped_column(String(200))
    #: ``#RRGGBB``; validated by the form and again when the stylesheet is drawn.
    portal_accent_color: Mapped[str | None] = mapped_column(String(7))
    #: Shown on the portal dashboard.
    portal_welcome_message: Mapped[str | None] = mapped_column(Text)

    # What the client's contacts see (``portal/scope/visibility.py`` applies it to every page,
    # export and document of the portal). All shown unless an administrator hides them.
    #: Names of the staff who logged time, wrote notes and updates, or commented.
    portal_shows_staff_names: Mapped[bool] = mapped_column(default=True, server_default=true())
    #: The notes (descriptions) of time entries.
    portal_shows_entry_notes: Mapped[bool] = mapped_column(default=True, server_default=true())
    #: Hourly rates and billable amounts of time and projects (invoices keep their totals).
    portal_shows_amounts: Mapped[bool] = mapped_column(default=True, server_default=true())
    #: The time entries themselves (lists, CSV, recent activity).
    portal_shows_time_entries: Mapped[bool] = mapped_column(default=True, server_default=true())
    #: Shared documents.
    portal_shows_documents: Mapped[bool] = mapped_column(default=True, server_default=true())
    #: Whether this client's invoice PDFs end with the list of the time entries they bill.
    invoice_time_appendix: Mapped[bool] = mapped_column(default=False, server_default=false())

    # The publish gate (``billing/publication.py``): when set, the client's contacts see a time
    # entry once staff approved it, once it is on an invoice, or ``publish_after_days`` after it
    # ended, whichever comes first.
    #: Whether time waits for approval before the client sees it.
    time_requires_approval: Mapped[bool] = mapped_column(default=False, server_default=false())
    #: Days after which unapproved time is shown anyway (``None``: only approval shows it).
    publish_after_days: Mapped[int | None] = mapped_column(Integer)

    #: The client's tax identification (VAT ID), printed on its invoices.
    vat_id: Mapped[str | None] = mapped_column(String(32))
    #: The language of the PDFs and emails sent to the client (``None``: the firm's).
    document_language: Mapped[str | None] = mapped_column(String(8))
    #: The client's logo in its portal (an uploaded, validated image).
    portal_logo_id: Mapped[int | None] = mapped_column(ForeignKey("logos.id", ondelete="SET NULL"))

    projects: Mapped[list[Project]] = relationship(
        back_populates="client", order_by="Project.name", lazy="raise_on_sql"
    )

    @property
    def portal_name(self) -> str:
        return self.portal_display_name or self.name

    def __repr__(self) -> str:
        return f"<Client {self.id} {self.name!r}>"
