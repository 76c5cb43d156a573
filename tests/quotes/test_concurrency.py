"""Under concurrency on PostgreSQL: quote numbers stay unique, a quote is answered once, and an
accepted quote becomes one project.

Each thread works like a separate request: its own application context, its own connection and
a real COMMIT, outside the rolled-back transaction of the other tests. What the threads create
is deleted afterwards. (SQLite lets one writer in at a time: there is no race to test there.)
"""

from __future__ import annotations

import datetime as dt
import threading
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from flask import Flask, g
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session, selectinload, sessionmaker

from timetracker import firm
from timetracker.billing import quote_conversions as conversions
from timetracker.billing import quotes as rules
from timetracker.billing.quotes import Answer, Answerer
from timetracker.db import make_engine
from timetracker.models import (
    AuditEvent,
    Client,
    Project,
    Quote,
    QuoteItem,
    QuoteSequence,
    QuoteStatus,
    Role,
    Settings,
    User,
)

WORKERS = 20
#: A year no other test issues quotes in, so the sequence starts from nothing.
YEAR = 2092

pytestmark = pytest.mark.postgres


@dataclass
class Committed:
    maker: sessionmaker[Session]
    client_id: int
    prefix: str


@pytest.fixture
def committed(app: Flask, database_url: str) -> Iterator[Committed]:
    """A client committed for real, and a session maker with a pool for every thread."""
    assert database_url.startswith("postgresql")
    engine = make_engine(database_url, pool_size=WORKERS + 2, max_overflow=0)
    maker = sessionmaker(bind=engine, expire_on_commit=False)
    with maker() as setup:
        created_settings = setup.get(Settings, 1) is None
        if created_settings:
            setup.add(Settings(id=1))
        customer = Client(
            name=f"Quotes {uuid.uuid4().hex}", currency="EUR", default_hourly_rate=Decimal("90")
        )
        setup.add(customer)
        setup.commit()
        prefix = setup.get(Settings, 1).quote_prefix  # type: ignore[union-attr]
        client_id = customer.id
    try:
        yield Committed(maker, client_id, prefix)
    finally:
        with maker() as cleanup:
            quote_ids = select(Quote.id).where(Quote.client_id == client_id)
            cleanup.execute(delete(QuoteItem).where(QuoteItem.quote_id.in_(quote_ids)))
            cleanup.execute(delete(Quote).where(Quote.client_id == client_id))
            cleanup.execute(delete(Project).where(Project.client_id == client_id))
            cleanup.execute(delete(AuditEvent).where(AuditEvent.client_id == client_id))
            cleanup.execute(delete(User).where(User.client_id == client_id))
            cleanup.execute(delete(Client).where(Client.id == client_id))
            cleanup.execute(delete(QuoteSequence).where(QuoteSequence.year == YEAR))
            if created_settings:
                cleanup.execute(delete(Settings).where(Settings.id == 1))
            cleanup.commit()
        engine.dispose()


def run_together(app: Flask, maker: sessionmaker[Session], work: Callable[[Session, int], Any]):  # type: ignore[no-untyped-def]
    """``work(session, n)`` in WORKERS threads released at once; their results, in order."""
    barrier = threading.Barrier(WORKERS)
    results: list[Any] = [None] * WORKERS
    errors: list[BaseException] = []

    def one(n: int) -> None:
        try:
            with app.app_context():
                session = maker()
                g.db_session = session
                try:
                    firm.get_settings()
                    session.commit()  # hold no row locks while waiting for the others
                    barrier.wait(timeout=60)
                    results[n] = work(session, n)
                    session.commit()
                finally:
                    g.pop("db_session", None)
                    session.close()
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)

    threads = [threading.Thread(target=one, args=(n,)) for n in range(WORKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    return results


def test_twenty_concurrent_quotes_get_twenty_distinct_numbers(app: Flask, committed: Committed):
    def create(session: Session, _n: int) -> str:
        customer = session.get(Client, committed.client_id)
        assert customer is not None
        quote = rules.new_quote(session, customer, title="Race", issue_date=dt.date(YEAR, 1, 15))
        return quote.number

    numbers = run_together(app, committed.maker, create)
    assert sorted(numbers) == [f"{committed.prefix}{YEAR}-{n:04d}" for n in range(1, WORKERS + 1)]


def _open_quote(committed: Committed) -> tuple[int, list[int]]:
    """A sent quote with a line, and WORKERS contacts of its client; committed."""
    with committed.maker() as setup:
        contacts = [
            User(
                email=f"c{n}-{uuid.uuid4().hex[:8]}@race.example",
                name=f"Contact {n}",
                password_hash="x",
                role=Role.CLIENT,
                client_portal_enabled=True,
                client_id=committed.client_id,
            )
            for n in range(WORKERS)
        ]
        quote = Quote(
            number=f"RACE-{uuid.uuid4().hex[:10]}",
            client_id=committed.client_id,
            title="Race to answer",
            issue_date=dt.date(2026, 1, 1),
            valid_until=dt.date(2099, 1, 1),
            status=QuoteStatus.SENT,
            currency="EUR",
            tax_rate=Decimal("0"),
            subtotal=Decimal("100.00"),
            tax_amount=Decimal("0.00"),
            total=Decimal("100.00"),
        )
        quote.items = [
            QuoteItem(
                description="Work", quantity=Decimal("1"), unit_price=Decimal("100"),
                amount=Decimal("100.00"),
            )
        ]  # fmt: skip
        setup.add_all([*contacts, quote])
        setup.commit()
        return quote.id, [c.id for c in contacts]


def test_twenty_contacts_answering_at_once_answer_the_quote_once(
    app: Flask, committed: Committed
) -> None:
    quote_id, contact_ids = _open_quote(committed)

    def answer(session: Session, n: int) -> bool:
        quote = session.get(Quote, quote_id)
        contact = session.get(User, contact_ids[n])
        assert quote is not None and contact is not None
        which = Answer.ACCEPT if n % 2 else Answer.DECLINE
        return rules.answer(
            session, quote, committed.client_id, which, Answerer(contact, None, None),
            firm.today(), signature=f"Contact {n}", reason=f"Reason {n}",
        )  # fmt: skip

    results = run_together(app, committed.maker, answer)
    assert results.count(True) == 1
    winner = results.index(True)
    with committed.maker() as check:
        quote = check.get(Quote, quote_id)
        assert quote is not None
        assert quote.answered_by_id == contact_ids[winner]
        expected = QuoteStatus.ACCEPTED if winner % 2 else QuoteStatus.DECLINED
        assert quote.status == expected


def test_an_accepted_quote_asked_twenty_times_at_once_makes_one_project(
    app: Flask, committed: Committed
) -> None:
    quote_id, contact_ids = _open_quote(committed)
    with committed.maker() as setup:
        setup.execute(
            update(Quote)
            .where(Quote.id == quote_id)
            .values(status=QuoteStatus.ACCEPTED, answered_by_id=contact_ids[0])
        )
        setup.commit()

    def convert(session: Session, _n: int) -> tuple[int, bool]:
        quote = session.scalar(
            select(Quote).where(Quote.id == quote_id).options(selectinload(Quote.items))
        )
        assert quote is not None
        project, created = conversions.create_project(session, quote)
        return project.id, created

    results = run_together(app, committed.maker, convert)
    assert [created for _, created in results].count(True) == 1
    assert len({project_id for project_id, _ in results}) == 1
    with committed.maker() as check:
        projects = check.scalars(
            select(Project).where(Project.client_id == committed.client_id)
        ).all()
        assert len(projects) == 1
        assert projects[0].budget_amount == Decimal("100.00")
