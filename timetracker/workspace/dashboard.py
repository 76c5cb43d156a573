"""The dashboard: the signed-in person's hours and timer; for administrators, what to bill."""

from __future__ import annotations

import datetime as dt

from flask import render_template
from flask_login import current_user

from timetracker import charts, firm
from timetracker.workspace import queries
from timetracker.workspace.time_entries import timer_form


def dashboard():  # type: ignore[no-untyped-def]
    today = firm.today()
    monday = queries.week_of(today)
    tomorrow = firm.local_day_start(today + dt.timedelta(days=1))
    context = {
        "today_seconds": queries.seconds_between(
            current_user.id, firm.local_day_start(today), tomorrow
        ),
        "week_seconds": queries.seconds_between(
            current_user.id, firm.local_day_start(monday), tomorrow
        ),
        "timer": queries.running_timer(current_user.id),
        "timer_form": timer_form(),
        "recent": queries.recent_entries(current_user.id),
        "today": today,
        "charts": charts.staff_dashboard_charts(current_user),
    }
    if current_user.is_admin:
        context["unbilled"], context["unbilled_total"] = queries.unbilled_by_client()
        context["overdue"], context["overdue_total"] = queries.overdue_invoices(today)
    return render_template("workspace/dashboard.html", **context)
