"""Pages of a list: the total is counted in SQL and only one page of rows is fetched."""

from __future__ import annotations

import math
from typing import Any

from flask import abort, current_app, request
from flask_babel import gettext as _
from sqlalchemy import Select, func, select

from timetracker import db
from timetracker.pagination import Page
from timetracker.parsing import parse_page


def requested_page() -> int:
    """The ``page`` query parameter; anything but a whole number from 1 up is a 400."""
    number = parse_page(request.args.get("page", "1").strip() or "1")
    if number is None:
        abort(400, _("The page number must be a whole number from 1 up."))
    return number


def paginate(
    stmt: Select[Any],
    *,
    count_stmt: Select[Any] | None = None,
    number: int | None = None,
    size: int | None = None,
    scalars: bool = True,
) -> Page:
    """Run ``stmt`` for one page (SQL LIMIT/OFFSET) after counting its rows (SQL COUNT).

    A page past the end shows the last page. ``count_stmt`` may give a cheaper count query;
    by default the statement itself is counted as a subquery.
    """
    size = size or current_app.config.get("PAGE_SIZE", 50)
    number = number if number is not None else requested_page()
    if count_stmt is None:
        count_stmt = select(func.count()).select_from(stmt.order_by(None).subquery())
    total = db.session.scalar(count_stmt) or 0
    number = min(number, max(1, math.ceil(total / size)))
    page_stmt = stmt.limit(size).offset((number - 1) * size)
    result = db.session.execute(page_stmt)
    items = list(result.scalars()) if scalars else list(result.all())
    return Page(items=items, total=total, number=number, size=size)
