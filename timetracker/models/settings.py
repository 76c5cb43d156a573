from __future__ import annotations

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column

from timetracker.db import Base


class Settings(Base):
    """The firm's settings: exactly one row, id 1."""

    __tablename__ = "settings"
    __table_args__ = (
        CheckConstraint("id = 1", name="single_row"),
        CheckConstraint(
            "require_two_factor IN ('none', 'staff', 'clients', 'all')",
            name="require_two_factor_known",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True, default=1)
    company_name: Mapped[str] = mapped_column(String(200), default="My Company")
    company_address: Mapped[str | None] = mapped_column(Text)
    company_email: Mapped[str | None] = mapped_column(String(254))
    currency: Mapped[str] = mapped_column(String(3), default="EUR")
    #: IANA zone in which people type and read dates.
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    locale: Mapped[str] = mapped_column(String(16), default="en_US", server_default="en_US")
    invoice_prefix: Mapped[str] = mapped_column(String(20), default="INV-")
    payment_terms_days: Mapped[int] = mapped_column(Integer, default=30)
    default_tax_rate: Mapped[str] = mapped_column(String(8), default="0", server_default="0")
    #: Invoice quantities are rounded up to this many minutes (0: exact to the hundredth hour).
    invoice_rounding_minutes: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    #: Who must sign in with a second factor: ``none``, ``staff``, ``clients`` or ``all``.
    require_two_factor: Mapped[str] = mapped_column(
        String(10), default="none", server_default="none"
    )
    quote_prefix: Mapped[str] = mapped_column(String(20), default="Q-", server_default="Q-")
    #: Days a new quote is valid for.
    quote_validity_days: Mapped[int] = mapped_column(Integer, default=30, server_default="30")
    #: Bank details printed on invoices and in the portal (IBAN and BIC validated on input).
    bank_account_holder: Mapped[str | None] = mapped_column(String(200))
    bank_name: Mapped[str | None] = mapped_column(String(200))
    bank_iban: Mapped[str | None] = mapped_column(String(34))
    bank_bic: Mapped[str | None] = mapped_column(String(11))
    #: Audit events older than this many days are removed (0: kept for ever).
    audit_retention_days: Mapped[int] = mapped_column(Integer, default=730, server_default="730")
    #: Largest file that may be uploaded as a shared document, in megabytes.
    document_max_mb: Mapped[int] = mapped_column(Integer, default=25, server_default="25")
    #: Storage each client's documents may take, all versions counted, in megabytes (0: no limit).
    document_quota_mb: Mapped[int] = mapped_column(Integer, default=1024, server_default="1024")
    #: Whether client contacts may upload documents to their own projects.
    clients_may_upload: Mapped[bool] = mapped_column(default=False, server_default=false())
    #: Whether budget alerts (75, 90, 100 %) are emailed to the client's contacts too (the
    #: project's staff always get them).
    budget_alerts_to_clients: Mapped[bool] = mapped_column(default=False, server_default=false())
    #: The firm's tax identification (VAT ID), printed on invoices.
    vat_id: Mapped[str | None] = mapped_column(String(32))
    #: Registration details printed at the foot of invoices (register, number, directors).
    registration_details: Mapped[str | None] = mapped_column(Text)
    #: The firm's logo on invoices and in the workspace (an uploaded, validated image).
    logo_id: Mapped[int | None] = mapped_column(ForeignKey("logos.id", ondelete="SET NULL"))
