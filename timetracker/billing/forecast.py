"""A project's budget burn-down: its usage week by week, the pace of its recent weeks, and the
day on which that pace would use up each budget.

* **Series**: the cumulative hours and billable amount at the end of each week (Monday to
  Sunday in the firm's timezone) of the last :data:`WEEKS` weeks, starting from the total of all
  time before them, from the project's completed entries in one grouped statement. The billable
  amount follows the billing rules (:mod:`.expressions`), so the last point equals the
  project's figures (:func:`.summaries.project_figures`).
* **Pace**: the usage of the trailing :data:`RECENT_DAYS` days (today included) divided by
  that many days.
* **Forecast**: today + remaining / pace, in whole days (rounded up); none without a budget,
  without recent time, or when the budget is already used up (then the week in which it was
  used up, read from the series).

Everything is ``Decimal`` (hours with two decimals, money in cents).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal

from sqlalchemy import ColumnElement, case, func, select
from sqlalchemy.orm import Session

from timetracker.billing import expressions, rules
from timetracker.billing.periods import local_day_start, week_starts
from timetracker.models import Client, Project, TimeEntry

#: Weeks the series shows at most; the time before them is its starting point.
WEEKS = 52
#: The days whose usage sets the pace.
RECENT_DAYS = 28
#: Weeks shown at least, even for a project younger than that.
MIN_WEEKS = 4
HOURS, AMOUNT = "hours", "amount"


@dataclass(frozen=True)
class WeekPoint:
    """The usage up to the end of one week (cumulative)."""

    week_start: dt.date
    seconds: int
    #: Cents of billable time; ``None`` when the reader may not see amounts.
    cents: int | None

    @property
    def week_end(self) -> dt.date:
        return self.week_start + dt.timedelta(days=6)

    @property
    def hours(self) -> Decimal:
        return rules.hours(self.seconds)

    @property
    def amount(self) -> Decimal | None:
        return None if self.cents is None else rules.from_cents(self.cents)

    def value(self, measure: str) -> Decimal:
        if measure == HOURS:
            return self.hours
        return self.amount or rules.ZERO


@dataclass(frozen=True)
class MeasureForecast:
    """One budget (hours or amount): how much is used, the recent pace, and when it runs out."""

    measure: str
    budget: Decimal
    used: Decimal
    #: Usage per day over the trailing :data:`RECENT_DAYS` days.
    pace_per_day: Decimal
    #: The day the budget runs out at that pace; ``None`` without pace or when used up.
    runs_out: dt.date | None
    #: The last day of the week in which the budget was used up (``None``: not used up).
    used_up: dt.date | None

    @property
    def remaining(self) -> Decimal:
        return max(self.budget - self.used, rules.ZERO)

    @property
    def percent(self) -> int:
        return rules.percent(self.used, self.budget) or 0

    @property
    def pace_per_week(self) -> Decimal:
        return rules.to_cents(self.pace_per_day * 7)

    @property
    def exhausted(self) -> bool:
        return self.used >= self.budget


@dataclass(frozen=True)
class Forecast:
    """What the burn-down chart draws and its text says."""

    project: Project
    today: dt.date
    #: Cumulative usage before the first week shown.
    start: WeekPoint
    points: list[WeekPoint]
    hours: MeasureForecast | None
    amount: MeasureForecast | None
    recent_days: int = RECENT_DAYS

    @property
    def measures(self) -> list[MeasureForecast]:
        return [m for m in (self.hours, self.amount) if m is not None]

    @property
    def recent_from(self) -> dt.date:
        return self.today - dt.timedelta(days=self.recent_days - 1)


def has_budget(project: Project, amounts: bool = True) -> bool:
    """Whether the project has a budget the reader may see (positive hours, or an amount)."""
    if project.budget_hours is not None and project.budget_hours > 0:
        return True
    return amounts and project.budget_amount is not None and project.budget_amount > 0


def project_forecast(
    session: Session,
    project: Project,
    client_id: int | None,
    today: dt.date,
    *,
    amounts: bool = True,
    weeks: int = WEEKS,
    shown: ColumnElement[bool] | None = None,
) -> Forecast | None:
    """The burn-down of ``project``; ``None`` when it has no budget the reader may see. The
    portal passes its client's id (the statement starts from it) and ``amounts`` as the
    client's visibility says, and ``shown``, the entries its publish gate lets through; staff
    pages pass ``None`` and ``True``."""
    if not has_budget(project, amounts):
        return None
    starts = week_starts(today, weeks)
    bounds = [local_day_start(day) for day in starts]
    recent_start = local_day_start(today - dt.timedelta(days=RECENT_DAYS - 1))
    bucket = case(
        (TimeEntry.start_time < bounds[0], -1),
        *[(TimeEntry.start_time < bounds[i + 1], i) for i in range(weeks - 1)],
        else_=weeks - 1,
    )
    recent = TimeEntry.start_time >= recent_start
    billable = expressions.billable_condition()
    value = expressions.entry_value_cents()
    query = (
        select(
            bucket.label("week"),
            expressions.seconds_sum(),
            expressions.billable_cents_sum(),
            func.coalesce(func.sum(case((recent, TimeEntry.duration_seconds), else_=0)), 0),
            func.coalesce(func.sum(case((recent & billable, value), else_=0)), 0),
        )
        .join(Project, Project.id == TimeEntry.project_id)
        .join(Client, Client.id == Project.client_id)
        .where(TimeEntry.project_id == project.id, TimeEntry.end_time.is_not(None))
        .group_by(bucket)
    )
    if client_id is not None:
        query = query.where(Project.client_id == client_id)
    if shown is not None:
        query = query.where(shown)
    per_week: dict[int, tuple[int, int]] = {}
    recent_seconds = recent_cents = 0
    for week, seconds, cents, r_seconds, r_cents in session.execute(query):
        per_week[int(week)] = (int(seconds), int(cents))
        recent_seconds += int(r_seconds)
        recent_cents += int(r_cents)

    seconds, cents = per_week.get(-1, (0, 0))
    start = WeekPoint(starts[0] - dt.timedelta(days=7), seconds, cents if amounts else None)
    points = []
    for i, monday in enumerate(starts):
        add_seconds, add_cents = per_week.get(i, (0, 0))
        seconds, cents = seconds + add_seconds, cents + add_cents
        points.append(WeekPoint(monday, seconds, cents if amounts else None))
    start, points = _trimmed(start, points)

    last = points[-1]
    hours = _measure(
        HOURS, project.budget_hours, last.hours, rules.hours(recent_seconds), today, points
    )
    amount = None
    if amounts:
        amount = _measure(
            AMOUNT,
            project.budget_amount,
            last.amount or rules.ZERO,
            rules.from_cents(recent_cents),
            today,
            points,
        )
    return Forecast(project, today, start, points, hours, amount)


def _trimmed(start: WeekPoint, points: list[WeekPoint]) -> tuple[WeekPoint, list[WeekPoint]]:
    """Without the leading weeks of a project that had no time yet (at least
    :data:`MIN_WEEKS` weeks stay)."""
    if start.seconds:
        return start, points
    first = next((i for i, p in enumerate(points) if p.seconds), len(points))
    first = min(first, len(points) - MIN_WEEKS)
    if first <= 0:
        return start, points
    before = points[first - 1]
    return WeekPoint(before.week_start, 0, None if start.cents is None else 0), points[first:]


def _measure(
    measure: str,
    budget: Decimal | None,
    used: Decimal,
    recent: Decimal,
    today: dt.date,
    points: list[WeekPoint],
) -> MeasureForecast | None:
    if budget is None or budget <= 0:
        return None
    pace = recent / RECENT_DAYS
    runs_out = used_up = None
    if used >= budget:
        week = next((p for p in points if p.value(measure) >= budget), None)
        used_up = min(week.week_end, today) if week else None
    elif pace > 0:
        days = ((budget - used) / pace).to_integral_value(rounding=ROUND_CEILING)
        runs_out = _shifted(today, int(days))
    return MeasureForecast(
        measure=measure,
        budget=budget,
        used=used,
        pace_per_day=pace.quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP),
        runs_out=runs_out,
        used_up=used_up,
    )


def _shifted(day: dt.date, days: int) -> dt.date | None:
    try:
        return day + dt.timedelta(days=days)
    except OverflowError:
        return None
