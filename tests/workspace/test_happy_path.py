"""A new administrator does a whole day's work over HTTP, starting from an empty database."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import time_machine
from sqlalchemy import func, select

from tests.conftest import login, post
from timetracker.billing import states
from timetracker.models import Client, Invoice, InvoiceStatus, Project, TimeEntry, User

PASSWORD = "a-long-admin-password"


def _id_from(location: str) -> int:
    match = re.search(r"/(\d+)$", location)
    assert match, location
    return int(match.group(1))


def test_from_empty_database_to_a_paid_invoice(app, client, session):
    assert session.scalar(select(func.count(User.id))) == 0
    result = app.test_cli_runner().invoke(
        args=["users", "create", "--admin", "--email", "boss@example.com", "--name", "Boss"]
        + ["--password-stdin"],
        input=PASSWORD + "\n",
    )
    assert result.exit_code == 0, result.output

    with time_machine.travel(dt.datetime(2026, 3, 10, 9, 0, tzinfo=dt.UTC), tick=False) as clock:
        assert login(client, "boss@example.com", PASSWORD).status_code == 302
        # A client and a project under it; the project has no rate and falls back to the client's.
        response = post(
            client,
            "/clients/new",
            {
                "name": "Acme Corp",
                "contact_email": "ap@acme.example",
                "currency": "EUR",
                "default_hourly_rate": "80.00",
            },
        )
        assert response.status_code == 302, response.get_data(as_text=True)
        client_id = _id_from(response.headers["Location"])
        response = post(
            client,
            "/projects/new",
            {"client": client_id, "name": "Website", "billable": "y", "budget_hours": "10"},
        )
        assert response.status_code == 302, response.get_data(as_text=True)
        project_id = _id_from(response.headers["Location"])
        assert session.get(Project, project_id).hourly_rate is None

        # The timer: started, shown in the navigation bar everywhere, stopped 90 minutes later.
        response = post(client, "/time/timer/start", {"project": project_id, "notes": "Design"})
        assert response.status_code == 302
        page = client.get("/clients").get_data(as_text=True)
        assert "Stop timer" in page and "Website" in page
        clock.shift(dt.timedelta(minutes=90))
        assert post(client, "/time/timer/stop").status_code == 302
        assert "Stop timer" not in client.get("/clients").get_data(as_text=True)

        # By hand: 14:00 to 16:30 the same day.
        response = post(
            client,
            "/time/new",
            {
                "project": project_id,
                "day": "2026-03-10",
                "start": "14:00",
                "end": "16:30",
                "notes": "Build",
                "billable": "y",
            },
        )
        assert response.status_code == 302, response.get_data(as_text=True)
        entries = session.scalars(select(TimeEntry).order_by(TimeEntry.start_time)).all()
        assert [e.duration_seconds for e in entries] == [90 * 60, 150 * 60]

        # The project's budget shows 4 of 10 hours used.
        assert "40%" in client.get(f"/projects/{project_id}").get_data(as_text=True)

        # An invoice from that time, one line per project, 20 % tax.
        response = post(
            client,
            "/invoices/new",
            {
                "client": client_id,
                "date_from": "2026-03-01",
                "date_to": "2026-03-31",
                "group_by": "project",
                "from_time": "y",
                "issue_date": "2026-03-11",
                "payment_terms": "14",
                "tax_rate": "20",
                "notes": "Thank you.",
            },
        )
        assert response.status_code == 302, response.get_data(as_text=True)
        invoice_id = _id_from(response.headers["Location"])
        invoice = session.get(Invoice, invoice_id)
        session.refresh(invoice)
        assert invoice.number == "INV-2026-0001"
        assert (invoice.subtotal, invoice.tax_amount, invoice.total) == (
            Decimal("320.00"),
            Decimal("64.00"),
            Decimal("384.00"),
        )
        assert invoice.due_date == dt.date(2026, 3, 25)
        assert "€384.00" in client.get(f"/invoices/{invoice_id}").get_data(as_text=True)

        # Sent, then paid in two parts until the balance is zero.
        assert post(client, f"/invoices/{invoice_id}/send").status_code == 302
        response = post(
            client,
            f"/invoices/{invoice_id}/payments",
            {"pay-amount": "100.00", "pay-paid_on": "2026-03-15", "pay-method": "Bank"},
        )
        assert response.status_code == 302
        session.refresh(invoice)
        assert (invoice.status, states.balance(invoice)) == (InvoiceStatus.SENT, Decimal("284.00"))
        response = post(
            client,
            f"/invoices/{invoice_id}/payments",
            {"pay-amount": "284.00", "pay-paid_on": "2026-03-20"},
        )
        assert response.status_code == 302
        session.refresh(invoice)
        assert invoice.status == InvoiceStatus.PAID
        assert states.balance(invoice) == Decimal("0.00")
        html = client.get(f"/invoices/{invoice_id}").get_data(as_text=True)
        assert re.search(r'data-testid="balance">€0.00<', html)
        assert session.scalar(select(func.count(Client.id))) == 1
