"""Small factories: one call builds a valid object; keyword arguments override any field."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal
from functools import cache
from typing import Any

from sqlalchemy.orm import Session

from timetracker.auth.passwords import hash_password
from timetracker.billing.rules import line_amount, tax_for
from timetracker.models import (
    Client,
    Invoice,
    InvoiceItem,
    InvoiceStatus,
    Payment,
    Project,
    Role,
    TimeEntry,
    User,
)

PASSWORD = "correct-horse-42"
_seq = itertools.count(1)


@cache
def password_hash() -> str:
    return hash_password(PASSWORD)


def _n() -> int:
    return next(_seq)


def make_client(session: Session, **kw: Any) -> Client:
    n = _n()
    values: dict[str, Any] = {
        "name": f"Client {n}",
        "contact_email": f"client{n}@example.com",
        "currency": "EUR",
        "default_hourly_rate": Decimal("100.00"),
    }
    values.update(kw)
    client = Client(**values)
    session.add(client)
    session.flush()
    return client


def make_project(session: Session, client: Client | None = None, **kw: Any) -> Project:
    client = client or make_client(session)
    values: dict[str, Any] = {"name": f"Project {_n()}", "client_id": client.id}
    values.update(kw)
    project = Project(**values)
    session.add(project)
    session.flush()
    return project


def make_user(session: Session, **kw: Any) -> User:
    n = _n()
    values: dict[str, Any] = {
        "email": f"user{n}@example.com",
        "name": f"User {n}",
        "password_hash": password_hash(),
        "role": Role.STAFF,
    }
    values.update(kw)
    user = User(**values)
    session.add(user)
    session.flush()
    return user


def make_admin(session: Session, **kw: Any) -> User:
    return make_user(session, role=Role.ADMIN, **kw)


def make_portal_user(session: Session, client: Client, **kw: Any) -> User:
    return make_user(
        session, role=Role.CLIENT, client_portal_enabled=True, client_id=client.id, **kw
    )


def make_no_access_user(session: Session, **kw: Any) -> User:
    """An account without access: a contact whose portal access was taken away."""
    return make_user(session, role=Role.NONE, **kw)


def make_entry(
    session: Session,
    project: Project,
    user: User | None = None,
    *,
    start: dt.datetime | None = None,
    minutes: int | None = 60,
    **kw: Any,
) -> TimeEntry:
    user = user or make_user(session)
    start = start or dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
    values: dict[str, Any] = {
        "user_id": user.id,
        "project_id": project.id,
        "start_time": start,
        "notes": f"Task {_n()}",
        "billable": True,
    }
    values.update(kw)
    entry = TimeEntry(**values)
    if minutes is not None:
        entry.stop(start + dt.timedelta(minutes=minutes))
    session.add(entry)
    session.flush()
    return entry


def make_invoice(
    session: Session,
    client: Client,
    *,
    status: str = InvoiceStatus.SENT,
    items: list[tuple[str, str, str]] | None = None,
    paid: str | None = None,
    issue_date: dt.date = dt.date(2026, 3, 1),
    due_date: dt.date | None = None,
    tax_rate: str = "20.00",
    **kw: Any,
) -> Invoice:
    """An invoice with ``items`` as (description, quantity, unit price) and payments of ``paid``."""
    items = items if items is not None else [("Consulting", "10", "100.00")]
    invoice = Invoice(
        number=kw.pop("number", f"T-{_n():06d}"),
        client_id=client.id,
        issue_date=issue_date,
        due_date=due_date or issue_date + dt.timedelta(days=30),
        status=status,
        currency=client.currency,
        tax_rate=Decimal(tax_rate),
        **kw,
    )
    lines = [
        InvoiceItem(
            position=i,
            description=d,
            quantity=Decimal(q),
            unit_price=Decimal(p),
            amount=line_amount(Decimal(q), Decimal(p)),
        )
        for i, (d, q, p) in enumerate(items)
    ]
    invoice.subtotal = sum((line.amount for line in lines), Decimal("0.00"))
    invoice.tax_amount = tax_for(invoice.subtotal, invoice.tax_rate)
    invoice.total = invoice.subtotal + invoice.tax_amount
    invoice.amount_paid = Decimal(paid) if paid else Decimal("0.00")
    invoice.items = lines
    invoice.payments = []
    if paid:
        invoice.payments = [Payment(amount=Decimal(paid), paid_on=issue_date, method="Bank")]
    session.add(invoice)
    session.flush()
    return invoice
