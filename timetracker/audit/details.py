"""The detail line of events that say what was taken away: which time entries a client contact
exported from the portal (the project and the range of days they chose)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from timetracker.portal.params import TimeFilters
    from timetracker.portal.scope import PortalScope


def date_span(date_from: dt.date | None, date_to: dt.date | None) -> str:
    """``2026-03-01..2026-03-31``, ``from 2026-03-01``, ``until 2026-03-31`` or ``all dates``."""
    if date_from and date_to:
        return f"{date_from.isoformat()}..{date_to.isoformat()}"
    if date_from:
        return f"from {date_from.isoformat()}"
    if date_to:
        return f"until {date_to.isoformat()}"
    return "all dates"


def time_export_detail(scope: PortalScope, filters: TimeFilters) -> str:
    """``time entries 2026-03-01..2026-03-31``, or ``time entries of Website, ...`` when the
    export is of one project (looked up in the client's scope: the filters were checked)."""
    span = date_span(filters.date_from, filters.date_to)
    if filters.project_id is None:
        return f"time entries {span}"
    return f"time entries of {scope.project(filters.project_id).name}, {span}"
