"""Parsing and validation of the portal's query parameters.

Every function either returns a clean value or raises :class:`ParamError` with a message that
names the allowed values; the portal answers it with a 400 page.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask_babel import gettext
from werkzeug.datastructures import MultiDict

from timetracker.billing import statements
from timetracker.billing.states import PORTAL_FILTERS, InvoiceFilter
from timetracker.formatting import current_locale
from timetracker.i18n import N_
from timetracker.pagination import MAX_PAGE, PageRequest
from timetracker.parsing import (
    MAX_ID,
    DateValueError,
    check_date_range,
    parse_date,
    parse_page,
    parse_whole,
)


class ParamError(ValueError):
    """A query parameter with a value the portal does not accept.

    ``str()`` of it is the English (the API's problem text, the logs); :attr:`text` is the
    message in the language of the page that shows it (a 400 page)."""

    def __init__(self, message: str, **values: object) -> None:
        super().__init__(message % values if values else message)
        self.message = message
        self.values = values

    @property
    def text(self) -> str:
        return gettext(self.message, **self.values)


BAD_RANGE = N_("'date_from' must be on or before 'date_to'.")
#: The invoice filters a client may choose, in the order of the tabs.
INVOICE_FILTERS = tuple(f.value for f in PORTAL_FILTERS)


@dataclass(frozen=True)
class TimeFilters:
    project_id: int | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None

    def as_args(self) -> dict[str, str]:
        """The filters as query arguments (for links that keep them)."""
        args: dict[str, str] = {}
        if self.project_id is not None:
            args["project_id"] = str(self.project_id)
        if self.date_from:
            args["date_from"] = self.date_from.isoformat()
        if self.date_to:
            args["date_to"] = self.date_to.isoformat()
        return args


def _single(args: MultiDict[str, str], name: str) -> str | None:
    values = args.getlist(name)
    if len(values) > 1:
        raise ParamError(
            N_("The parameter '%(name)s' was given more than once; give it once."), name=name
        )
    if not values:
        return None
    return values[0].strip()


def invoice_filter(args: MultiDict[str, str]) -> InvoiceFilter:
    value = _single(args, "status")
    if value is None or value == "":
        return InvoiceFilter.ALL
    if value not in INVOICE_FILTERS:
        raise ParamError(
            N_("Unknown invoice status filter. Allowed values: %(values)s."),
            values=", ".join(INVOICE_FILTERS),
        )
    return InvoiceFilter(value)


def page_request(args: MultiDict[str, str], size: int) -> PageRequest:
    value = _single(args, "page")
    if value is None or value == "":
        return PageRequest(1, size)
    number = parse_page(value)
    if number is None:
        raise ParamError(N_("The page must be a whole number from 1 to %(max)d."), max=MAX_PAGE)
    return PageRequest(number, size)


def date_param(args: MultiDict[str, str], name: str) -> dt.date | None:
    """The date in the query parameter ``name`` (``None`` when absent or empty), ``YYYY-MM-DD``
    (links) or in the firm's format (typed in a filter, ``30.11.2026``); raises
    :class:`ParamError` for a repeated parameter or a date the app does not accept."""
    value = _single(args, name)
    if value is None or value == "":
        return None
    try:
        return parse_date(value, current_locale())
    except DateValueError as exc:
        raise ParamError(N_("'%(name)s': %(problem)s"), name=name, problem=str(exc)) from None


def time_filters(args: MultiDict[str, str]) -> TimeFilters:
    raw_project = _single(args, "project_id")
    project_id: int | None = None
    if raw_project:
        project_id = parse_whole(raw_project, 0, MAX_ID)  # 0 is a missing project: 404
        if project_id is None:
            raise ParamError(N_("'project_id' must be the number of one of your projects."))
    date_from = date_param(args, "date_from")
    date_to = date_param(args, "date_to")
    try:
        check_date_range(date_from, date_to)
    except DateValueError:
        raise ParamError(BAD_RANGE) from None
    return TimeFilters(project_id, date_from, date_to)


def date_range(args: MultiDict[str, str], today: dt.date) -> tuple[dt.date, dt.date]:
    """``date_from``..``date_to`` of a statement of account (by default this year to today,
    :func:`timetracker.billing.statements.period_for`); raises :class:`ParamError`."""
    date_from, date_to = statements.period_for(
        date_param(args, "date_from"), date_param(args, "date_to"), today
    )
    if date_to < date_from:
        raise ParamError(BAD_RANGE)
    return date_from, date_to
