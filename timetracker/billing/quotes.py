"""Quotes (estimates): numbers, totals, the state machine, and the states every screen shows.

Stored: ``draft → sent → accepted | declined`` (:class:`~timetracker.models.QuoteStatus`).

* A **draft** can be edited (header and lines) and deleted; it is never shown to the client.
* **Sending** locks it: from then on nothing of it changes but the client's answer.
* A sent quote whose validity date (``valid_until``) is before today in the firm's timezone is
  **expired**: derived, never stored, like an invoice's "overdue". It cannot be answered.
* The client contact **accepts** (with the full name they type as a signature) or **declines**
  (with a reason) a sent quote that has not expired, in one conditional UPDATE: a double
  submission or a second contact's late answer changes nothing. The answer is immutable: the
  ORM refuses to change it (see :func:`_answer_is_immutable`).
* An accepted quote becomes, at most once each, a project (budget = the quote's subtotal) and a
  draft invoice with the quote's lines: :mod:`.quote_conversions`.

Derived, with ``today`` in the firm's timezone, :class:`QuoteState` is what every screen shows
(staff pages, portal, PDF, filters): draft, open, accepted, declined or expired; each quote is
in exactly one. :class:`QuoteFilter` names the sets the tabs select. Each comes as a SQL
condition and as a Python predicate that agree; they are defined in :mod:`.quote_states` and
imported from here, with the rest of the quote rules.

Numbers are the settings' ``quote_prefix``, the year and a per-year sequence (``Q-2026-0001``),
unique under concurrency. Line amounts, tax and totals follow :mod:`.rules`, exactly as invoice
lines do. These functions flush but never commit: the request commits once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import update
from sqlalchemy.orm import Session

from timetracker import firm
from timetracker.billing import invoicing
from timetracker.billing.invoicing import InvoiceError
from timetracker.billing.quote_answers import (
    MAX_DECLINE_REASON,
    MAX_IP,
    MAX_SIGNATURE,
    MAX_USER_AGENT,
    MIN_SIGNATURE,
    Answer,
    Answerer,
    AnswerIsImmutable,
    answer,
    normalise_reason,
    normalise_signature,
)
from timetracker.billing.quote_states import (
    PORTAL_DEFAULT,
    PORTAL_FILTERS,
    STAFF_FILTERS,
    STATE_ORDER,
    QuoteError,
    QuoteFilter,
    QuoteState,
    answerable_condition,
    can_be_answered,
    filter_condition,
    is_expired,
    matches,
    rowcount,
    state_condition,
    state_expression,
    state_of,
)
from timetracker.billing.rules import ZERO, document_totals, line_amount, to_cents
from timetracker.models import Client, Project, Quote, QuoteItem, QuoteSequence, QuoteStatus, User

__all__ = [
    # The derived states (from .quote_states): every screen asks here.
    "PORTAL_DEFAULT",
    "PORTAL_FILTERS",
    "STAFF_FILTERS",
    "STATE_ORDER",
    "QuoteFilter",
    "QuoteState",
    "answerable_condition",
    "can_be_answered",
    "filter_condition",
    "is_expired",
    "matches",
    "state_condition",
    "state_expression",
    "state_of",
    # The client's answer (from .quote_answers).
    "MAX_DECLINE_REASON",
    "MAX_IP",
    "MAX_SIGNATURE",
    "MAX_USER_AGENT",
    "MIN_SIGNATURE",
    "rowcount",
    # The rules of this module.
    "Answer",
    "Answerer",
    "AnswerIsImmutable",
    "QuoteError",
    "add_item",
    "answer",
    "default_valid_until",
    "delete_draft",
    "mark_sent",
    "new_quote",
    "next_quote_number",
    "normalise_reason",
    "normalise_signature",
    "recalculate",
    "remove_item",
    "require_draft",
    "update_draft",
    "update_item",
]

#: The limits of what a person types (the columns' sizes).
MAX_TITLE = 200


# Numbers --------------------------------------------------------------------------------------
def next_quote_number(session: Session, year: int) -> str:
    """The next number of ``year``: the settings prefix, the year and a per-year sequence,
    unique under concurrency (:func:`invoicing.next_in_sequence`, as invoices do)."""
    number = invoicing.next_in_sequence(session, QuoteSequence, year)
    return f"{firm.get_settings().quote_prefix}{year}-{number:04d}"


# Totals ---------------------------------------------------------------------------------------
def recalculate(quote: Quote, items: Sequence[QuoteItem] | None = None) -> None:
    """Subtotal, tax and total from the lines, by the rules of invoices."""
    items = quote.items if items is None else items
    quote.subtotal, quote.tax_amount, quote.total = document_totals(
        (item.amount for item in items), quote.tax_rate
    )


def _line_values(
    description: str, quantity: Decimal, unit_price: Decimal
) -> tuple[Decimal, Decimal]:
    """Quantity and unit price as stored, checked by the rule of invoice lines."""
    try:
        return invoicing._line_values(description, quantity, unit_price)
    except InvoiceError as exc:
        raise QuoteError(str(exc)) from None


# Drafts ---------------------------------------------------------------------------------------
def default_valid_until(issue_date: dt.date) -> dt.date:
    """The issue date plus the firm's ``quote_validity_days``."""
    return issue_date + dt.timedelta(days=firm.get_settings().quote_validity_days)


