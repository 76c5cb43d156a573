"""How money, hours and dates read on every page."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from babel.core import Locale, UnknownLocaleError
from babel.dates import format_date as babel_format_date
from babel.numbers import format_currency, format_decimal
from flask import Flask

from timetracker import firm
from timetracker.models.time_entries import seconds_to_hours


def _locale() -> str:
    name = firm.get_settings().locale or "en_US"
    try:
        Locale.parse(name)
    except (UnknownLocaleError, ValueError):
        return "en_US"
    return name


def money(amount: Decimal | None, currency: str | None = None) -> str:
    currency = currency or firm.get_settings().currency
    return format_currency(amount or Decimal("0"), currency, locale=_locale())


def hours(value: Decimal | int | None, *, seconds: bool = False) -> str:
    amount = seconds_to_hours(value if isinstance(value, int) else 0) if seconds else value
    return format_decimal(amount or Decimal("0"), format="#,##0.00", locale=_locale())


def date(value: dt.date | dt.datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = firm.local(value).date()
    return value.isoformat()


def long_date(value: dt.date | None) -> str:
    if value is None:
        return ""
    return babel_format_date(value, format="medium", locale=_locale())


def time(value: dt.datetime | None) -> str:
    if value is None:
        return ""
    return firm.local(value).strftime("%H:%M")


def datetime(value: dt.datetime | None) -> str:
    if value is None:
        return ""
    return firm.local(value).strftime("%Y-%m-%d %H:%M")


def init_app(app: Flask) -> None:
    app.add_template_global(firm.get_settings, "firm_settings")
    app.add_template_filter(money)
    app.add_template_filter(lambda v: hours(v, seconds=True), "hours_from_seconds")
    app.add_template_filter(hours)
    app.add_template_filter(date)
    app.add_template_filter(long_date)
    app.add_template_filter(time)
    app.add_template_filter(datetime)
