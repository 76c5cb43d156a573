"""Reads of the client pages: the list, one client, and the time not yet billed per client."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import ColumnElement, func, select

from timetracker import db
from timetracker.billing import expressions, rules
from timetracker.models import Client, Project, ProjectStatus, TimeEntry
from timetracker.workspace.common import like_pattern
from timetracker.workspace.paging import Page, paginate


def clients_page(status: str, q: str | None) -> Page:
    active_projects = (
        select(func.count(Project.id))
        .where(Project.client_id == Client.id, Project.status == ProjectStatus.ACTIVE)
        .correlate(Client)
        .scalar_subquery()
    )
    conditions: list[ColumnElement[bool]] = []
    if status == "active":
        conditions.append(Client.is_active.is_(True))
    elif status == "inactive":
        conditions.append(Client.is_active.is_(False))
    if q:
        conditions.append(Client.name.ilike(like_pattern(q), escape="\\"))
    stmt = select(Client, active_projects).where(*conditions).order_by(Client.name)
    count = select(func.count(Client.id)).where(*conditions)
    return paginate(stmt, count_stmt=count, scalars=False)


def get_client(client_id: int) -> Client | None:
    return db.session.scalar(select(Client).where(Client.id == client_id))


def active_client(client_id: int | None) -> Client | None:
    """The client if it is active (new projects and invoices are for active clients only)."""
    if client_id is None:
        return None
    return db.session.scalar(
        select(Client).where(Client.id == client_id, Client.is_active.is_(True))
    )


def name_taken(name: str, client_id: int | None) -> bool:
    """Whether another client has this name, in any case (the unique index is exact)."""
    other = db.session.scalar(
        select(Client.id).where(func.lower(Client.name) == name.lower(), Client.id != client_id)
    )
    return other is not None


@dataclass(frozen=True)
class Unbilled:
    client_id: int
    client_name: str
    currency: str
    seconds: int
    amount: Decimal

    @property
    def hours(self) -> Decimal:
        return rules.hours(self.seconds)


def unbilled_by_client(limit: int = 10, client_id: int | None = None) -> tuple[list[Unbilled], int]:
    """Completed, billable, not yet invoiced time per client, valued at the project rates:
    of every client (the administrators' dashboard) or of ``client_id`` (its page)."""
    conditions = [expressions.unbilled_condition()]
    if client_id is not None:
        conditions.append(TimeEntry.client_id == client_id)
    stmt = (
        select(
            Client.id,
            Client.name,
            Client.currency,
            func.sum(TimeEntry.duration_seconds),
            expressions.billable_cents_sum(),
        )
        .select_from(TimeEntry)
        .join(Project, Project.id == TimeEntry.project_id)
        .join(Client, Client.id == TimeEntry.client_id)
        .where(*conditions)
        .group_by(Client.id, Client.name, Client.currency)
    )
    rows = db.session.execute(stmt.order_by(Client.name).limit(limit)).all()
    total = db.session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    return [
        Unbilled(cid, name, currency, int(sec or 0), rules.from_cents(cents))
        for cid, name, currency, sec, cents in rows
    ], total
