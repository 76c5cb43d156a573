"""Invoice numbers stay unique when many invoices are created at the same moment (PostgreSQL).

Each thread works like a separate request: its own application context, its own connection and
a real COMMIT, outside the rolled-back transaction of the other tests. The rows it creates are
deleted afterwards.
"""

from __future__ import annotations

import datetime as dt
import threading
import uuid
from decimal import Decimal

import pytest
from flask import Flask, g
from sqlalchemy import delete
from sqlalchemy.orm import sessionmaker

from timetracker import firm
from timetracker.billing import invoicing
from timetracker.db import make_engine
from timetracker.models import Client, Invoice, InvoiceSequence, Settings

WORKERS = 20
#: A year no other test issues invoices in, so the sequence starts from nothing.
YEAR = 2091


# SQLite lets one writer in at a time, so there is no race to test there.
@pytest.mark.postgres
def test_twenty_concurrent_invoices_get_twenty_distinct_numbers(app: Flask, database_url: str):
    assert database_url.startswith("postgresql")
    engine = make_engine(database_url, pool_size=WORKERS + 2, max_overflow=0)
    maker = sessionmaker(bind=engine, expire_on_commit=False)
    with maker() as setup:
        created_settings = setup.get(Settings, 1) is None
        if created_settings:
            setup.add(Settings(id=1))
        customer = Client(
            name=f"Concurrency {uuid.uuid4().hex}",
            currency="EUR",
            default_hourly_rate=Decimal("100.00"),
        )
        setup.add(customer)
        setup.commit()
        client_id = customer.id
        prefix = setup.get(Settings, 1).invoice_prefix  # type: ignore[union-attr]

    barrier = threading.Barrier(WORKERS)
    numbers: list[str] = []
    errors: list[BaseException] = []

    def create_one() -> None:
        try:
            with app.app_context():
                session = maker()
                g.db_session = session
                try:
                    customer = session.get(Client, client_id)
                    firm.get_settings()
                    session.commit()  # hold no row locks while waiting for the others
                    barrier.wait(timeout=60)
                    invoice = invoicing.new_invoice(
                        session, customer, issue_date=dt.date(YEAR, 1, 15)
                    )
                    session.commit()
                    numbers.append(invoice.number)
                finally:
                    g.pop("db_session", None)
                    session.close()
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)

    threads = [threading.Thread(target=create_one) for _ in range(WORKERS)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        assert not errors, errors
        assert len(numbers) == WORKERS
        assert sorted(numbers) == [f"{prefix}{YEAR}-{n:04d}" for n in range(1, WORKERS + 1)]
    finally:
        with maker() as cleanup:
            cleanup.execute(delete(Invoice).where(Invoice.client_id == client_id))
            cleanup.execute(delete(Client).where(Client.id == client_id))
            cleanup.execute(delete(InvoiceSequence).where(InvoiceSequence.year == YEAR))
            if created_settings:
                cleanup.execute(delete(Settings).where(Settings.id == 1))
            cleanup.commit()
        engine.dispose()
