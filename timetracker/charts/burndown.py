"""The budget burn-down chart, laid out for ``templates/insight/_forecast.html``: one chart per
budget (hours, amount) with the cumulative usage, the budget as a horizontal line and the
forecast as a dashed line to the day the budget runs out, from a
:class:`timetracker.billing.forecast.Forecast`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from babel.dates import format_date
from flask_babel import gettext as _
from flask_babel import ngettext

from timetracker import formatting
from timetracker.billing.forecast import Forecast, MeasureForecast
from timetracker.charts.geometry import (
    BOTTOM,
    HEIGHT,
    LEFT,
    RIGHT,
    TOP,
    WIDTH,
    Tick,
    axis_scale,
    compact_money,
    plain,
)

#: The forecast line is drawn at most this far beyond today (the text gives the date).
HORIZON = dt.timedelta(weeks=26)
X_LABELS = 4


@dataclass(frozen=True)
class XLabel:
    label: str
    x: float


@dataclass(frozen=True)
class BurndownChart:
    measure: MeasureForecast
    width: int
    height: int
    left: int
    right: int
    top: int
    bottom: int
    ticks: list[Tick]
    x_labels: list[XLabel]
    #: The usage line, "x,y x,y ..." for a polyline.
    used_points: str
    budget_y: float
    today_x: float
    #: The dashed forecast: from today's usage to the budget (``None``: no forecast).
    forecast: tuple[float, float, float, float] | None
    #: Whether the forecast runs out beyond the chart's right edge.
    forecast_clipped: bool


def burndown_chart(forecast: Forecast, measure: MeasureForecast, currency: str) -> BurndownChart:
    """Lay out one budget's chart; the x axis runs from the start of the series to today, or
    to the forecast date (at most :data:`HORIZON` ahead)."""
    first = forecast.start.week_end + dt.timedelta(days=1)
    x_end = forecast.today
    clipped = False
    if measure.runs_out is not None:
        x_end = min(measure.runs_out, forecast.today + HORIZON)
        clipped = measure.runs_out > x_end
    span = max((x_end - first).days, 1)
    plot_width = WIDTH - LEFT - RIGHT
    plot_height = HEIGHT - TOP - BOTTOM
    values = [p.value(measure.measure) for p in forecast.points]
    top_value = max([measure.budget, measure.used, *values])
    step, steps = axis_scale(top_value)
    scale_max = step * steps

    def x_of(day: dt.date) -> float:
        return round(LEFT + plot_width * min(max((day - first).days, 0), span) / span, 1)

    def y_of(value: Decimal) -> float:
        return round(TOP + plot_height - plot_height * float(value / scale_max), 1)

    coordinates = [(x_of(first), y_of(forecast.start.value(measure.measure)))]
    for point in forecast.points:
        day = min(point.week_end, forecast.today) + dt.timedelta(days=1)
        coordinates.append((x_of(day), y_of(point.value(measure.measure))))
    line = None
    if measure.runs_out is not None:
        today_x, used_y = coordinates[-1]
        if clipped:
            # Where the straight line to the budget crosses the right edge.
            days_shown = (x_end - forecast.today).days
            reached = measure.used + measure.pace_per_day * days_shown
            line = (today_x, used_y, x_of(x_end), y_of(min(reached, measure.budget)))
        else:
            line = (today_x, used_y, x_of(measure.runs_out), y_of(measure.budget))
    label: Callable[[Decimal], str] = (
        (lambda value: f"{plain(value)}") if measure.measure == "hours" else _money_tick(currency)
    )
    ticks = [
        Tick(label(step * n), round(TOP + plot_height - plot_height * n / steps, 1))
        for n in range(steps + 1)
    ]
    locale = formatting.current_locale()
    x_labels = [
        XLabel(format_date(day, "d MMM", locale=locale), x_of(day))
        for day in _label_days(first, x_end)
    ]
    return BurndownChart(
        measure=measure,
        width=WIDTH,
        height=HEIGHT,
        left=LEFT,
        right=WIDTH - RIGHT,
        top=TOP,
        bottom=TOP + plot_height,
        ticks=ticks,
        x_labels=x_labels,
        used_points=" ".join(f"{x},{y}" for x, y in coordinates),
        budget_y=y_of(measure.budget),
        today_x=coordinates[-1][0],
        forecast=line,
        forecast_clipped=clipped,
    )


def _money_tick(currency: str) -> Callable[[Decimal], str]:
    locale = formatting.current_locale()

    def label(value: Decimal) -> str:
        return compact_money(value, currency, locale)

    return label


def _label_days(first: dt.date, last: dt.date) -> list[dt.date]:
    span = (last - first).days
    if span <= 0:
        return [first]
    return [first + dt.timedelta(days=span * i // (X_LABELS - 1)) for i in range(X_LABELS)]


@dataclass(frozen=True)
class ForecastPanel:
    """The forecast section of a project page: the figures, a chart and a sentence per
    budget."""

    forecast: Forecast
    charts: list[BurndownChart]
    currency: str

    def summary(self, measure: MeasureForecast) -> str:
        return summary(self.forecast, measure, self.currency)


def forecast_panel(forecast: Forecast | None, currency: str) -> ForecastPanel | None:
    """``None`` (nothing drawn) for a project without a budget the reader may see; amounts
    are in the client's ``currency``."""
    if forecast is None:
        return None
    charts = [burndown_chart(forecast, m, currency) for m in forecast.measures]
    return ForecastPanel(forecast, charts, currency)


