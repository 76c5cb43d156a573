"""How money, hours and dates read on every page."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from functools import lru_cache

from babel.core import Locale, UnknownLocaleError
from babel.dates import format_date as babel_format_date
from babel.numbers import NumberPattern, parse_pattern
from flask import Flask

from timetracker import firm, i18n, local_dates
from timetracker.billing import rules, states
from timetracker.models import Invoice


def current_locale() -> str:
    """The locale numbers and dates are shown and typed in, the one place to read it: the
    firm's (``Settings.locale``) for the language being spoken (:func:`i18n.format_locale`)."""
    name = firm.get_settings().locale or "en_US"
    return i18n.format_locale(name if _parsed_locale(name) is not None else "en_US")


@lru_cache(maxsize=32)
def _parsed_locale(name: str) -> Locale | None:
    try:
        return Locale.parse(name)
    except (UnknownLocaleError, ValueError, TypeError):
        return None


@lru_cache(maxsize=32)
def _two_decimals(name: str) -> Callable[[Decimal], str]:
    """A fast formatter for ``#,##0.00`` in the locale: Python's own grouping with the
    locale's symbols, where the locale groups by threes (Babel is 50x slower per call)."""
    locale = _parsed_locale(name) or Locale.parse("en_US")
    pattern = parse_pattern("#,##0.00")
    standard = locale.decimal_formats.get(None)
    if standard is None or standard.grouping != (3, 3):
        return lambda value: pattern.apply(value, locale)
    symbols = locale.number_symbols.get(locale.default_numbering_system, {})
    table = str.maketrans({",": symbols.get("group", ","), ".": symbols.get("decimal", ".")})
    return lambda value: f"{value:,.2f}".translate(table)


@lru_cache(maxsize=32)
def _currency_pattern(name: str) -> tuple[Locale, NumberPattern]:
    locale = _parsed_locale(name) or Locale.parse("en_US")
    return locale, locale.currency_formats["standard"]


def money(amount: Decimal | None, currency: str | None = None) -> str:
    currency = currency or firm.get_settings().currency
    return _money(amount or Decimal("0"), currency, current_locale())


@lru_cache(maxsize=8192)
def _money(amount: Decimal, currency: str, locale_name: str) -> str:
    """An amount as it reads; remembered, since lists show the same amounts on every visit
    and Babel takes tens of microseconds per amount (equal amounts read alike: the pattern
    rounds to the currency's digits)."""
    locale, pattern = _currency_pattern(locale_name)
    return pattern.apply(amount, locale, currency=currency)


def hours(value: Decimal | int | None, *, seconds: bool = False) -> str:
    amount = rules.hours(value if isinstance(value, int) else 0) if seconds else value
    return _two_decimals(current_locale())(Decimal(amount or 0))


def date(value: dt.date | dt.datetime | None) -> str:
    """The one way a date reads (``11/30/2026`` in en_US, ``30.11.2026`` in de_DE,
    :mod:`timetracker.local_dates`); a moment reads as its day in the firm's timezone."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = firm.local(value).date()
    return local_dates.format_day(value, current_locale())


def long_date(value: dt.date | None) -> str:
    """The same as :func:`date`: pages, emails and PDFs show one date format, so a client
    reads the same date in the email, the PDF and the portal (the name stays for templates)."""
    return date(value)


def month(value: dt.date | None) -> str:
    """A month alone, with its name (``Nov 2026``): chart axes and month headings."""
    if value is None:
        return ""
    return babel_format_date(value, format="MMM y", locale=current_locale())


def date_placeholder() -> str:
    """What an empty date input shows: the format to type (``dd.mm.yyyy``)."""
    return local_dates.date_format(current_locale()).placeholder


def time(value: dt.datetime | None) -> str:
    if value is None:
        return ""
    return firm.local(value).strftime("%H:%M")


def datetime(value: dt.datetime | None) -> str:
    """The day in the one date format and the time (``11/30/2026 18:50``), in the firm's
    timezone."""
    if value is None:
        return ""
    local = firm.local(value)
    return f"{local_dates.format_day(local.date(), current_locale())} {local:%H:%M}"


def init_app(app: Flask) -> None:
    app.add_template_global(firm.get_settings, "firm_settings")
    app.add_template_filter(money)
    app.add_template_filter(lambda v: hours(v, seconds=True), "hours_from_seconds")
    app.add_template_filter(hours)
    app.add_template_filter(date)
    app.add_template_filter(long_date)
    app.add_template_filter(month)
    app.add_template_global(date_placeholder)
    app.add_template_filter(time)
    app.add_template_filter(datetime)
    # Invoice states and balances come from the billing package on every page and document.
    app.add_template_global(invoice_state)
    app.add_template_global(states.open_balance, "open_balance")


def invoice_state(invoice: Invoice) -> states.InvoiceState:
    """The invoice's state today in the firm's timezone (draft, not yet due, overdue...)."""
    return states.state_of(invoice, firm.today())
