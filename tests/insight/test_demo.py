"""The demo's project about to run out of budget: on the demo data, Website relaunch uses most
of its hours budget and, at its recent pace, runs out within weeks."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from flask import Flask, g
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.insight.conftest import TODAY, Fixed
from timetracker import firm
from timetracker.billing.forecast import project_forecast
from timetracker.demo import load_demo_data
from timetracker.insight.demo import HOURS_DAYS_LEFT, make_project_near_budget
from timetracker.models import Project


def test_the_budget_is_set_from_the_recent_pace(ctx: Session, fixed: Fixed) -> None:
    make_project_near_budget(ctx, fixed.project, TODAY)
    # 70 h used at 1 h a day, 18 days left; 7,000.00 at 100.00 a day, 32 days left.
    assert fixed.project.budget_hours == Decimal("88")
    assert fixed.project.budget_amount == Decimal("10200")
    forecast = project_forecast(ctx, fixed.project, None, TODAY)
    assert forecast is not None and forecast.hours is not None
    assert forecast.hours.runs_out == TODAY + dt.timedelta(days=HOURS_DAYS_LEFT)


def test_the_demo_project_runs_out_within_weeks(app: Flask, session: Session) -> None:
    with app.app_context():
        g.db_session = session
        load_demo_data(session)
        project = session.scalars(select(Project).where(Project.name == "Website relaunch")).one()
        today = firm.today()
        make_project_near_budget(session, project, today)
        forecast = project_forecast(session, project, None, today)
        g.pop("db_session")
    assert forecast is not None and forecast.hours is not None
    assert 80 <= forecast.hours.percent < 100
    assert forecast.hours.runs_out is not None
    assert 14 <= (forecast.hours.runs_out - today).days <= 21
