"""Dashboard charts: the data, computed in SQL, and the geometry of a bar chart drawn as SVG.

Charts are drawn on the server (``templates/charts/``) so they need no script and pass the
Content-Security-Policy; each comes with a table of the same numbers for screen readers and for
anyone who prefers figures.

The queries take their conditions from the caller: the portal passes the conditions of its
``PortalScope`` (every query starts from the client id), the staff dashboard its own. Each is
one statement grouped in the database, whatever the number of rows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal
from typing import Any

from babel.dates import format_date
from babel.numbers import format_compact_currency
from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session

from timetracker import db, firm, formatting
from timetracker.models import Invoice, InvoiceStatus, TimeEntry, User
from timetracker.models.time_entries import seconds_to_hours

WEEKS = 12
ZERO = Decimal("0.00")


# Data ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class WeekHours:
    """The completed time recorded in one week, Monday to Sunday in the firm's timezone."""

    week_start: dt.date
    seconds: int

    @property
    def hours(self) -> Decimal:
        return seconds_to_hours(self.seconds)

    @property
    def week_end(self) -> dt.date:
        return self.week_start + dt.timedelta(days=6)


class StatusCategory:
    """How invoices are grouped: their stored status, with "sent" split by the due date
    (overdue is derived, never stored)."""

    DRAFT = "draft"
    UNPAID = "unpaid"
    OVERDUE = "overdue"
    PAID = "paid"
    CANCELLED = "cancelled"

    ORDER = (DRAFT, UNPAID, OVERDUE, PAID, CANCELLED)
    LABELS = {
        DRAFT: "Draft",
        UNPAID: "Unpaid",
        OVERDUE: "Overdue",
        PAID: "Paid",
        CANCELLED: "Cancelled",
    }
    COLOURS = {
        DRAFT: "#6c757d",
        UNPAID: "#0d6efd",
        OVERDUE: "#b02a37",
        PAID: "#146c43",
        CANCELLED: "#868e96",
    }


@dataclass(frozen=True)
class StatusAmount:
    """Invoices of one status category in one currency."""

    category: str
    currency: str
    count: int
    total: Decimal
    balance: Decimal

    @property
    def label(self) -> str:
        return StatusCategory.LABELS[self.category]


def week_starts(today: dt.date, weeks: int = WEEKS) -> list[dt.date]:
    """The Mondays of the last ``weeks`` weeks, oldest first; the last is this week's."""
    if weeks < 1:
        raise ValueError("weeks must be at least 1")
    monday = today - dt.timedelta(days=today.weekday())
    return [monday - dt.timedelta(weeks=weeks - 1 - i) for i in range(weeks)]


def weekly_hours(
    session: Session, conditions: Iterable[Any], today: dt.date, weeks: int = WEEKS
) -> list[WeekHours]:
    """Completed time per week over the last ``weeks`` weeks (empty weeks included).

    Weeks begin at local midnight on Monday, so the boundaries are computed in Python (they
    move with daylight saving time) and the rows are bucketed by a CASE over them in SQL.
    """
    starts = week_starts(today, weeks)
    bounds = [firm.local_day_start(day) for day in starts]
    bounds.append(firm.local_day_start(starts[-1] + dt.timedelta(days=7)))
    bucket = case(
        *[(TimeEntry.start_time < bounds[i + 1], i) for i in range(weeks - 1)],
        else_=weeks - 1,
    )
    bucketed = (
        select(bucket.label("week"), TimeEntry.duration_seconds.label("seconds"))
        .where(
            *conditions,
            TimeEntry.end_time.is_not(None),
            TimeEntry.start_time >= bounds[0],
            TimeEntry.start_time < bounds[-1],
        )
        .subquery()
    )
    rows = session.execute(
        select(bucketed.c.week, func.coalesce(func.sum(bucketed.c.seconds), 0)).group_by(
            bucketed.c.week
        )
    )
    seconds = {int(week): int(total) for week, total in rows}
    return [WeekHours(start, seconds.get(i, 0)) for i, start in enumerate(starts)]


