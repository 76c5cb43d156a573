"""The dashboard: the signed-in person's hours and timer; for administrators, what to bill."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import render_template
from flask.typing import ResponseReturnValue
from flask_login import current_user

from timetracker import firm
from timetracker.billing import periods
from timetracker.workspace.clients.queries import unbilled_by_client
from timetracker.workspace.dashboard import queries
from timetracker.workspace.time.forms import timer_form
from timetracker.workspace.time.queries import running_timer


def dashboard() -> ResponseReturnValue:
    today = firm.today()
    monday = periods.week_of(today)
    tomorrow = periods.local_day_start(today + dt.timedelta(days=1))
    context: dict[str, Any] = {
        "today_seconds": queries.seconds_between(
            current_user.id, periods.local_day_start(today), tomorrow
        ),
        "week_seconds": queries.seconds_between(
            current_user.id, periods.local_day_start(monday), tomorrow
        ),
        "timer": running_timer(current_user.id),
        "timer_form": timer_form(current_user.id),
        "recent": queries.recent_entries(current_user.id),
        "today": today,
        "charts": queries.dashboard_charts_for(current_user, today),
    }
    if current_user.is_admin:
        context["unbilled"], context["unbilled_total"] = unbilled_by_client()
        context["overdue"], context["overdue_total"] = queries.overdue_invoices(today)
    return render_template("workspace/dashboard.html", **context)
