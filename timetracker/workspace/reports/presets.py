"""The report's date presets: named ranges of days around today, in the firm's timezone.

Each preset is an inclusive ``date_from..date_to`` range, to be turned into instants by
:func:`timetracker.billing.periods.day_bounds` like every other range. Weeks run Monday to
Sunday (:func:`timetracker.billing.periods.week_of`), whatever the locale: the dashboard's and
the week view's weeks are the same. Quarters are calendar quarters (January, April, July,
October). Ranges are clipped to the supported dates (:mod:`timetracker.parsing`), so a preset
never leaves the calendar.
The calendar arithmetic (weeks, month and quarter bounds) is :mod:`timetracker.billing.periods`;
this module names the ranges the report offers.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from timetracker.billing import periods
from timetracker.i18n import _l
from timetracker.parsing import MAX_DATE, MIN_DATE

#: Preset key -> label, in the order the page offers them.
PRESETS: dict[str, Any] = {
    "this_week": _l("This week"),
    "last_week": _l("Last week"),
    "this_month": _l("This month"),
    "last_month": _l("Last month"),
    "this_quarter": _l("This quarter"),
    "this_year": _l("This year"),
    "all": _l("All dates"),
}
#: What the report shows without a period: this month's time; the unbilled view, all of it.
DEFAULT = "this_month"
DEFAULT_UNBILLED = "all"
CUSTOM = "custom"

Range = tuple[dt.date | None, dt.date | None]


def _clip(day: dt.date) -> dt.date:
    return min(max(day, MIN_DATE), MAX_DATE)


def _days(first: dt.date, count: int) -> Range:
    """``count`` days from ``first``, clipped to the supported dates."""
    last = periods.shift_days(first, count - 1) or dt.date.max
    return _clip(first), _clip(last)


def preset_range(preset: str, today: dt.date) -> Range:
    """The inclusive days of ``preset`` (a key of :data:`PRESETS`) around ``today``.

    Raises ``KeyError`` for an unknown preset.
    """
    if preset not in PRESETS:
        raise KeyError(preset)
    if preset == "all":
        return None, None
    if preset in ("this_week", "last_week"):
        monday = periods.week_of(today)
        if preset == "last_week":
            monday = periods.shift_days(monday, -7) or dt.date.min
        return _days(monday, 7)
    if preset == "this_month":
        return _clip(periods.month_start(today)), _clip(periods.month_end(today))
    if preset == "last_month":
        last = periods.shift_days(periods.month_start(today), -1) or dt.date.min
        return _clip(periods.month_start(last)), _clip(last)
    if preset == "this_quarter":
        first = periods.quarter_start(today)
        return _clip(first), _clip(periods.month_end(first.replace(month=first.month + 2)))
    # this_year
    return _clip(today.replace(month=1, day=1)), _clip(today.replace(month=12, day=31))


def matching_preset(date_from: dt.date | None, date_to: dt.date | None, today: dt.date) -> str:
    """The preset whose days are exactly ``date_from..date_to``, else :data:`CUSTOM` (so a
    range typed by hand that is "last month" is shown as last month)."""
    for preset in PRESETS:
        if preset_range(preset, today) == (date_from, date_to):
            return preset
    return CUSTOM
