"""Quotes in the demo data: one of each state the portal shows (open, accepted, declined,
expired), a draft the client does not see, and an accepted quote already turned into a project.
Made through ``billing.quotes`` like real ones, so numbers, totals and answers follow the rules.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from timetracker.billing import quote_conversions, quotes
from timetracker.billing.quotes import Answer, Answerer
from timetracker.models import Client, Quote, User

TERMS = (
    "Prices are fixed for the scope described. Work starts within two weeks of acceptance; "
    "invoices are due within 14 days. Changes of scope are quoted separately."
)
#: Where the demo answers came from (a documentation address, RFC 5737).
DEMO_ADDRESS = "203.0.113.7"
DEMO_BROWSER = "Mozilla/5.0 (X11; Linux x86_64) demo"

Line = tuple[str, str, str]


def add_demo_quotes(
    session: Session, *, acme: Client, mueller: Client, admin: User, today: dt.date
) -> list[Quote]:
    """Add the demo quotes of Acme and Müller & Søn; returns them (drafts too)."""
    made = [
        _quote(
            session,
            acme,
            admin,
            "Website relaunch, phase 2",
            [("Page templates (8 templates)", "8", "450.00"), ("Content migration", "24", "95.00")],
            issued=today - dt.timedelta(days=5),
            valid_days=30,
            sent=True,
        ),
        _quote(
            session,
            acme,
            admin,
            "Accessibility audit",
            [("Audit to WCAG 2.2 AA", "16", "100.00"), ("Report and workshop", "1", "800.00")],
            issued=today - dt.timedelta(days=40),
            valid_days=30,
            sent=True,
            answer=(Answer.ACCEPT, "Ada Acme"),
            project=True,
        ),
        _quote(
            session,
            acme,
            admin,
            "Print brochure",
            [("Brochure design, 12 pages", "1", "2400.00")],
            issued=today - dt.timedelta(days=25),
            valid_days=30,
            sent=True,
            answer=(Answer.DECLINE, "We are not printing a brochure this year after all."),
        ),
        _quote(
            session,
            acme,
            admin,
            "Hosting migration",
            [("Migration to the new host", "12", "95.00")],
            issued=today - dt.timedelta(days=60),
            valid_days=30,
            sent=True,
        ),
        _quote(
            session,
            acme,
            admin,
            "Newsletter templates",
            [("Newsletter template", "2", "350.00")],
            issued=today,
            valid_days=30,
            sent=False,
        ),
        _quote(
            session,
            mueller,
            admin,
            "Shop search upgrade",
            [("Search engine integration", "30", "110.00")],
            issued=today - dt.timedelta(days=3),
            valid_days=21,
            sent=True,
            tax_rate="19.00",
        ),
        _quote(
            session,
            mueller,
            admin,
            "Product photography",
            [("Photo day with retouching", "2", "1200.00")],
            issued=today - dt.timedelta(days=20),
            valid_days=30,
            sent=True,
            tax_rate="19.00",
            answer=(Answer.ACCEPT, "Jonas Müller"),
        ),
    ]
    session.flush()
    return made


def _quote(
    session: Session,
    client: Client,
    author: User,
    title: str,
    lines: list[Line],
    *,
    issued: dt.date,
    valid_days: int,
    sent: bool,
    tax_rate: str = "20.00",
    answer: tuple[Answer, str] | None = None,
    project: bool = False,
) -> Quote:
    quote = quotes.new_quote(
        session,
        client,
        title=title,
        created_by=author,
        issue_date=issued,
        valid_until=issued + dt.timedelta(days=valid_days),
        tax_rate=Decimal(tax_rate),
        notes="Thank you for the opportunity to quote.",
        terms=TERMS,
    )
    for description, quantity, price in lines:
        quotes.add_item(session, quote, description, Decimal(quantity), Decimal(price))
    if not sent:
        return quote
    quotes.mark_sent(session, quote, issued)  # sent on its issue date
    quote.sent_at = dt.datetime.combine(issued, dt.time(9), dt.UTC)
    session.flush()
    if answer is not None:
        which, text = answer
        contact = session.scalar(
            select(User).where(User.client_id == client.id).order_by(User.id).limit(1)
        )
        if contact is not None:
            answered_on = issued + dt.timedelta(days=2)
            quotes.answer(
                session,
                quote,
                client.id,
                which,
                Answerer(contact, DEMO_ADDRESS, DEMO_BROWSER),
                answered_on,
                signature=text if which is Answer.ACCEPT else None,
                reason=text if which is Answer.DECLINE else None,
                at=dt.datetime.combine(answered_on, dt.time(14, 30), dt.UTC),
            )
    if project and quote.status == "accepted":
        quote_conversions.create_project(session, quote)
    return quote
