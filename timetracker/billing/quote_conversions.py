"""What an accepted quote becomes: a project (its budget the quote's subtotal) and a draft
invoice (the quote's lines, tax and currency), each at most once, even when asked twice at the
same moment. These functions flush but never commit: the request commits once.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask_babel import gettext as _
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from timetracker.billing import invoicing
from timetracker.billing.invoicing import InvoiceError
from timetracker.billing.quotes import MAX_TITLE, QuoteError, rowcount
from timetracker.models import Client, Invoice, Project, ProjectStatus, Quote, QuoteStatus


def _require_accepted(quote: Quote, what: type[Project] | type[Invoice]) -> None:
    if quote.status == QuoteStatus.ACCEPTED:
        return
    if what is Project:
        raise QuoteError(_("Only an accepted quote can be turned into a project."))
    raise QuoteError(_("Only an accepted quote can be turned into an invoice."))


def _free_project_name(session: Session, quote: Quote) -> str:
    """The quote's title, or the title with the quote's number when the client already has a
    project of that name (names are unique per client, in any case)."""
    candidates = [quote.title, f"{quote.title} ({quote.number})"]
    candidates += [f"{quote.title} ({quote.number}, {n})" for n in range(2, 100)]
    for name in candidates:
        name = name if len(name) <= MAX_TITLE else name[: MAX_TITLE - 1] + "…"
        taken = session.scalar(
            select(Project.id).where(
                Project.client_id == quote.client_id, func.lower(Project.name) == name.lower()
            )
        )
        if taken is None:
            return name
    raise QuoteError(_("The client already has projects of every name this quote could give."))


def create_project(session: Session, quote: Quote) -> tuple[Project, bool]:
    """The project of an accepted quote, made once: its client's, named after the quote, with
    the quote's subtotal as its budget and no rate of its own (time on it is billed at the
    client's default rate). Returns ``(project, created)``; once made, every later call (a
    double submission, or two at once) returns that project."""
    _require_accepted(quote, Project)
    existing = _converted(session, Project, quote.converted_project_id)
    if existing is not None:
        return existing, False

    def make() -> Project:
        project = Project(
            client_id=quote.client_id,
            name=_free_project_name(session, quote),
            description=f"From quote {quote.number}: {quote.title}",
            status=ProjectStatus.ACTIVE,
            billable=True,
            hourly_rate=None,
            budget_amount=quote.subtotal,
        )
        session.add(project)
        session.flush()
        return project

    made = _make_once(session, quote, Quote.converted_project_id, make)
    if made is not None:
        return made, True
    existing = _converted(session, Project, quote.converted_project_id)
    if existing is None:
        raise QuoteError(_("The project could not be made just now; please try again."))
    return existing, False


def create_invoice(session: Session, quote: Quote) -> tuple[Invoice, bool]:
    """The draft invoice of an accepted quote, made once, with the quote's lines, tax rate and
    currency (and the quote's project, or the one made from it). Returns ``(invoice,
    created)``. The quote must come with its items loaded."""
    _require_accepted(quote, Invoice)
    existing = _converted(session, Invoice, quote.converted_invoice_id)
    if existing is not None:
        return existing, False
    client = session.scalar(select(Client).where(Client.id == quote.client_id))
    if client is None:  # the foreign key (RESTRICT) keeps it; a guard for mypy
        raise QuoteError(_("The quote's client is gone."))
    project_id = quote.converted_project_id or quote.project_id
    project = None
    if project_id is not None:
        project = session.scalar(
            select(Project).where(Project.id == project_id, Project.client_id == client.id)
        )
    lines = [(item.description, item.quantity, item.unit_price) for item in quote.items]

    def make() -> Invoice:
        try:
            invoice = invoicing.new_invoice(
                session,
                client,
                project=project,
                tax_rate=quote.tax_rate,
                notes=f"As agreed in quote {quote.number}: {quote.title}",
            )
            invoice.currency = quote.currency
            for description, quantity, unit_price in lines:
                invoicing.add_item(session, invoice, description, quantity, unit_price)
        except InvoiceError as exc:
            raise QuoteError(str(exc)) from None
        return invoice

    made = _make_once(session, quote, Quote.converted_invoice_id, make)
    if made is not None:
        return made, True
    existing = _converted(session, Invoice, quote.converted_invoice_id)
    if existing is None:
        raise QuoteError(_("The invoice could not be made just now; please try again."))
    return existing, False


R = TypeVar("R", Project, Invoice)


class _MadeElsewhere(Exception):
    """Another request turned the quote into the same thing first."""


def _make_once(session: Session, quote: Quote, column: Any, make: Callable[[], R]) -> R | None:
    """Run ``make`` in a savepoint and record what it made on the quote, unless the quote
    already names one: then (or when ``make`` collides with a row another request just
    wrote) everything ``make`` did is undone. Returns what this call made, ``None`` when it
    made nothing; the quote's ``column`` is reloaded either way."""
    made: R | None = None
    try:
        with session.begin_nested():
            made = make()
            if not _claim(session, quote, column, made.id):
                raise _MadeElsewhere()
    except (_MadeElsewhere, IntegrityError):
        made = None
    session.refresh(quote, [column.key])
    return made


def _converted(session: Session, model: type[Any], record_id: int | None) -> Any:
    if record_id is None:
        return None
    return session.scalar(select(model).where(model.id == record_id))


def _claim(session: Session, quote: Quote, column: Any, record_id: int) -> bool:
    """Set ``column`` of the quote when it is still empty (one conditional UPDATE)."""
    result = session.execute(
        update(Quote)
        .where(Quote.id == quote.id, column.is_(None))
        .values({column.key: record_id})
        .execution_options(synchronize_session=False)
    )
    return rowcount(result) == 1
