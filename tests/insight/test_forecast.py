"""The forecast on fixed data: the weekly series, the pace of the last four weeks and the day
each budget runs out; used up, no budget, no recent time."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy.orm import Session

from tests.factories import make_client, make_entry, make_project
from tests.insight.conftest import TODAY, Fixed, at
from timetracker.billing.forecast import project_forecast
from timetracker.billing.summaries import project_figures
from timetracker.charts.burndown import forecast_panel


def test_pace_of_the_last_four_weeks_sets_the_day_each_budget_runs_out(
    ctx: Session, fixed: Fixed
) -> None:
    forecast = project_forecast(ctx, fixed.project, None, TODAY)
    assert forecast is not None and forecast.hours and forecast.amount
    hours, amount = forecast.hours, forecast.amount
    assert hours.used == Decimal("70.00") and hours.budget == Decimal("100")
    # 28 h in the 28 days from 12 Nov (the 2 h of 11 Nov are before them): 1 h a day.
    assert hours.pace_per_day == Decimal("1") and hours.pace_per_week == Decimal("7.00")
    assert hours.runs_out == dt.date(2027, 1, 8)  # 30 h left
    assert hours.percent == 70 and not hours.exhausted
    # 7,000.00 of 8,000.00 at 100.00 a day: 10 days.
    assert amount.used == Decimal("7000.00") and amount.pace_per_day == Decimal("100")
    assert amount.runs_out == dt.date(2026, 12, 19)
    assert forecast.recent_from == dt.date(2026, 11, 12)


def test_the_weekly_series_is_cumulative_and_ends_at_the_projects_figures(
    ctx: Session, fixed: Fixed
) -> None:
    forecast = project_forecast(ctx, fixed.project, None, TODAY)
    assert forecast is not None
    figures = project_figures(ctx, [fixed.project], None)[fixed.project.id]
    last = forecast.points[-1]
    assert (last.hours, last.amount) == (figures.hours, figures.billable_amount)
    # From the week before the first time (a project of ten weeks shows ten weeks).
    assert forecast.start.week_start == dt.date(2026, 9, 28) and forecast.start.seconds == 0
    assert [p.week_start for p in forecast.points][:2] == [
        dt.date(2026, 10, 5),
        dt.date(2026, 10, 12),
    ]
    assert last.week_start == dt.date(2026, 12, 7)
    by_week = {p.week_start: p.hours for p in forecast.points}
    assert by_week[dt.date(2026, 10, 5)] == Decimal("40.00")
    assert by_week[dt.date(2026, 11, 9)] == Decimal("42.00")
    assert by_week[dt.date(2026, 11, 30)] == Decimal("63.00")
    hours = [p.hours for p in forecast.points]
    assert hours == sorted(hours)


def test_time_before_the_last_year_is_the_starting_point(ctx: Session, fixed: Fixed) -> None:
    make_entry(ctx, fixed.project, fixed.staff, start=at(dt.date(2025, 1, 6)), minutes=600)
    forecast = project_forecast(ctx, fixed.project, None, TODAY)
    assert forecast is not None
    assert len(forecast.points) == 52 and forecast.start.hours == Decimal("10.00")
    assert forecast.points[-1].hours == Decimal("80.00")


def test_a_used_up_budget_says_in_which_week(ctx: Session, fixed: Fixed) -> None:
    fixed.project.budget_hours = Decimal("60")
    forecast = project_forecast(ctx, fixed.project, None, TODAY)
    assert forecast is not None and forecast.hours is not None
    assert forecast.hours.exhausted and forecast.hours.runs_out is None
    assert forecast.hours.used_up == dt.date(2026, 12, 6)  # 63 h by the end of that week
    panel = forecast_panel(forecast, "EUR")
    assert panel is not None
    assert "was used up in the week ending" in panel.summary(forecast.hours)


def test_no_budget_no_forecast(ctx: Session, fixed: Fixed) -> None:
    fixed.project.budget_hours = None
    fixed.project.budget_amount = None
    assert project_forecast(ctx, fixed.project, None, TODAY) is None
    fixed.project.budget_amount = Decimal("8000")
    assert project_forecast(ctx, fixed.project, None, TODAY, amounts=False) is None
    only_amount = project_forecast(ctx, fixed.project, None, TODAY)
    assert only_amount is not None and only_amount.hours is None and only_amount.amount


def test_without_recent_time_there_is_no_date(ctx: Session, fixed: Fixed) -> None:
    forecast = project_forecast(ctx, fixed.project, None, TODAY + dt.timedelta(days=60))
    assert forecast is not None and forecast.hours is not None
    assert forecast.hours.pace_per_day == 0 and forecast.hours.runs_out is None
    panel = forecast_panel(forecast, "EUR")
    assert panel is not None
    assert panel.summary(forecast.hours).startswith("No time was recorded in the last 4 weeks")


def test_the_summary_states_the_assumption(ctx: Session, fixed: Fixed) -> None:
    forecast = project_forecast(ctx, fixed.project, None, TODAY)
    panel = forecast_panel(forecast, "EUR")
    assert panel is not None and forecast is not None and forecast.hours is not None
    assert panel.summary(forecast.hours) == (
        "At the pace of the last 4 weeks (7.00 h/week), the hours budget runs out around "
        "01/08/2027."
    )


def test_amounts_hidden_leave_hours_only(ctx: Session, fixed: Fixed) -> None:
    forecast = project_forecast(ctx, fixed.project, fixed.client.id, TODAY, amounts=False)
    assert forecast is not None and forecast.amount is None
    assert all(p.amount is None for p in forecast.points)


def test_another_clients_scope_sees_no_time(ctx: Session, fixed: Fixed) -> None:
    other = make_client(ctx)
    forecast = project_forecast(ctx, fixed.project, other.id, TODAY)
    assert forecast is not None and forecast.points[-1].seconds == 0


def test_a_far_forecast_is_clipped_to_the_chart(ctx: Session, fixed: Fixed) -> None:
    project = make_project(ctx, fixed.client, budget_hours=Decimal("5000"))
    make_entry(ctx, project, fixed.staff, start=at(dt.date(2026, 12, 1)), minutes=60)
    panel = forecast_panel(project_forecast(ctx, project, None, TODAY), "EUR")
    assert panel is not None
    chart = panel.charts[0]
    assert chart.forecast_clipped and chart.forecast is not None
    assert chart.forecast[2] == chart.right
