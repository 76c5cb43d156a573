"""The bar chart's axis and layout."""

from __future__ import annotations

from decimal import Decimal

import pytest

from timetracker.charts.geometry import BarSpec, axis_scale, bar_chart


@pytest.mark.parametrize(
    ("top", "step", "steps"),
    [
        ("0", "1", 4),
        ("0.3", "0.1", 3),
        ("1", "0.2", 5),
        ("2.2", "0.5", 5),
        ("7.5", "2", 4),
        ("22.25", "5", 5),
        ("38", "10", 4),
        ("240", "50", 5),
        ("13300", "5000", 3),
        ("1000000", "200000", 5),
    ],
)
def test_axis_reaches_the_top_in_at_most_five_round_steps(top, step, steps):
    assert axis_scale(Decimal(top)) == (Decimal(step), steps)


def test_bar_chart_scales_bars_from_zero_and_keeps_them_inside_the_plot():
    specs = [
        BarSpec(label, Decimal(v), "", label, "#000")
        for label, v in [("a", "0"), ("b", "10"), ("c", "38")]
    ]
    chart = bar_chart(specs, str)
    bottom, top = chart.bottom, chart.top
    a, b, c = chart.bars
    assert a.height == 0
    assert [t.label for t in chart.ticks] == ["0", "10", "20", "30", "40"]
    assert chart.ticks[0].y == bottom and chart.ticks[-1].y == top
    assert c.y + c.height == pytest.approx(bottom) and c.y > top
    assert c.height / b.height == pytest.approx(3.8, rel=0.01)
    assert all(chart.left <= bar.x and bar.x + bar.width <= chart.right for bar in chart.bars)
    assert not chart.empty
    assert bar_chart([specs[0]], str).empty
