"""The geometry of a bar chart drawn as SVG on the server (``templates/charts/``).

Charts are drawn on the server so they need no script and pass the Content-Security-Policy;
each comes with a table of the same numbers for screen readers and anyone who prefers figures.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal
from typing import Any

from babel.core import Locale
from babel.numbers import format_compact_currency


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
    #: Drawn in the portal's accent colour where the client has one (the CSS class
    #: ``chart-bar-accent``; ``colour`` stays the fallback).
    accent: bool = False

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
    accent: bool = False


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
                return plain(step), max(steps, 1)
    raise AssertionError("unreachable: ten times the smallest step always fits")  # pragma: no cover


def plain(value: Decimal) -> Decimal:
    """``value`` without trailing zeros or an exponent (``1E+1`` reads as ``10``)."""
    return Decimal(f"{value.normalize():f}")


#: Roughly the width of a character of the axis' 12 px labels, to fit the widest one.
LABEL_CHAR_WIDTH = 7


def bar_chart(specs: Sequence[BarSpec], tick_label: Any) -> BarChart:
    """Lay out one bar per spec on a shared vertical scale starting at zero; the plot starts
    where the widest axis label ends (``20.000 €`` is wider than ``€20K``)."""
    top_value = max((s.value for s in specs), default=Decimal(0))
    step, steps = axis_scale(top_value)
    scale_max = step * steps
    labels = [str(tick_label(step * n)) for n in range(steps + 1)]
    left = max(LEFT, LABEL_CHAR_WIDTH * max(len(label) for label in labels) + 8)
    plot_width = WIDTH - left - RIGHT
    plot_height = HEIGHT - TOP - BOTTOM
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
                x=round(left + i * slot + gap / 2, 1),
                y=round(TOP + plot_height - height, 1),
                width=round(slot - gap, 1),
                height=round(height, 1),
                accent=spec.accent,
            )
        )
    ticks = [
        Tick(label, round(TOP + plot_height - plot_height * n / steps, 1))
        for n, label in enumerate(labels)
    ]
    return BarChart(bars, ticks, WIDTH, HEIGHT, left, WIDTH - RIGHT, TOP, TOP + plot_height)


def compact_money(value: Decimal, currency: str, locale: str) -> str:
    """``€16K`` in English; where the locale has no short form for thousands (German writes
    ``15955,5 €``), the amount in whole units with the locale's grouping (``15.956 €``)."""
    short = format_compact_currency(value, currency, locale=locale, fraction_digits=1)
    if sum(c.isdigit() for c in short) <= 4:
        return short
    parsed = Locale.parse(locale)
    whole = copy.copy(parsed.currency_formats["standard"])
    whole.frac_prec = (0, 0)
    return whole.apply(value, parsed, currency=currency, currency_digits=False)
