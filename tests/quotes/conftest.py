"""The quote tests' world: two clients (Alpha, Bravo), each with a portal contact and quotes in
every state, an administrator and a staff member; and ``make_quote``, a factory that builds a
quote with its lines and totals by the billing rules in one call."""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from tests.conftest import login
from tests.factories import make_admin, make_client, make_portal_user, make_project, make_user
from timetracker.billing.rules import line_amount, tax_for
from timetracker.models import Client, Quote, QuoteItem, QuoteStatus, User

_numbers = itertools.count(1)
#: Far in the future and far in the past: open and expired whatever today is.
FUTURE = dt.date(2099, 12, 31)
PAST = dt.date(2001, 1, 31)


def make_quote(
    session: Session,
    client: Client,
    *,
    status: str = QuoteStatus.SENT,
    items: list[tuple[str, str, str]] | None = None,
    valid_until: dt.date = FUTURE,
    issue_date: dt.date = dt.date(2001, 1, 1),
    tax_rate: str = "20.00",
    created_by: User | None = None,
    answered_by: User | None = None,
    **kw: Any,
) -> Quote:
    """A quote with ``items`` as (description, quantity, unit price); an accepted or declined
    one comes with its answer recorded."""
    items = items if items is not None else [("Consulting", "10", "100.00")]
    quote = Quote(
        number=kw.pop("number", f"TQ-{next(_numbers):06d}"),
        client_id=client.id,
        title=kw.pop("title", "Website work"),
        issue_date=issue_date,
        valid_until=valid_until,
        status=status,
        currency=client.currency,
        tax_rate=Decimal(tax_rate),
        created_by_id=created_by.id if created_by else None,
        **kw,
    )
    lines = [
        QuoteItem(
            position=i,
            description=d,
            quantity=Decimal(q),
            unit_price=Decimal(p),
            amount=line_amount(Decimal(q), Decimal(p)),
        )
        for i, (d, q, p) in enumerate(items)
    ]
    quote.subtotal = sum((line.amount for line in lines), Decimal("0.00"))
    quote.tax_amount = tax_for(quote.subtotal, quote.tax_rate)
    quote.total = quote.subtotal + quote.tax_amount
    quote.items = lines
    if status != QuoteStatus.DRAFT:
        quote.sent_at = dt.datetime(2001, 1, 2, 9, tzinfo=dt.UTC)
    if status in (QuoteStatus.ACCEPTED, QuoteStatus.DECLINED):
        quote.answered_at = dt.datetime(2001, 1, 3, 9, tzinfo=dt.UTC)
        quote.answered_by_id = answered_by.id if answered_by else None
        quote.answer_ip_address = "192.0.2.1"
        if status == QuoteStatus.ACCEPTED:
            quote.answered_by_name = "Signed Person"
        else:
            quote.decline_reason = "Too expensive"
    session.add(quote)
    session.flush()
    return quote


@dataclass
class Side:
    """One client with a contact and a quote in each state (``quotes[state]``)."""

    client: Any
    contact: Any
    project: Any
    quotes: dict[str, Quote] = field(default_factory=dict)

    @property
    def open(self) -> Quote:
        return self.quotes["open"]


#: The states a side has one quote of, and how each is made.
STATES = {
    "draft": {"status": QuoteStatus.DRAFT},
    "open": {"status": QuoteStatus.SENT},
    "expired": {"status": QuoteStatus.SENT, "valid_until": PAST},
    "accepted": {"status": QuoteStatus.ACCEPTED},
    "declined": {"status": QuoteStatus.DECLINED},
}


def build_side(session: Session, name: str, author: User) -> Side:
    client = make_client(session, name=f"{name} Corp", address=f"{name} Street 1")
    contact = make_portal_user(
        session, client, name=f"{name} Contact", email=f"contact@{name.lower()}.example"
    )
    project = make_project(session, client, name=f"{name} Website")
    side = Side(client=client, contact=contact, project=project)
    for state, values in STATES.items():
        answered = contact if state in ("accepted", "declined") else None
        side.quotes[state] = make_quote(
            session,
            client,
            number=f"{name.upper()}-{state.upper()}",
            title=f"{name} {state} quote",
            items=[(f"{name} {state} line", "2", "150.00")],
            notes=f"{name} {state} notes",
            created_by=author,
            answered_by=answered,
            **values,
        )
    return side


@dataclass
class World:
    a: Side
    b: Side
    admin: Any
    staff: Any


@pytest.fixture
def world(session: Session) -> World:
    admin = make_admin(session, name="Ada Admin", email="ada@firm.example")
    staff = make_user(session, name="Sam Staff", email="sam@firm.example")
    world = World(
        a=build_side(session, "Alpha", admin), b=build_side(session, "Bravo", admin),
        admin=admin, staff=staff,
    )  # fmt: skip
    session.commit()
    return world


def signed_in(app: Flask, user: Any) -> FlaskClient:
    browser = app.test_client()
    assert login(browser, user.email).status_code == 302
    return browser


@pytest.fixture
def as_admin(app: Flask, connection, world: World) -> FlaskClient:  # type: ignore[no-untyped-def]
    return signed_in(app, world.admin)


@pytest.fixture
def as_staff(app: Flask, connection, world: World) -> FlaskClient:  # type: ignore[no-untyped-def]
    return signed_in(app, world.staff)


@pytest.fixture
def as_alpha(app: Flask, connection, world: World) -> FlaskClient:  # type: ignore[no-untyped-def]
    return signed_in(app, world.a.contact)