def _quantity(measure: MeasureForecast, value: Decimal, currency: str) -> str:
    if measure.measure == "hours":
        return _("%(hours)s h", hours=formatting.hours(value))
    return formatting.money(value, currency)


def summary(forecast: Forecast, measure: MeasureForecast, currency: str) -> str:
    """The forecast in words, with its assumption (the pace of the last four weeks). One
    sentence per budget: "the hours budget" and "the budget in money" differ in gender and
    case once translated."""
    hours = measure.measure == "hours"
    weeks = forecast.recent_days // 7
    pace = _quantity(measure, measure.pace_per_week, currency)
    if measure.exhausted:
        if measure.used_up is None:
            if hours:
                return _("The hours budget is used up (%(percent)s %%).", percent=measure.percent)
            return _("The budget in money is used up (%(percent)s %%).", percent=measure.percent)
        day = formatting.long_date(measure.used_up)
        if hours:
            return _(
                "The hours budget was used up in the week ending %(day)s (%(percent)s %% used).",
                day=day,
                percent=measure.percent,
            )
        return _(
            "The budget in money was used up in the week ending %(day)s (%(percent)s %% used).",
            day=day,
            percent=measure.percent,
        )
    if measure.runs_out is None:
        remaining = _quantity(measure, measure.remaining, currency)
        if hours:
            return ngettext(
                "No time was recorded in the last %(num)d week, so there is no forecast: "
                "%(remaining)s of the hours budget remain.",
                "No time was recorded in the last %(num)d weeks, so there is no forecast: "
                "%(remaining)s of the hours budget remain.",
                weeks,
                remaining=remaining,
            )
        return ngettext(
            "No time was recorded in the last %(num)d week, so there is no forecast: "
            "%(remaining)s of the budget in money remain.",
            "No time was recorded in the last %(num)d weeks, so there is no forecast: "
            "%(remaining)s of the budget in money remain.",
            weeks,
            remaining=remaining,
        )
    day = formatting.long_date(measure.runs_out)
    if hours:
        return ngettext(
            "At the pace of the last %(num)d week (%(pace)s/week), the hours budget runs out "
            "around %(day)s.",
            "At the pace of the last %(num)d weeks (%(pace)s/week), the hours budget runs out "
            "around %(day)s.",
            weeks,
            pace=pace,
            day=day,
        )
    return ngettext(
        "At the pace of the last %(num)d week (%(pace)s/week), the budget in money runs out "
        "around %(day)s.",
        "At the pace of the last %(num)d weeks (%(pace)s/week), the budget in money runs out "
        "around %(day)s.",
        weeks,
        pace=pace,
        day=day,
    )
