"""Reads of the dashboard: the signed-in person's hours and recent entries, their charts, and
(for administrators) the overdue invoices."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import contains_eager

from timetracker import db
from timetracker.billing import states
from timetracker.billing.states import STATE_ORDER
from timetracker.billing.summaries import EVERY_CLIENT, invoice_amounts_by_state, weekly_hours
from timetracker.charts.dashboards import WEEKS, DashboardCharts, dashboard_charts
from timetracker.models import Invoice, TimeEntry, User
from timetracker.workspace.time.queries import entries_with_names


def seconds_between(user_id: int, start: dt.datetime, end: dt.datetime) -> int:
    """Seconds of the user's completed entries that start in ``[start, end)``."""
    return int(
        db.session.scalar(
            select(func.coalesce(func.sum(TimeEntry.duration_seconds), 0)).where(
                TimeEntry.user_id == user_id,
                TimeEntry.start_time >= start,
                TimeEntry.start_time < end,
                TimeEntry.end_time.is_not(None),
            )
        )
        or 0
    )


def recent_entries(user_id: int, limit: int = 8) -> Sequence[TimeEntry]:
    return (
        db.session.scalars(
            entries_with_names()
            .where(TimeEntry.user_id == user_id)
            .order_by(TimeEntry.start_time.desc(), TimeEntry.id.desc())
            .limit(limit)
        )
        .unique()
        .all()
    )


def overdue_invoices(today: dt.date, limit: int = 10) -> tuple[Sequence[Invoice], int]:
    """The first ``limit`` overdue invoices, longest overdue first, and how many there are."""
    condition = states.overdue_condition(today)
    invoices = db.session.scalars(
        select(Invoice)
        .join(Invoice.client)
        .options(contains_eager(Invoice.client))
        .where(condition)
        .order_by(Invoice.due_date, Invoice.id)
        .limit(limit)
    ).all()
    total = db.session.scalar(select(func.count(Invoice.id)).where(condition)) or 0
    return invoices, total


def dashboard_charts_for(user: User, today: dt.date) -> DashboardCharts:
    """The person's own hours per week; for administrators, every invoice of the firm (drafts
    included) by state."""
    weeks = weekly_hours(db.session, TimeEntry.user_id == user.id, today, WEEKS)
    amounts = None
    if user.is_admin:
        amounts = invoice_amounts_by_state(db.session, EVERY_CLIENT, today, include_drafts=True)
    return dashboard_charts(_("Your hours per week"), weeks, amounts, STATE_ORDER)
