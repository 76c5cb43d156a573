"""The same "Payment sent" form posted twice at the same moment, on PostgreSQL with real commits
(the rolled-back test transaction cannot show what two connections do): one notice, one audit
event, and both requests answer with it."""

from __future__ import annotations

import datetime as dt
import os
import secrets
import threading
import uuid
from decimal import Decimal

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import sessionmaker

from tests.conftest import _create_postgres_database, _worker
from tests.factories import password_hash
from timetracker import migrate
from timetracker.audit import Kind
from timetracker.db import make_engine
from timetracker.models import AuditEvent, Client, Invoice, PaymentNotice, Role, User
from timetracker.payments import notices

pytestmark = pytest.mark.postgres

ROUNDS = 5


@pytest.fixture(scope="module")
def maker():
    base = os.environ.get("TEST_DATABASE_URL", "")
    assert base.startswith("postgresql"), "the postgres marker lets this run on PostgreSQL only"
    name = f"{make_url(base).database}_{_worker()}_notices"
    url = _create_postgres_database(base, name)
    migrate.upgrade(url)
    engine = make_engine(url, pool_size=4, max_overflow=0)
    yield sessionmaker(bind=engine, expire_on_commit=False)
    engine.dispose()
    admin = make_engine(
        make_url(base).set(database="postgres").render_as_string(False),
        isolation_level="AUTOCOMMIT",
    )
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _invoice_and_contact(maker) -> tuple[int, int]:
    tag = uuid.uuid4().hex[:8]
    with maker() as s:
        client = Client(name=f"Race {tag}", currency="EUR", default_hourly_rate=Decimal("90"))
        s.add(client)
        s.flush()
        contact = User(
            email=f"race-{tag}@example.com",
            name="Race Contact",
            password_hash=password_hash(),
            role=Role.CLIENT,
            client_portal_enabled=True,
            client_id=client.id,
        )
        invoice = Invoice(
            number=f"RACE-{tag}",
            client_id=client.id,
            issue_date=dt.date(2026, 3, 1),
            due_date=dt.date(2026, 3, 31),
            status="sent",
            currency="EUR",
            subtotal=Decimal("100.00"),
            tax_amount=Decimal("0.00"),
            total=Decimal("100.00"),
        )
        s.add_all([contact, invoice])
        s.commit()
        return invoice.id, contact.id


def _send(app, maker, invoice_id, user_id, key, barrier, results, errors) -> None:
    """One request: its own session and connection, a real commit at the end."""
    try:
        with app.app_context(), maker() as session:
            invoice = session.get(Invoice, invoice_id)
            user = session.get(User, user_id)
            session.commit()  # hold no locks while waiting for the other thread
            barrier.wait(timeout=30)
            recorded = notices.record_notice(
                session,
                invoice,
                user,
                paid_on=dt.date(2026, 3, 5),
                reference=None,
                submission_key=key,
                ip_address="192.0.2.10",
            )
            session.commit()
            results.append((recorded.notice.id, recorded.new))
    except BaseException as exc:  # reported by the main thread
        errors.append(exc)


def test_a_form_posted_twice_at_once_records_one_notice(app, maker):
    invoice_id, user_id = _invoice_and_contact(maker)
    for _round in range(ROUNDS):
        key = secrets.token_urlsafe(32)
        barrier = threading.Barrier(2)
        results: list[tuple[int, bool]] = []
        errors: list[BaseException] = []
        args = (app, maker, invoice_id, user_id, key, barrier, results, errors)
        threads = [threading.Thread(target=_send, args=args) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert errors == []
        assert sorted(new for _id, new in results) == [False, True]
        assert len({notice_id for notice_id, _new in results}) == 1
        with maker() as s:
            count = s.scalar(
                select(func.count())
                .select_from(PaymentNotice)
                .where(PaymentNotice.submission_key == key)
            )
            assert count == 1
    with maker() as s:
        audited = s.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.kind == Kind.PAYMENT_NOTICE, AuditEvent.invoice_id == invoice_id)
        )
        assert audited == ROUNDS