def invoice_amounts_by_status(
    session: Session, conditions: Iterable[Any], today: dt.date
) -> list[StatusAmount]:
    """Count, total and open balance of the invoices per currency and status category."""
    open_balance = Invoice.total - Invoice.amount_paid
    category = case(
        (
            and_(
                Invoice.status == InvoiceStatus.SENT,
                Invoice.total > Invoice.amount_paid,
                Invoice.due_date < today,
            ),
            StatusCategory.OVERDUE,
        ),
        (Invoice.status == InvoiceStatus.SENT, StatusCategory.UNPAID),
        else_=Invoice.status,
    )
    balance = case((Invoice.status == InvoiceStatus.SENT, open_balance), else_=ZERO)
    categorised = (
        select(
            category.label("category"),
            Invoice.currency.label("currency"),
            Invoice.total.label("total"),
            balance.label("balance"),
        )
        .where(*conditions)
        .subquery()
    )
    rows = session.execute(
        select(
            categorised.c.currency,
            categorised.c.category,
            func.count(),
            func.coalesce(func.sum(categorised.c.total), ZERO),
            func.coalesce(func.sum(categorised.c.balance), ZERO),
        ).group_by(categorised.c.currency, categorised.c.category)
    )
    amounts = [
        StatusAmount(category, currency, int(count), _money(total), _money(open_))
        for currency, category, count, total, open_ in rows
    ]
    order = {c: i for i, c in enumerate(StatusCategory.ORDER)}
    return sorted(amounts, key=lambda a: (a.currency, order.get(a.category, len(order))))


def _money(value: Any) -> Decimal:
    """A sum of money columns as Decimal cents (SQLite returns floats)."""
    return Decimal(str(value or 0)).quantize(Decimal("0.01"))


# Geometry -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Bar:
    label: str  # under the bar
    value: Decimal
    value_label: str  # above the bar (may be empty)
    title: str  # the tooltip: the full value in words
    colour: str
    x: float
    y: float
    width: float
    height: float

    @property
    def centre(self) -> float:
        return round(self.x + self.width / 2, 1)


@dataclass(frozen=True)
class Tick:
    label: str
    y: float


@dataclass(frozen=True)
class BarChart:
    bars: list[Bar]
    ticks: list[Tick]
    width: int
    height: int
    left: int
    right: int
    top: int
    bottom: int  # the y of the x axis

    @property
    def empty(self) -> bool:
        return all(bar.value == 0 for bar in self.bars)


@dataclass(frozen=True)
class BarSpec:
    label: str
    value: Decimal
    value_label: str
    title: str
    colour: str


WIDTH, HEIGHT = 480, 220
LEFT, RIGHT, TOP, BOTTOM = 48, 4, 18, 30
MAX_TICKS = 5
NICE_STEPS = (Decimal(1), Decimal(2), Decimal("2.5"), Decimal(5))


def axis_scale(top: Decimal, max_steps: int = MAX_TICKS) -> tuple[Decimal, int]:
    """The step (1, 2, 2.5 or 5 times a power of ten) and the number of steps of an axis
    from zero that reaches ``top`` in at most ``max_steps`` round steps, as tight as possible.
    An empty chart gets an axis from 0 to 4."""
    if top <= 0:
        return Decimal(1), 4
    exponent = (top / max_steps).adjusted()
    for e in (exponent, exponent + 1):
        for nice in NICE_STEPS:
            step = nice * Decimal(10) ** e
            steps = int((top / step).to_integral_value(rounding=ROUND_CEILING))
            if steps <= max_steps:
                return _plain(step), max(steps, 1)
    raise AssertionError("unreachable: ten times the smallest step always fits")  # pragma: no cover


def _plain(value: Decimal) -> Decimal:
    """``value`` without trailing zeros or an exponent (``1E+1`` reads as ``10``)."""
    return Decimal(f"{value.normalize():f}")


def bar_chart(specs: Sequence[BarSpec], tick_label: Any) -> BarChart:
    """Lay out one bar per spec on a shared vertical scale starting at zero."""
    plot_width = WIDTH - LEFT - RIGHT
    plot_height = HEIGHT - TOP - BOTTOM
    top_value = max((s.value for s in specs), default=Decimal(0))
    step, steps = axis_scale(top_value)
    scale_max = step * steps
    slot = plot_width / max(len(specs), 1)
    gap = min(slot * 0.25, 24)
    bars = []
    for i, spec in enumerate(specs):
        height = float(spec.value / scale_max) * plot_height if scale_max else 0.0
        height = max(height, 1.0) if spec.value > 0 else 0.0
        bars.append(
            Bar(
                label=spec.label,
                value=spec.value,
                value_label=spec.value_label,
                title=spec.title,
                colour=spec.colour,
                x=round(LEFT + i * slot + gap / 2, 1),
                y=round(TOP + plot_height - height, 1),
                width=round(slot - gap, 1),
                height=round(height, 1),
            )
        )
    ticks = [
        Tick(tick_label(step * n), round(TOP + plot_height - plot_height * n / steps, 1))
        for n in range(steps + 1)
    ]
    return BarChart(bars, ticks, WIDTH, HEIGHT, LEFT, WIDTH - RIGHT, TOP, TOP + plot_height)


