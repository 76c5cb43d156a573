"""A draft invoice from the client's unbilled billable time, and its preview.

Each line bills hours (rounded up as the settings say: :func:`.rules.billed_hours`) at the
project's rate, in the unit "hours", over the service period of its entries (the first and the
last day they start on, in the firm's timezone); the entries point at their line and are locked
from then on. :func:`plan_lines` computes the lines without writing anything: the preview shows
that plan and :func:`create_invoice_from_time` writes the very same plan, so the two cannot
differ.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

from flask_babel import gettext as _
from sqlalchemy import Select, select, update
from sqlalchemy.orm import Session

from timetracker import firm, formatting
from timetracker.billing.expressions import unbilled_condition
from timetracker.billing.invoicing import InvoiceError, new_invoice, recalculate
from timetracker.billing.periods import day_bounds
from timetracker.billing.rules import billed_hours, document_totals, line_amount, to_cents
from timetracker.i18n import _l
from timetracker.models import Client, Invoice, InvoiceItem, Project, TimeEntry

GroupBy = Literal["project", "task", "entry"]
GROUPINGS: dict[str, Any] = {  # lazy labels: read when the form is shown
    "project": _l("One line per project"),
    "task": _l("One line per project and task description"),
    "entry": _l("One line per time entry"),
}
#: The unit of every line billed from time.
HOURS_UNIT = "hours"


@dataclass(frozen=True)
class PlannedLine:
    """One line as the draft will have it."""

    description: str
    quantity: Decimal
    unit_price: Decimal
    amount: Decimal
    period_start: dt.date
    period_end: dt.date
    #: The seconds worked (before the settings' rounding) and the entries billed.
    seconds: int
    entry_ids: tuple[int, ...]

    @property
    def entry_count(self) -> int:
        return len(self.entry_ids)


@dataclass(frozen=True)
class Plan:
    """The lines of a draft from time, before (or without) writing it."""

    lines: list[PlannedLine]

    @property
    def subtotal(self) -> Decimal:
        return document_totals((line.amount for line in self.lines), Decimal("0"))[0]

    @property
    def quantity(self) -> Decimal:
        return sum((line.quantity for line in self.lines), Decimal("0.00"))

    @property
    def entry_count(self) -> int:
        return sum(line.entry_count for line in self.lines)

    def tax(self, rate: Decimal) -> Decimal:
        return document_totals((line.amount for line in self.lines), rate)[1]

    def total(self, rate: Decimal) -> Decimal:
        return document_totals((line.amount for line in self.lines), rate)[2]


def unbilled_entries_query(
    client_id: int,
    project_ids: Sequence[int] | None,
    date_from: dt.date | None,
    date_to: dt.date | None,
) -> Select[Any]:
    """The client's completed, billable, not yet invoiced entries with their projects (of
    ``project_ids`` only, when given)."""
    start, end = day_bounds(date_from, date_to)
    query = (
        select(TimeEntry, Project)
        .join(Project, Project.id == TimeEntry.project_id)
        .where(
            Project.client_id == client_id,
            unbilled_condition(),
        )
        .order_by(Project.name, TimeEntry.start_time, TimeEntry.id)
    )
    if project_ids:
        query = query.where(TimeEntry.project_id.in_(list(project_ids)))
    if start is not None:
        query = query.where(TimeEntry.start_time >= start)
    if end is not None:
        query = query.where(TimeEntry.start_time < end)
    return query


def _check_choice(
    client: Client, projects: Sequence[Project], date_from: dt.date | None, date_to: dt.date | None
) -> None:
    if any(p.client_id != client.id for p in projects):
        raise InvoiceError(_("The project does not belong to this client."))
    if date_from and date_to and date_from > date_to:
        raise InvoiceError(_("The start date must not be after the end date."))


def plan_lines(
    session: Session,
    client: Client,
    *,
    projects: Sequence[Project] = (),
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    group_by: GroupBy = "project",
) -> Plan:
    """The lines a draft from this time would have; writes nothing."""
    _check_choice(client, projects, date_from, date_to)
    rows = session.execute(
        unbilled_entries_query(client.id, [p.id for p in projects], date_from, date_to)
    ).all()
    rounding = firm.get_settings().invoice_rounding_minutes
    groups: dict[tuple[object, ...], list[TimeEntry]] = {}
    by_id: dict[int, Project] = {}
    for entry, entry_project in rows:
        by_id[entry_project.id] = entry_project
        if group_by == "entry":
            key: tuple[object, ...] = (entry.id,)
        elif group_by == "task":
            key = (entry_project.id, (entry.notes or "").strip())
        else:
            key = (entry_project.id,)
        groups.setdefault(key, []).append(entry)
    return Plan(
        [_line(by_id[e[0].project_id], client, e, group_by, rounding) for e in groups.values()]
    )


def _line(
    project: Project, client: Client, entries: list[TimeEntry], group_by: str, rounding: int
) -> PlannedLine:
    seconds = sum(e.duration_seconds or 0 for e in entries)
    quantity = billed_hours(seconds, rounding)
    rate = project.hourly_rate if project.hourly_rate is not None else client.default_hourly_rate
    rate = to_cents(rate)
    days = [firm.local(e.start_time).date() for e in entries]
    description = project.name
    task = (entries[0].notes or "").strip()
    if group_by == "task" and task:
        description = f"{project.name}: {task}"
    elif group_by == "entry":
        day = formatting.date(days[0])
        description = f"{project.name} ({day})" + (f": {task}" if task else "")
    return PlannedLine(
        description=description[:2000],
        quantity=quantity,
        unit_price=rate,
        amount=line_amount(quantity, rate),
        period_start=min(days),
        period_end=max(days),
        seconds=seconds,
        entry_ids=tuple(e.id for e in entries),
    )


def create_invoice_from_time(
    session: Session,
    client: Client,
    *,
    projects: Sequence[Project] = (),
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    group_by: GroupBy = "project",
    issue_date: dt.date | None = None,
    due_date: dt.date | None = None,
    tax_rate: Decimal = Decimal("0"),
    notes: str | None = None,
) -> Invoice:
    """A draft invoice billing the client's unbilled billable time in the range (of
    ``projects`` only, when given): the lines of :func:`plan_lines`.

    The invoice names its project when it bills exactly one.
    """
    chosen = list(projects)
    plan = plan_lines(
        session, client, projects=chosen, date_from=date_from, date_to=date_to, group_by=group_by
    )
    if not plan.lines:
        raise InvoiceError(_("There is no unbilled billable time for this client in that range."))
    invoice = new_invoice(
        session,
        client,
        project=chosen[0] if len({p.id for p in chosen}) == 1 else None,
        issue_date=issue_date,
        due_date=due_date,
        tax_rate=tax_rate,
        notes=notes,
    )
    items: list[InvoiceItem] = []
    for position, line in enumerate(plan.lines):
        item = InvoiceItem(
            invoice_id=invoice.id,
            position=position,
            description=line.description,
            quantity=line.quantity,
            unit_price=line.unit_price,
            amount=line.amount,
            unit=HOURS_UNIT,
            period_start=line.period_start,
            period_end=line.period_end,
        )
        session.add(item)
        session.flush()
        # Only entries still unbilled are taken: a concurrent invoice cannot bill them twice.
        taken = session.execute(  # type: ignore[attr-defined]  # a CursorResult
            update(TimeEntry)
            .where(TimeEntry.id.in_(line.entry_ids), TimeEntry.invoice_item_id.is_(None))
            .values(invoice_item_id=item.id)
            .execution_options(synchronize_session=False)
        ).rowcount
        if taken != line.entry_count:
            raise InvoiceError(_("Some of this time was billed meanwhile; please try again."))
        items.append(item)
    invoice.items = items
    recalculate(invoice, items)
    session.flush()
    return invoice
