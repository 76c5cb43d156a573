"""The editable week grid: what typing a day's total into a cell does to the entries behind it,
what it refuses, and the grid page itself (rows, copy, navigation, the form without JS)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import select

from tests.conftest import csrf_token, post
from tests.factories import make_client, make_entry, make_invoice, make_project, make_user
from timetracker.models import ProjectStatus, Settings, TimeEntry

WEDNESDAY = dt.date(2026, 3, 4)
NINE = dt.datetime(2026, 3, 4, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def customer(session):
    return make_client(session, name="Acme")


@pytest.fixture
def project(session, customer):
    return make_project(session, customer, name="Website")


def save(browser, project_id: Any, hours: Any, day: Any = "2026-03-04", token: str | None = None):
    token = token or csrf_token(browser, "/time/week")
    return browser.post(
        "/time/week/cell",
        json={"project": project_id, "day": day, "hours": hours},
        headers={"X-CSRFToken": token, "Accept": "application/json"},
    )


def entries(session, user) -> list[TimeEntry]:
    session.expire_all()
    return list(
        session.scalars(
            select(TimeEntry).where(TimeEntry.user_id == user.id).order_by(TimeEntry.start_time)
        )
    )


@pytest.mark.parametrize("typed", ["1:30", "1.5", "1,5"])
def test_an_empty_cell_creates_one_entry_at_nine_in_the_firms_timezone(
    as_staff, session, staff, project, typed
):
    session.merge(Settings(id=1, timezone="Europe/Berlin"))
    session.flush()
    response = save(as_staff, project.id, typed)
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    assert body["seconds"] == 5400 and body["value"] == "1.50"
    assert body["row_total"] == body["day_total"] == body["week_total"] == "1.50"
    [entry] = entries(session, staff)
    assert entry.project_id == project.id and entry.duration_seconds == 5400
    assert entry.start_time == dt.datetime(2026, 3, 4, 8, 0, tzinfo=dt.UTC)  # 09:00 in Berlin


def test_a_new_entry_starts_after_the_days_last_entry(as_staff, session, staff, customer, project):
    other = make_project(session, customer, name="Support")
    make_entry(session, other, staff, start=NINE, minutes=150)
    assert save(as_staff, project.id, "2").status_code == 200
    created = [e for e in entries(session, staff) if e.project_id == project.id]
    assert created[0].start_time == NINE + dt.timedelta(minutes=150)
    assert created[0].duration_seconds == 7200


def test_a_single_entry_is_adjusted_and_emptying_deletes_it(as_staff, session, staff, project):
    entry = make_entry(session, project, staff, start=NINE, minutes=60, notes="Layout")
    response = save(as_staff, project.id, "2:15")
    assert response.status_code == 200
    [changed] = entries(session, staff)
    assert (changed.id, changed.duration_seconds, changed.notes) == (entry.id, 8100, "Layout")
    assert changed.start_time == NINE
    response = save(as_staff, project.id, "")
    assert response.status_code == 200 and response.get_json()["value"] == ""
    assert entries(session, staff) == []


@pytest.mark.parametrize("zero", ["0", "0:00", "0.0", "0,00", "00"])
def test_zero_deletes_too(as_staff, session, staff, project, zero):
    make_entry(session, project, staff, start=NINE, minutes=60)
    assert save(as_staff, project.id, zero).status_code == 200
    assert entries(session, staff) == []


@pytest.mark.parametrize("typed", [".", ",", ":", " . "])
def test_a_stray_separator_is_refused_and_keeps_the_entry(as_staff, session, staff, project, typed):
    make_entry(session, project, staff, start=NINE, minutes=60)
    response = save(as_staff, project.id, typed)
    assert response.status_code == 400 and "hours" in response.get_json()["error"]
    assert [e.duration_seconds for e in entries(session, staff)] == [3600]


def test_several_entries_are_refused_with_a_message(as_staff, session, staff, project):
    make_entry(session, project, staff, start=NINE, minutes=30)
    make_entry(session, project, staff, start=NINE + dt.timedelta(hours=1), minutes=30)
    response = save(as_staff, project.id, "3")
    assert response.status_code == 400
    assert "Several entries" in response.get_json()["error"]
    assert [e.duration_seconds for e in entries(session, staff)] == [1800, 1800]


def test_invoiced_time_is_refused(as_staff, session, staff, customer, project):
    invoice = make_invoice(session, customer)
    make_entry(session, project, staff, start=NINE, minutes=60, invoice_item_id=invoice.items[0].id)
    for typed in ("2", ""):
        response = save(as_staff, project.id, typed)
        assert response.status_code == 400
        assert "on an invoice" in response.get_json()["error"]
    assert [e.duration_seconds for e in entries(session, staff)] == [3600]


def test_a_running_timer_is_refused(as_staff, session, staff, project):
    make_entry(session, project, staff, start=NINE, minutes=None)
    response = save(as_staff, project.id, "1")
    assert response.status_code == 400 and "timer is running" in response.get_json()["error"]


def test_another_persons_entry_on_the_same_day_is_unaffected(as_staff, session, staff, project):
    colleague = make_user(session)
    theirs = make_entry(session, project, colleague, start=NINE, minutes=45)
    assert save(as_staff, project.id, "1").status_code == 200
    assert save(as_staff, project.id, "").status_code == 200
    session.refresh(theirs)
    assert theirs.duration_seconds == 2700
    assert entries(session, staff) == []


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ({"project": "1", "day": "2026-03-04", "hours": "lots"}, "hours:minutes"),
        ({"project": "1", "day": "2026-03-04", "hours": "25"}, "at most 24 hours"),
        ({"project": "1", "day": "2026-03-04", "hours": "-1"}, "duration"),
        ({"project": "1", "day": "4.3.2026", "hours": "1"}, "YYYY-MM-DD"),
        ({"project": "x", "day": "2026-03-04", "hours": "1"}, "Choose a project"),
    ],
)
def test_bad_input_is_400_with_a_message_and_writes_nothing(
    as_staff, session, staff, project, payload, message
):
    if payload["project"] == "1":
        payload = {**payload, "project": project.id}
    response = save(as_staff, payload["project"], payload["hours"], day=payload["day"])
    assert response.status_code == 400
    assert message in response.get_json()["error"]
    assert entries(session, staff) == []


def test_a_body_that_is_not_json_is_400(as_staff):
    token = csrf_token(as_staff, "/time/week")
    response = as_staff.post("/time/week/cell", data="hours=1", headers={"X-CSRFToken": token})
    assert response.status_code == 400


def test_without_the_csrf_token_nothing_is_saved(as_staff, session, staff, project):
    response = as_staff.post(
        "/time/week/cell", json={"project": project.id, "day": "2026-03-04", "hours": "1"}
    )
    assert response.status_code == 400
    assert entries(session, staff) == []


@pytest.mark.parametrize("state", ["archived", "client-deactivated", "missing"])
def test_a_project_that_takes_no_time_is_404(as_staff, session, staff, customer, project, state):
    project_id = project.id
    if state == "archived":
        project.status = ProjectStatus.ARCHIVED
    elif state == "client-deactivated":
        customer.is_active = False
    else:
        project_id = 999_999
    session.flush()
    response = save(as_staff, project_id, "1")
    assert response.status_code == 404
    assert entries(session, staff) == []


def test_the_grid_page_shows_editable_cells_and_highlights_today(
    as_staff, session, staff, project, frozen_clock
):
    make_entry(session, project, staff, start=NINE, minutes=90)
    html = as_staff.get("/time/week?week=2026-03-04").get_data(as_text=True)
    assert f'name="cell-{project.id}-2026-03-04" value="1.50"' in html
    assert f'name="cell-{project.id}-2026-03-02" value=""' in html
    assert "Acme" in html and "Website" in html
    today = as_staff.get("/time/week").get_data(as_text=True)
    assert today.count('aria-current="date"') == 1
    assert "/static/js/time.js" in html


def test_another_persons_week_is_read_only(as_staff, session, project):
    colleague = make_user(session)
    make_entry(session, project, colleague, start=NINE, minutes=90)
    html = as_staff.get(f"/time/week?week=2026-03-04&user={colleague.id}").get_data(as_text=True)
    assert "1.50" in html and "grid-cell" not in html


def test_added_rows_and_copy_last_weeks_rows(as_staff, session, staff, customer, project):
    support = make_project(session, customer, name="Support")
    make_entry(session, support, staff, start=NINE - dt.timedelta(days=7), minutes=60)
    html = as_staff.get(f"/time/week?week=2026-03-04&projects={project.id}").get_data(as_text=True)
    assert f'name="cell-{project.id}-2026-03-02"' in html
    assert f'name="cell-{support.id}-2026-03-02"' not in html
    assert f"projects={support.id}" in html  # the "Copy last week's rows" link
    copied = as_staff.get(f"/time/week?week=2026-03-04&projects={support.id}")
    assert f'name="cell-{support.id}-2026-03-02" value=""' in copied.get_data(as_text=True)
    # An archived project cannot be added as a row.
    support.status = ProjectStatus.ARCHIVED
    session.flush()
    html = as_staff.get(f"/time/week?week=2026-03-04&projects={support.id}").get_data(as_text=True)
    assert f'name="cell-{support.id}-' not in html


def test_copy_last_week_with_hours_fills_only_empty_days(as_staff, session, staff, project):
    make_entry(session, project, staff, start=NINE - dt.timedelta(days=7), minutes=60)
    make_entry(session, project, staff, start=NINE - dt.timedelta(days=6), minutes=30)
    make_entry(session, project, staff, start=NINE + dt.timedelta(days=1), minutes=15)
    response = post(as_staff, "/time/week/copy", {"week": "2026-03-04"}, token_from="/time/week")
    assert response.status_code == 302
    durations = [e.duration_seconds for e in entries(session, staff) if e.start_time >= NINE]
    assert durations == [3600, 900]  # Thursday kept its own 15 minutes


def test_the_whole_grid_saves_as_a_form_without_js(as_staff, session, staff, project):
    make_entry(session, project, staff, start=NINE, minutes=90)
    data = {
        "week": "2026-03-04",
        f"cell-{project.id}-2026-03-02": "2",
        f"cell-{project.id}-2026-03-04": "1.50",  # unchanged
        f"cell-{project.id}-2026-03-05": "",
    }
    response = post(as_staff, "/time/week/save", data, token_from="/time/week")
    assert response.status_code == 302
    assert [e.duration_seconds for e in entries(session, staff)] == [7200, 5400]


def test_a_bad_cell_in_the_whole_grid_saves_nothing(as_staff, session, staff, project):
    data = {
        "week": "2026-03-04",
        f"cell-{project.id}-2026-03-02": "2",
        f"cell-{project.id}-2026-03-03": "soon",
    }
    response = post(as_staff, "/time/week/save", data, token_from="/time/week")
    assert response.status_code == 400
    assert "Nothing was saved" in response.get_data(as_text=True)
    assert entries(session, staff) == []
