"""The dashboards' two charts, laid out from figures their callers computed: hours per week,
and invoices per state (one chart per currency: amounts in different currencies are never
added up). The figures come from :mod:`timetracker.billing.summaries`, scoped by the caller."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from babel.dates import format_date
from flask_babel import gettext as _
from flask_babel import ngettext

from timetracker import formatting
from timetracker.billing import rules
from timetracker.billing.states import InvoiceState
from timetracker.billing.summaries import StateAmount, WeekHours
from timetracker.charts.geometry import BarChart, BarSpec, bar_chart, compact_money, plain

#: Weeks the hours chart shows.
WEEKS = 12
HOURS_COLOUR = "#1f4e79"
STATE_COLOURS = {
    InvoiceState.DRAFT: "#6c757d",
    InvoiceState.NOT_YET_DUE: "#0d6efd",
    InvoiceState.OVERDUE: "#b02a37",
    InvoiceState.PAID: "#146c43",
    InvoiceState.CANCELLED: "#868e96",
}


def hours_chart(weeks: Sequence[WeekHours]) -> BarChart:
    """A bar per week; every other week is labelled (always the current one) so that the
    labels stay legible on a phone."""
    locale = formatting.current_locale()
    specs = []
    for i, week in enumerate(weeks):
        labelled = (len(weeks) - 1 - i) % 2 == 0
        specs.append(
            BarSpec(
                label=format_date(week.week_start, "d MMM", locale=locale) if labelled else "",
                value=week.hours,
                value_label="",
                title=_(
                    "Week of %(day)s: %(hours)s hours",
                    day=formatting.long_date(week.week_start),
                    hours=formatting.hours(week.hours),
                ),
                colour=HOURS_COLOUR,
                accent=True,
            )
        )
    return bar_chart(specs, lambda value: f"{plain(value)}")


@dataclass(frozen=True)
class CurrencyChart:
    currency: str
    chart: BarChart
    amounts: list[StateAmount]


def invoice_charts(
    amounts: Sequence[StateAmount], states: Sequence[InvoiceState]
) -> list[CurrencyChart]:
    """One chart of invoice totals per currency, a bar for each state even when empty."""
    locale = formatting.current_locale()
    charts = []
    for currency in sorted({a.currency for a in amounts}):
        by_state = {a.state: a for a in amounts if a.currency == currency}
        zero = rules.ZERO
        rows = [by_state.get(s) or StateAmount(s, currency, 0, zero, zero) for s in states]
        specs = [
            BarSpec(
                label=row.label,
                value=row.total,
                value_label=compact_money(row.total, currency, locale),
                title=ngettext(
                    "%(state)s: %(num)d invoice, %(amount)s invoiced",
                    "%(state)s: %(num)d invoices, %(amount)s invoiced",
                    row.count,
                    state=row.label,
                    amount=formatting.money(row.total, currency),
                ),
                colour=STATE_COLOURS[row.state],
            )
            for row in rows
        ]
        chart = bar_chart(specs, lambda v, c=currency: compact_money(v, c, locale))
        charts.append(CurrencyChart(currency, chart, rows))
    return charts


@dataclass(frozen=True)
class DashboardCharts:
    """What a dashboard draws: hours per week (when the viewer may see time: ``hours`` is
    ``None`` otherwise) and, when the viewer may see invoices, invoice totals by state (one
    chart per currency)."""

    hours_title: str
    weeks: list[WeekHours]
    hours: BarChart | None
    invoices: list[CurrencyChart] | None
    invoice_states: tuple[InvoiceState, ...]

    @property
    def weeks_total(self) -> Decimal:
        return rules.hours(sum(w.seconds for w in self.weeks))


def dashboard_charts(
    hours_title: str,
    weeks: list[WeekHours] | None,
    amounts: Sequence[StateAmount] | None,
    states: Sequence[InvoiceState],
) -> DashboardCharts:
    """``weeks`` ``None``: no hours chart (a portal client that does not see time entries)."""
    return DashboardCharts(
        hours_title=hours_title,
        weeks=weeks or [],
        hours=None if weeks is None else hours_chart(weeks),
        invoices=None if amounts is None else invoice_charts(amounts, states),
        invoice_states=tuple(states),
    )
