"""Date ranges. A person types and reads dates in the firm's timezone; the database keeps UTC.

A range ``date_from..date_to`` includes both days; as instants it is ``[start, end)`` from local
midnight of ``date_from`` to local midnight after ``date_to``. An entry belongs to the day (week,
month) on which it starts. Weeks run Monday to Sunday.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from timetracker import firm


def local_day_start(day: dt.date, at: dt.time = dt.time.min) -> dt.datetime:
    """The UTC instant at which ``day`` begins in the firm's timezone (or, given ``at``, that
    time of the day there)."""
    return dt.datetime.combine(day, at, tzinfo=firm.timezone()).astimezone(dt.UTC)


def day_bounds(
    date_from: dt.date | None, date_to: dt.date | None
) -> tuple[dt.datetime | None, dt.datetime | None]:
    """UTC bounds ``[start, end)`` of an inclusive local date range (either end open)."""
    # A bound outside the calendar (before year 1 or after 9999 in UTC) leaves the range open
    # at that end: no instant lies beyond it.
    start = _day_start_or_none(date_from) if date_from else None
    end = None
    if date_to:
        after = shift_days(date_to, 1)
        end = _day_start_or_none(after) if after else None
    return start, end


def _day_start_or_none(day: dt.date) -> dt.datetime | None:
    try:
        return local_day_start(day)
    except OverflowError:
        return None


def shift_days(day: dt.date, days: int) -> dt.date | None:
    """``day`` moved by ``days`` days; ``None`` when that leaves the calendar."""
    try:
        return day + dt.timedelta(days=days)
    except OverflowError:
        return None


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def month_end(day: dt.date) -> dt.date:
    """The last day of ``day``'s month."""
    if day.month == 12:
        return day.replace(day=31)
    return day.replace(month=day.month + 1, day=1) - dt.timedelta(days=1)


def quarter_start(day: dt.date) -> dt.date:
    """The first day of ``day``'s calendar quarter (January, April, July, October)."""
    return day.replace(month=3 * ((day.month - 1) // 3) + 1, day=1)


def week_of(day: dt.date) -> dt.date:
    """The Monday of ``day``'s week."""
    return day - dt.timedelta(days=day.weekday())  # 0001-01-01 is a Monday: never overflows


def week_starts(today: dt.date, weeks: int) -> list[dt.date]:
    """The Mondays of the last ``weeks`` weeks, oldest first; the last is this week's."""
    if weeks < 1:
        raise ValueError("weeks must be at least 1")
    monday = week_of(today)
    return [monday - dt.timedelta(weeks=weeks - 1 - i) for i in range(weeks)]


def utc_month_floor(moment: dt.datetime) -> dt.datetime:
    """The start of the UTC month containing ``moment`` (the monthly totals' months)."""
    return moment.astimezone(dt.UTC).replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def utc_next_month_start(moment: dt.datetime) -> dt.datetime:
    """The first UTC month boundary at or after ``moment``."""
    floor = utc_month_floor(moment)
    if floor == moment:
        return floor
    return (floor + dt.timedelta(days=32)).replace(day=1)


@dataclass(frozen=True)
class MonthSplit:
    """A range ``[start, end)`` as the whole UTC months inside it, read from the monthly totals
    (``months``: the first month and the month after the last, either ``None`` where the range
    is open; ``None`` altogether when the range holds no whole month), and the spans at its
    ends that must be summed from the entries themselves (``edges``)."""

    months: tuple[dt.date | None, dt.date | None] | None
    edges: list[tuple[dt.datetime, dt.datetime]]


def split_by_months(start: dt.datetime | None, end: dt.datetime | None) -> MonthSplit:
    """The one way a range is cut for the monthly totals (the portal's totals, the reports)."""
    first_month = utc_next_month_start(start) if start is not None else None
    end_month = utc_month_floor(end) if end is not None else None
    if first_month is not None and end_month is not None and first_month >= end_month:
        assert start is not None and end is not None
        return MonthSplit(None, [(start, end)])
    edges = []
    if start is not None and first_month is not None and start < first_month:
        edges.append((start, first_month))
    if end is not None and end_month is not None and end_month < end:
        edges.append((end_month, end))
    months = (
        first_month.date() if first_month is not None else None,
        end_month.date() if end_month is not None else None,
    )
    return MonthSplit(months, edges)
