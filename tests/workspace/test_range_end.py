"""A date range whose end comes before its start is refused with the same message by every
staff form that takes one (``fields.RangeEnd``)."""

from __future__ import annotations

import pytest

MESSAGE = "The end of the range must not be before its start."


@pytest.mark.parametrize("path", ["/time", "/reports", "/time/export.csv"])
def test_a_range_ending_before_it_starts_is_refused(as_admin, path):
    response = as_admin.get(f"{path}?date_from=2026-03-02&date_to=2026-03-01")
    assert response.status_code == 400
    assert MESSAGE in response.get_data(as_text=True)


@pytest.mark.parametrize("path", ["/time", "/reports"])
def test_a_one_day_range_is_accepted(as_admin, path):
    assert as_admin.get(f"{path}?date_from=2026-03-02&date_to=2026-03-02").status_code == 200
