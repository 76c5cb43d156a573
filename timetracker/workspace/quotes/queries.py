"""Reads of the quote pages: the list by state, one quote with its lines, the projects a quote
may name, who answered and who has looked at it in the portal."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import contains_eager, joinedload, selectinload

from timetracker import audit, db
from timetracker.billing import quotes
from timetracker.billing.quotes import QuoteFilter
from timetracker.models import AuditEvent, Invoice, Project, Quote, QuoteItem, User
from timetracker.workspace.paging import Page, paginate

#: Portal readers listed on a quote's page.
MAX_VIEWERS = 10


def quotes_page(which: QuoteFilter, client_id: int | None, today: dt.date) -> Page:
    conditions: list[ColumnElement[bool]] = [quotes.filter_condition(which, today)]
    if client_id is not None:
        conditions.append(Quote.client_id == client_id)
    stmt = (
        select(Quote)
        .join(Quote.client)
        .options(contains_eager(Quote.client))
        .where(*conditions)
        .order_by(Quote.issue_date.desc(), Quote.id.desc())
    )
    return paginate(stmt, count_stmt=select(func.count(Quote.id)).where(*conditions))


def get_quote(quote_id: int) -> Quote | None:
    """The quote with its client, project and lines loaded."""
    return db.session.scalar(
        select(Quote)
        .where(Quote.id == quote_id)
        .options(joinedload(Quote.client), joinedload(Quote.project), selectinload(Quote.items))
    )


def quote_item(quote: Quote, item_id: int) -> QuoteItem | None:
    """A line of this quote; ``None`` for a line of any other quote or none at all."""
    return db.session.scalar(
        select(QuoteItem).where(QuoteItem.id == item_id, QuoteItem.quote_id == quote.id)
    )


def client_project(client_id: int, project_id: int) -> Project | None:
    """A project of this client; ``None`` for another client's project or none at all."""
    return db.session.scalar(
        select(Project).where(Project.id == project_id, Project.client_id == client_id)
    )


def project_choices(client_id: int) -> list[tuple[int | str, str]]:
    """The client's projects (active first), after an empty choice."""
    rows = db.session.execute(
        select(Project.id, Project.name, Project.status)
        .where(Project.client_id == client_id)
        .order_by(Project.status, Project.name)
    ).all()
    return [("", _("No project"))] + [
        (pid, name if status == "active" else _("%(name)s (archived)", name=name))
        for pid, name, status in rows
    ]


def user_name(user_id: int | None) -> str | None:
    if user_id is None:
        return None
    return db.session.scalar(select(User.name).where(User.id == user_id))


@dataclass(frozen=True)
class Conversions:
    project: Project | None
    invoice: Invoice | None


def conversions(quote: Quote) -> Conversions:
    """What was made of the quote (each ``None`` when not made, or deleted since)."""
    project = invoice = None
    if quote.converted_project_id is not None:
        project = db.session.scalar(select(Project).where(Project.id == quote.converted_project_id))
    if quote.converted_invoice_id is not None:
        invoice = db.session.scalar(select(Invoice).where(Invoice.id == quote.converted_invoice_id))
    return Conversions(project, invoice)


@dataclass(frozen=True)
class Viewer:
    name: str | None
    email: str | None
    at: dt.datetime


def quote_viewers(quote: Quote) -> list[Viewer]:
    """Who opened the quote's page in the portal, each with their latest visit, newest first
    (from the audit trail)."""
    last = func.max(AuditEvent.at).label("last")
    rows = db.session.execute(
        select(AuditEvent.actor_name, AuditEvent.actor_email, last)
        .where(
            AuditEvent.kind == audit.Kind.QUOTE_VIEWED,
            AuditEvent.client_id == quote.client_id,
            AuditEvent.detail == quote.number,
        )
        .group_by(AuditEvent.actor_id, AuditEvent.actor_name, AuditEvent.actor_email)
        .order_by(last.desc())
        .limit(MAX_VIEWERS)
    ).all()
    return [Viewer(name, email, at) for name, email, at in rows]