# Charts -------------------------------------------------------------------------------------
HOURS_COLOUR = "#1f4e79"


def _locale() -> str:
    return formatting._locale()


def _hours_tick(value: Decimal) -> str:
    return f"{_plain(value)}"


def hours_chart(weeks: Sequence[WeekHours]) -> BarChart:
    """A bar per week; every other week is labelled (always the current one) so that the
    labels stay legible on a phone."""
    locale = _locale()
    specs = []
    for i, week in enumerate(weeks):
        labelled = (len(weeks) - 1 - i) % 2 == 0
        specs.append(
            BarSpec(
                label=format_date(week.week_start, "d MMM", locale=locale) if labelled else "",
                value=week.hours,
                value_label="",
                title=(
                    f"Week of {formatting.long_date(week.week_start)}: "
                    f"{formatting.hours(week.hours)} hours"
                ),
                colour=HOURS_COLOUR,
            )
        )
    return bar_chart(specs, _hours_tick)


@dataclass(frozen=True)
class CurrencyChart:
    currency: str
    chart: BarChart
    amounts: list[StatusAmount]


def invoice_charts(
    amounts: Sequence[StatusAmount], categories: Sequence[str] = StatusCategory.ORDER
) -> list[CurrencyChart]:
    """One chart per currency (amounts in different currencies are never added up), with a
    bar for each category even when it has no invoices."""
    locale = _locale()
    charts = []
    for currency in sorted({a.currency for a in amounts}):
        by_category = {a.category: a for a in amounts if a.currency == currency}
        rows = [by_category.get(c) or StatusAmount(c, currency, 0, ZERO, ZERO) for c in categories]
        specs = [
            BarSpec(
                label=row.label,
                value=row.total,
                value_label=_compact(row.total, currency, locale),
                title=(
                    f"{row.label}: {row.count} invoice{'' if row.count == 1 else 's'}, "
                    f"{formatting.money(row.total, currency)}"
                ),
                colour=StatusCategory.COLOURS[row.category],
            )
            for row in rows
        ]
        chart = bar_chart(specs, lambda v, c=currency: _compact(v, c, locale))
        charts.append(CurrencyChart(currency, chart, rows))
    return charts


def _compact(value: Decimal, currency: str, locale: str) -> str:
    return format_compact_currency(value, currency, locale=locale, fraction_digits=1)


@dataclass(frozen=True)
class DashboardCharts:
    """What the dashboards draw: hours per week and, when the viewer may see invoices,
    invoice amounts by status (one chart per currency)."""

    hours_title: str
    weeks: list[WeekHours]
    hours: BarChart
    invoices: list[CurrencyChart] | None
    invoice_categories: tuple[str, ...]

    @property
    def weeks_total(self) -> Decimal:
        return seconds_to_hours(sum(w.seconds for w in self.weeks))


def portal_dashboard_charts(scope: Any) -> DashboardCharts:
    """The portal dashboard's charts, from the client's ``PortalScope``."""
    weeks = scope.weekly_hours(WEEKS)
    categories = tuple(c for c in StatusCategory.ORDER if c != StatusCategory.DRAFT)
    return DashboardCharts(
        hours_title="Hours per week on your projects",
        weeks=weeks,
        hours=hours_chart(weeks),
        invoices=invoice_charts(scope.invoice_amounts_by_status(), categories),
        invoice_categories=categories,
    )


def staff_dashboard_charts(user: User, session: Session | None = None) -> DashboardCharts:
    """The workspace dashboard's charts: the person's own hours; for administrators, every
    invoice of the firm by status."""
    s = session if session is not None else db.session
    today = firm.today()
    weeks = weekly_hours(s, [TimeEntry.user_id == user.id], today, WEEKS)
    invoices = None
    if user.is_admin:
        invoices = invoice_charts(invoice_amounts_by_status(s, [], today))
    return DashboardCharts(
        hours_title="Your hours per week",
        weeks=weeks,
        hours=hours_chart(weeks),
        invoices=invoices,
        invoice_categories=StatusCategory.ORDER,
    )