def _check_header(
    client: Client,
    project: Project | None,
    title: str,
    issue_date: dt.date,
    valid_until: dt.date,
    tax_rate: Decimal,
) -> str:
    if project is not None and project.client_id != client.id:
        raise QuoteError(_("The project does not belong to this client."))
    title = " ".join(title.split())
    if not title:
        raise QuoteError(_("A quote needs a title."))
    if len(title) > MAX_TITLE:
        raise QuoteError(_("The title can be at most %(max)d characters long.", max=MAX_TITLE))
    if valid_until < issue_date:
        raise QuoteError(_("The quote cannot be valid until a day before its issue date."))
    if not Decimal(0) <= tax_rate <= Decimal(100):
        raise QuoteError(_("The tax rate must be between 0 and 100 percent."))
    return title


def new_quote(
    session: Session,
    client: Client,
    *,
    title: str,
    created_by: User | None = None,
    project: Project | None = None,
    issue_date: dt.date | None = None,
    valid_until: dt.date | None = None,
    tax_rate: Decimal = Decimal("0"),
    notes: str | None = None,
    terms: str | None = None,
) -> Quote:
    """A draft quote for ``client`` in the client's currency, with the next number."""
    issue_date = issue_date or firm.today()
    valid_until = valid_until or default_valid_until(issue_date)
    title = _check_header(client, project, title, issue_date, valid_until, tax_rate)
    quote = Quote(
        number=next_quote_number(session, issue_date.year),
        client_id=client.id,
        project_id=project.id if project else None,
        title=title,
        issue_date=issue_date,
        valid_until=valid_until,
        status=QuoteStatus.DRAFT,
        currency=client.currency,
        tax_rate=to_cents(tax_rate),
        subtotal=ZERO,
        tax_amount=ZERO,
        total=ZERO,
        notes=notes or None,
        terms=terms or None,
        created_by_id=created_by.id if created_by is not None else None,
    )
    quote.items = []
    session.add(quote)
    session.flush()
    return quote


def require_draft(quote: Quote) -> None:
    if quote.status != QuoteStatus.DRAFT:
        raise QuoteError(
            _(
                "Only a draft quote can be changed; quote %(number)s has been sent and is locked.",
                number=quote.number,
            )
        )


def update_draft(
    session: Session,
    quote: Quote,
    client: Client,
    *,
    title: str,
    project: Project | None,
    issue_date: dt.date,
    valid_until: dt.date,
    tax_rate: Decimal,
    notes: str | None,
    terms: str | None,
) -> None:
    require_draft(quote)
    if client.id != quote.client_id:
        raise QuoteError(_("A quote stays with its client."))
    quote.title = _check_header(client, project, title, issue_date, valid_until, tax_rate)
    quote.project_id = project.id if project else None
    quote.issue_date = issue_date
    quote.valid_until = valid_until
    quote.tax_rate = to_cents(tax_rate)
    quote.notes = notes or None
    quote.terms = terms or None
    recalculate(quote)
    session.flush()


def delete_draft(session: Session, quote: Quote) -> None:
    """Delete a draft with its lines (a sent quote is kept: the client has seen it)."""
    require_draft(quote)
    session.delete(quote)
    session.flush()


def add_item(
    session: Session, quote: Quote, description: str, quantity: Decimal, unit_price: Decimal
) -> QuoteItem:
    require_draft(quote)
    quantity, unit_price = _line_values(description, quantity, unit_price)
    item = QuoteItem(
        quote_id=quote.id,
        position=max((i.position for i in quote.items), default=-1) + 1,
        description=description,
        quantity=quantity,
        unit_price=unit_price,
        amount=line_amount(quantity, unit_price),
    )
    session.add(item)
    quote.items.append(item)
    recalculate(quote)
    session.flush()
    return item


def update_item(
    session: Session,
    quote: Quote,
    item: QuoteItem,
    description: str,
    quantity: Decimal,
    unit_price: Decimal,
) -> None:
    require_draft(quote)
    quantity, unit_price = _line_values(description, quantity, unit_price)
    item.description = description
    item.quantity = quantity
    item.unit_price = unit_price
    item.amount = line_amount(quantity, unit_price)
    recalculate(quote)
    session.flush()


def remove_item(session: Session, quote: Quote, item: QuoteItem) -> None:
    require_draft(quote)
    quote.items.remove(item)
    session.delete(item)
    recalculate(quote)
    session.flush()


# Sending --------------------------------------------------------------------------------------
def mark_sent(session: Session, quote: Quote, today: dt.date) -> bool:
    """Send (lock) a draft; ``False`` when it was already sent (a double submission).

    The change is one conditional UPDATE (``WHERE status = 'draft'``), so two concurrent
    requests send it once: only the one that changed the row emails the client.
    """
    if quote.status != QuoteStatus.DRAFT:
        return False
    if not quote.items:
        raise QuoteError(_("A quote without lines cannot be sent; add at least one line."))
    if quote.valid_until < today:
        raise QuoteError(
            _("The quote's validity date has passed; set a later one before sending it.")
        )
    result = session.execute(
        update(Quote)
        .where(Quote.id == quote.id, Quote.status == QuoteStatus.DRAFT)
        .values(status=QuoteStatus.SENT, sent_at=firm.now())
        .execution_options(synchronize_session=False)
    )
    session.refresh(quote, ["status", "sent_at"])
    return rowcount(result) == 1
