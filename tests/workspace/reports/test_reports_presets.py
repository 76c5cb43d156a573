"""The report's date presets at their edges, and the parameters the page refuses."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine

from tests.conftest import login
from tests.factories import make_client, make_entry, make_project, make_user
from timetracker.billing import periods
from timetracker.models import Settings
from timetracker.parsing import MAX_DATE, MIN_DATE
from timetracker.workspace.reports.presets import PRESETS, matching_preset, preset_range

D = dt.date


@pytest.mark.parametrize(
    ("preset", "today", "expected"),
    [
        # Weeks run Monday to Sunday (the app's one week: billing.periods.week_of).
        ("this_week", D(2026, 3, 2), (D(2026, 3, 2), D(2026, 3, 8))),  # a Monday
        ("this_week", D(2026, 3, 8), (D(2026, 3, 2), D(2026, 3, 8))),  # a Sunday
        ("last_week", D(2026, 3, 2), (D(2026, 2, 23), D(2026, 3, 1))),
        ("last_week", D(2026, 1, 1), (D(2025, 12, 22), D(2025, 12, 28))),  # across the year
        ("this_month", D(2026, 3, 1), (D(2026, 3, 1), D(2026, 3, 31))),
        ("this_month", D(2026, 3, 31), (D(2026, 3, 1), D(2026, 3, 31))),
        ("this_month", D(2024, 2, 10), (D(2024, 2, 1), D(2024, 2, 29))),  # leap year
        ("this_month", D(2026, 12, 31), (D(2026, 12, 1), D(2026, 12, 31))),
        ("last_month", D(2026, 3, 1), (D(2026, 2, 1), D(2026, 2, 28))),
        ("last_month", D(2026, 3, 31), (D(2026, 2, 1), D(2026, 2, 28))),
        ("last_month", D(2026, 1, 15), (D(2025, 12, 1), D(2025, 12, 31))),
        ("this_quarter", D(2026, 1, 1), (D(2026, 1, 1), D(2026, 3, 31))),
        ("this_quarter", D(2026, 3, 31), (D(2026, 1, 1), D(2026, 3, 31))),
        ("this_quarter", D(2026, 4, 1), (D(2026, 4, 1), D(2026, 6, 30))),
        ("this_quarter", D(2026, 9, 30), (D(2026, 7, 1), D(2026, 9, 30))),
        ("this_quarter", D(2026, 12, 31), (D(2026, 10, 1), D(2026, 12, 31))),
        ("this_year", D(2026, 1, 1), (D(2026, 1, 1), D(2026, 12, 31))),
        ("this_year", D(2026, 12, 31), (D(2026, 1, 1), D(2026, 12, 31))),
        ("all", D(2026, 6, 1), (None, None)),
    ],
)
def test_preset_edges(preset, today, expected):
    assert preset_range(preset, today) == expected


@pytest.mark.parametrize("preset", [p for p in PRESETS if p != "all"])
@pytest.mark.parametrize("today", [MIN_DATE, MAX_DATE, D(1, 1, 1), D(9999, 12, 31)])
def test_presets_stay_within_the_supported_dates(preset, today):
    date_from, date_to = preset_range(preset, today)
    assert MIN_DATE <= date_from <= date_to <= MAX_DATE


def test_unknown_preset_is_refused():
    with pytest.raises(KeyError):
        preset_range("next_decade", D(2026, 1, 1))


def test_a_typed_range_equal_to_a_preset_is_that_preset():
    today = D(2026, 3, 18)
    assert matching_preset(D(2026, 2, 1), D(2026, 2, 28), today) == "last_month"
    assert matching_preset(D(2026, 2, 1), D(2026, 2, 27), today) == "custom"
    assert matching_preset(None, None, today) == "all"


def _signed_in(client, session):
    assert login(client, make_user(session).email).status_code == 302
    return client


def _scope(html: str) -> str:
    """The days the report covers, as ISO dates: "2026-03-01..2026-03-31" ("..": open)."""
    match = re.search(r'data-testid="report-scope" data-from="([^"]*)" data-to="([^"]*)"', html)
    assert match, html
    return f"{match.group(1)}..{match.group(2)}"


def _active_preset(html: str) -> str:
    presets = html.split('data-testid="report-presets"')[1].split("</ul>")[0]
    return re.findall(r'class="nav-link py-1 active"[^>]*>([^<]+)<', presets)[0]


@time_machine.travel(dt.datetime(2026, 3, 18, 12, tzinfo=dt.UTC), tick=False)
def test_default_is_this_month_and_presets_choose_the_days(client, session):
    as_staff = _signed_in(client, session)
    html = as_staff.get("/reports").get_data(as_text=True)
    assert _scope(html) == "2026-03-01..2026-03-31"
    assert _active_preset(html) == "This month"
    html = as_staff.get("/reports?period=last_month").get_data(as_text=True)
    assert _scope(html) == "2026-02-01..2026-02-28"
    assert _active_preset(html) == "Last month"
    # A preset wins over dates left in the address.
    html = as_staff.get("/reports?period=this_week&date_from=2020-01-01").get_data(as_text=True)
    assert _scope(html) == "2026-03-16..2026-03-22"
    # Typed dates that make a preset's days show as that preset; others as custom.
    html = as_staff.get("/reports?date_from=2026-01-01&date_to=2026-03-31").get_data(as_text=True)
    assert _active_preset(html) == "This quarter"
    html = as_staff.get("/reports?date_from=2026-01-02&date_to=2026-03-31").get_data(as_text=True)
    assert _active_preset(html) == "Custom"
    # The unbilled view shows all dates by default: old unbilled time is what matters most.
    html = as_staff.get("/reports?view=unbilled").get_data(as_text=True)
    assert _scope(html) == ".." and _active_preset(html) == "All dates"


@time_machine.travel(dt.datetime(2026, 3, 31, 23, 30, tzinfo=dt.UTC), tick=False)
def test_preset_days_are_in_the_firms_timezone(client, session):
    """In Berlin it is already 1 April: "this month" is April there, and an entry that starts
    at 22:30 UTC on 31 March belongs to 1 April (the day it starts, locally)."""
    session.merge(Settings(id=1, timezone="Europe/Berlin"))
    session.commit()
    as_staff = _signed_in(client, session)
    project = make_project(session, make_client(session, name="Acme"))
    make_entry(session, project, start=dt.datetime(2026, 3, 31, 22, 30, tzinfo=dt.UTC))
    html = as_staff.get("/reports?period=this_month").get_data(as_text=True)
    assert _scope(html) == "2026-04-01..2026-04-30"
    assert "Acme" in html.split("<tbody>")[1]
    html = as_staff.get("/reports?period=last_month").get_data(as_text=True)
    assert "No time in this range." in html


def test_empty_parameters_are_the_defaults(as_staff):
    response = as_staff.get("/reports?view=&group=&period=&format=&date_from=&date_to=")
    assert response.status_code == 200
    assert response.mimetype == "text/html"


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("group=planet", "Choose one of: client, project, user, task."),
        ("view=everything", "Choose one of: all, unbilled."),
        ("period=next_decade", "Choose one of: this_week"),
        ("format=pdf", "Choose one of: html, csv, xlsx."),
        (
            "date_from=2026-04-02&date_to=2026-04-01",
            "The end of the range must not be before its start.",
        ),
        ("date_to=tomorrow", "Write the date as"),
        ("date_from=0001-01-01", "The date must be from"),
        ("date_to=9999-12-31", "The date must be from"),
        ("date_from=10000-01-01", "Write the date as"),
        ("format=csv&date_to=9999-12-31", "The date must be from"),
        ("page=0", "page number"),
        ("page=%D9%A1", "page number"),
    ],
)
def test_bad_parameters_are_400_with_a_message(as_staff, query, message):
    response = as_staff.get(f"/reports?{query}")
    assert response.status_code == 400
    assert response.mimetype == "text/html"
    assert message in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("day", "month_end", "quarter_start"),
    [
        (dt.date(2026, 1, 1), dt.date(2026, 1, 31), dt.date(2026, 1, 1)),
        (dt.date(2024, 2, 10), dt.date(2024, 2, 29), dt.date(2024, 1, 1)),  # leap year
        (dt.date(2026, 2, 28), dt.date(2026, 2, 28), dt.date(2026, 1, 1)),
        (dt.date(2026, 4, 30), dt.date(2026, 4, 30), dt.date(2026, 4, 1)),
        (dt.date(2026, 9, 30), dt.date(2026, 9, 30), dt.date(2026, 7, 1)),
        (dt.date(2026, 12, 31), dt.date(2026, 12, 31), dt.date(2026, 10, 1)),
        (dt.date(9999, 12, 31), dt.date(9999, 12, 31), dt.date(9999, 10, 1)),  # the last day
        (dt.date(1, 1, 1), dt.date(1, 1, 31), dt.date(1, 1, 1)),  # the first day
    ],
)
def test_month_end_and_quarter_start_at_their_edges(day, month_end, quarter_start) -> None:
    assert periods.month_end(day) == month_end
    assert periods.quarter_start(day) == quarter_start
