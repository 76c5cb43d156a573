"""The dashboard: the signed-in person's hours and timer; for administrators, what to bill."""

from __future__ import annotations

import datetime as dt

from flask import render_template
from flask_login import current_user

from timetracker import db, firm
from timetracker.billing import periods
from timetracker.billing.states import STATE_ORDER
from timetracker.billing.summaries import EVERY_CLIENT, invoice_amounts_by_state, weekly_hours
from timetracker.charts.dashboards import WEEKS, DashboardCharts, dashboard_charts
from timetracker.models import TimeEntry, User
from timetracker.workspace import queries
from timetracker.workspace.time_entries import timer_form


def _charts(user: User, today: dt.date) -> DashboardCharts:
    """The person's own hours per week; for administrators, every invoice of the firm (drafts
    included) by state."""
    weeks = weekly_hours(db.session, TimeEntry.user_id == user.id, today, WEEKS)
    amounts = None
    if user.is_admin:
        amounts = invoice_amounts_by_state(db.session, EVERY_CLIENT, today, include_drafts=True)
    return dashboard_charts("Your hours per week", weeks, amounts, STATE_ORDER)


def dashboard():  # type: ignore[no-untyped-def]
    today = firm.today()
    monday = periods.week_of(today)
    tomorrow = periods.local_day_start(today + dt.timedelta(days=1))
    context = {
        "today_seconds": queries.seconds_between(
            current_user.id, periods.local_day_start(today), tomorrow
        ),
        "week_seconds": queries.seconds_between(
            current_user.id, periods.local_day_start(monday), tomorrow
        ),
        "timer": queries.running_timer(current_user.id),
        "timer_form": timer_form(),
        "recent": queries.recent_entries(current_user.id),
        "today": today,
        "charts": _charts(current_user, today),
    }
    if current_user.is_admin:
        context["unbilled"], context["unbilled_total"] = queries.unbilled_by_client()
        context["overdue"], context["overdue_total"] = queries.overdue_invoices(today)
    return render_template("workspace/dashboard.html", **context)
