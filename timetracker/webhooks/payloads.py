"""The JSON bodies of deliveries: ``{"id", "type", "created_at", "data"}``.

Amounts are strings with two decimals and hours too (the billing package's figures, never
floats); dates are ISO 8601 (``YYYY-MM-DD``), times ISO 8601 in UTC. The body is written once
per event and stored on each delivery exactly as it is signed and sent.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from timetracker.billing import rules, states
from timetracker.models import Client, Invoice, Project, TimeEntry, User


def _money(value: Decimal) -> str:
    return f"{rules.to_cents(value):.2f}"


def _time(value: dt.datetime | None) -> str | None:
    if value is None:
        return None
    return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def envelope(event_id: str, event: str, created_at: dt.datetime, data: dict[str, Any]) -> str:
    """The body: compact JSON with the keys in a fixed order."""
    body = {"id": event_id, "type": event, "created_at": _time(created_at), "data": data}
    return json.dumps(body, ensure_ascii=False, separators=(",", ":"))


def invoice_data(session: Session, invoice: Invoice) -> dict[str, Any]:
    client = session.execute(
        select(Client.id, Client.name).where(Client.id == invoice.client_id)
    ).one()
    return {
        "invoice": {
            "id": invoice.id,
            "number": invoice.number,
            "client": {"id": client.id, "name": client.name},
            "status": str(invoice.status),
            "currency": invoice.currency,
            "total": _money(invoice.total),
            "amount_paid": _money(invoice.amount_paid),
            "balance": _money(states.balance(invoice)),
            "issue_date": invoice.issue_date.isoformat(),
            "due_date": invoice.due_date.isoformat(),
            "sent_at": _time(invoice.sent_at),
            "paid_at": _time(invoice.paid_at),
        }
    }


def time_entry_data(session: Session, entry: TimeEntry) -> dict[str, Any]:
    row = session.execute(
        select(
            User.id, User.name, Project.id, Project.name, Project.billable, Client.id, Client.name
        )
        .select_from(User)
        .join(Project, Project.id == entry.project_id)
        .join(Client, Client.id == Project.client_id)
        .where(User.id == entry.user_id)
    ).one()
    user_id, user_name, project_id, project_name, project_billable, client_id, client_name = row
    return {
        "time_entry": {
            "id": entry.id,
            "user": {"id": user_id, "name": user_name},
            "project": {"id": project_id, "name": project_name},
            "client": {"id": client_id, "name": client_name},
            "start": _time(entry.start_time),
            "end": _time(entry.end_time),
            "hours": f"{rules.hours(entry.duration_seconds):.2f}",
            "billable": rules.is_billable(entry.billable, project_billable),
            "notes": entry.notes,
        }
    }


def ping_data(endpoint_id: int) -> dict[str, Any]:
    return {"endpoint_id": endpoint_id, "message": "A test event sent by an administrator."}
