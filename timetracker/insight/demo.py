"""The demo's project about to run out of budget: its budgets are set from its own time so that
most of them is used and, at the pace of its last four weeks, the rest runs out within weeks."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_CEILING, Decimal

from sqlalchemy.orm import Session

from timetracker.billing.forecast import project_forecast
from timetracker.models import Project

#: Days of work left in the hours budget, and in the budget in money, at the recent pace.
HOURS_DAYS_LEFT = 18
AMOUNT_DAYS_LEFT = 32


def make_project_near_budget(session: Session, project: Project, today: dt.date) -> None:
    """Set ``project``'s budgets so that its hours budget runs out about
    :data:`HOURS_DAYS_LEFT` days after ``today`` and its budget in money (when it has one)
    about :data:`AMOUNT_DAYS_LEFT` days after. Call after its time entries are flushed; a
    project without time in the last four weeks keeps its budgets (it has no pace)."""
    project.budget_hours = project.budget_hours or Decimal(1)  # the forecast needs a budget
    forecast = project_forecast(session, project, None, today)
    if forecast is None or forecast.hours is None or forecast.hours.pace_per_day <= 0:
        return
    project.budget_hours = _whole(forecast.hours.used, forecast.hours.pace_per_day, HOURS_DAYS_LEFT)
    amount = forecast.amount
    if project.budget_amount is not None and amount is not None and amount.pace_per_day > 0:
        project.budget_amount = _whole(amount.used, amount.pace_per_day, AMOUNT_DAYS_LEFT)
    session.flush()


def _whole(used: Decimal, pace: Decimal, days: int) -> Decimal:
    """``used`` plus ``days`` at ``pace``, rounded up to a whole number."""
    return (used + pace * days).to_integral_value(rounding=ROUND_CEILING)
