"""Time tracking: the timer, manual entries, ownership, locking, the week and the filters."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from sqlalchemy import func, select

from tests.conftest import login, post
from tests.factories import make_client, make_entry, make_invoice, make_project, make_user
from timetracker.models import InvoiceStatus, ProjectStatus, Settings, TimeEntry
from timetracker.workspace.time import timekeeping

NOON = dt.datetime(2026, 3, 4, 12, 0, tzinfo=dt.UTC)


def _count(session) -> int:
    return session.scalar(select(func.count(TimeEntry.id)))


@pytest.fixture
def customer(session):
    return make_client(session)


@pytest.fixture
def project(session, customer):
    return make_project(session, customer, name="Website")


def test_timer_starts_shows_in_the_navigation_and_stops(client, session, staff, project):
    as_staff = client
    # Frozen clock; signed in under it, since a login from the real "now" lies in its future.
    with time_machine.travel(NOON, tick=False) as clock:
        login(as_staff, staff.email)
        response = post(as_staff, "/time/timer/start", {"project": project.id, "notes": "Layout"})
        assert response.status_code == 302
        for page in ("/dashboard", "/clients", "/reports", "/account"):
            html = as_staff.get(page).get_data(as_text=True)
            assert 'action="/time/timer/stop"' in html, page
        clock.shift(dt.timedelta(minutes=45))
        response = post(as_staff, "/time/timer/stop", {"next": "/projects"})
        assert response.headers["Location"] == "/projects"
    entry = session.scalars(select(TimeEntry)).one()
    assert (entry.user_id, entry.notes, entry.duration_seconds) == (staff.id, "Layout", 2700)
    assert 'action="/time/timer/stop"' not in as_staff.get("/dashboard").get_data(as_text=True)


def test_a_second_timer_is_refused_with_a_message(as_staff, session, project):
    post(as_staff, "/time/timer/start", {"project": project.id})
    response = post(as_staff, "/time/timer/start", {"project": project.id})
    assert response.status_code == 400
    assert "already running" in response.get_data(as_text=True)
    assert _count(session) == 1


def test_racing_timer_start_is_caught_by_the_database(
    as_staff, session, staff, project, monkeypatch
):
    """Two tabs starting at once both pass the check; the unique index refuses the second."""
    make_entry(session, project, staff, start=NOON, minutes=None)
    monkeypatch.setattr(timekeeping, "running_timer", lambda *_: None)
    response = post(as_staff, "/time/timer/start", {"project": project.id})
    assert response.status_code == 400
    assert "already running" in response.get_data(as_text=True)
    assert _count(session) == 1


def test_stopping_without_a_timer_says_so(as_staff):
    response = post(as_staff, "/time/timer/stop")
    assert response.status_code == 400
    assert "No timer is running" in response.get_data(as_text=True)


def test_timer_refuses_archived_project(as_staff, session, project):
    project.status = ProjectStatus.ARCHIVED
    session.flush()
    response = post(as_staff, "/time/timer/start", {"project": project.id})
    assert response.status_code == 400
    assert _count(session) == 0


def test_manual_entry_with_duration_in_the_firms_timezone(as_staff, session, project):
    session.merge(Settings(id=1, timezone="Europe/Berlin"))
    session.flush()
    response = post(
        as_staff,
        "/time/new",
        {"project": project.id, "day": "2026-03-04", "start": "09:00", "duration": "1:30"},
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    entry = session.scalars(select(TimeEntry)).one()
    assert entry.start_time == dt.datetime(2026, 3, 4, 8, 0, tzinfo=dt.UTC)
    assert entry.duration_seconds == 5400
    assert entry.billable is False  # an unchecked box means not billable


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"start": "09:00", "duration": "-1"}, "The duration must be more than zero."),
        ({"start": "09:00", "duration": "soon"}, "Enter the duration as hours:minutes"),
        ({"start": "10:00", "end": "09:00"}, "The end must not be before the start."),
        ({"start": "09:00"}, "Enter an end time or a duration."),
        ({"start": "25:00", "end": "26:00"}, "Not a valid time value."),
        ({"start": "09:00", "end": "10:00", "project": "999999"}, "Unknown project"),
        ({"start": "09:00", "end": "10:00", "project": "abc"}, "Choose a project from the list."),
        ({"start": "09:00", "end": "10:00", "duration": "2:00"}, "disagree"),
    ],
)
def test_bad_manual_entries_write_nothing(as_staff, session, project, data, message):
    payload = {"project": project.id, "day": "2026-03-04", **data}
    response = post(as_staff, "/time/new", payload)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert _count(session) == 0


def test_staff_edits_own_entry(as_staff, session, staff, project):
    entry = make_entry(session, project, staff, start=NOON, minutes=30)
    response = post(
        as_staff,
        f"/time/{entry.id}/edit",
        {"project": project.id, "day": "2026-03-05", "start": "10:00", "end": "12:15"},
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    session.refresh(entry)
    assert entry.start_time == dt.datetime(2026, 3, 5, 10, 0, tzinfo=dt.UTC)
    assert entry.duration_seconds == 8100


def test_someone_elses_entry_is_not_found_for_staff_like_a_missing_one(as_staff, session, project):
    """The entry is looked up with the signed-in person in the query: another person's entry
    answers 404 with the same page as an id that does not exist, and nothing changes."""
    other = make_entry(session, project, make_user(session), start=NOON, minutes=30)
    missing = other.id + 1000
    data = {"project": project.id, "day": "2026-03-05", "start": "10:00", "end": "12:00"}
    for entry_id in (other.id, missing):
        assert as_staff.get(f"/time/{entry_id}/edit").status_code == 404
        assert post(as_staff, f"/time/{entry_id}/edit", data).status_code == 404
        assert post(as_staff, f"/time/{entry_id}/delete").status_code == 404

    # The same bytes but for the logout form's time-signed CSRF token.
    def page(entry_id: int) -> str:
        html = as_staff.get(f"/time/{entry_id}/edit").get_data(as_text=True)
        return re.sub(r'name="csrf_token" value="[^"]+"', "", html)

    assert page(other.id) == page(missing)
    session.refresh(other)
    assert other.duration_seconds == 1800


def test_admin_edits_and_deletes_anyones_entry(as_admin, session, staff, project):
    entry = make_entry(session, project, staff, start=NOON, minutes=30)
    data = {"project": project.id, "day": "2026-03-04", "start": "12:00", "duration": "2"}
    assert post(as_admin, f"/time/{entry.id}/edit", data).status_code == 302
    session.refresh(entry)
    assert (entry.user_id, entry.duration_seconds) == (staff.id, 7200)
    assert post(as_admin, f"/time/{entry.id}/delete").status_code == 302
    assert _count(session) == 0


def test_invoiced_entries_are_locked(as_admin, session, staff, customer, project):
    invoice = make_invoice(session, customer, status=InvoiceStatus.DRAFT)
    entry = make_entry(
        session, project, staff, start=NOON, minutes=30, invoice_item_id=invoice.items[0].id
    )
    page = as_admin.get(f"/time/{entry.id}/edit")
    assert page.status_code == 200
    assert "on an invoice and can no longer be changed" in page.get_data(as_text=True)
    data = {"project": project.id, "day": "2026-03-05", "start": "10:00", "end": "12:00"}
    assert post(as_admin, f"/time/{entry.id}/edit", data).status_code == 400
    response = post(as_admin, f"/time/{entry.id}/delete")
    assert response.status_code == 400
    assert "on an invoice" in response.get_data(as_text=True)
    session.refresh(entry)
    assert entry.duration_seconds == 1800
    assert "invoiced" in as_admin.get("/time?user=").get_data(as_text=True)


def test_week_view_totals_each_day(as_staff, session, staff, customer, project):
    other_project = make_project(session, customer, name="Support")
    monday = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
    make_entry(session, project, staff, start=monday, minutes=60)
    make_entry(session, other_project, staff, start=monday + dt.timedelta(hours=2), minutes=30)
    make_entry(session, project, staff, start=monday + dt.timedelta(days=2), minutes=90)
    make_entry(session, project, staff, start=monday + dt.timedelta(days=7), minutes=600)
    make_entry(session, project, make_user(session), start=monday, minutes=600)
    html = as_staff.get("/time/week?week=2026-03-04").get_data(as_text=True)
    totals = html.split('data-testid="day-totals"')[1].split("</tr>")[0]
    cells = [c.split(">", 1)[1].split("<")[0] for c in totals.split("<td ")[1:]]
    assert cells == ["1.50", "0.00", "1.50", "0.00", "0.00", "0.00", "0.00", "3.00"]


def test_filters_by_project_client_user_and_dates(as_staff, session, staff, project):
    colleague = make_user(session)
    elsewhere = make_project(session, make_client(session))
    make_entry(session, project, staff, start=NOON, minutes=60, notes="mine-in-range")
    make_entry(session, project, colleague, start=NOON, minutes=60, notes="colleague")
    make_entry(session, elsewhere, staff, start=NOON, minutes=60, notes="other-client")
    make_entry(session, project, staff, start=NOON - dt.timedelta(days=10), notes="too-early")

    def notes(query: str) -> set[str]:
        html = as_staff.get("/time?" + query).get_data(as_text=True)
        return {n for n in ("mine-in-range", "colleague", "other-client", "too-early") if n in html}

    assert notes("") == {"mine-in-range", "other-client", "too-early"}
    assert notes("user=") == {"mine-in-range", "colleague", "other-client", "too-early"}
    assert notes(f"user=&client={project.client_id}") == {"mine-in-range", "colleague", "too-early"}
    assert notes(f"user=&project={elsewhere.id}") == {"other-client"}
    assert notes(f"user={colleague.id}") == {"colleague"}
    assert notes("date_from=2026-03-01&date_to=2026-03-31") == {"mine-in-range", "other-client"}


@pytest.mark.parametrize(
    "query", ["date_from=yesterday", "date_from=2026-03-05&date_to=2026-03-01", "project=x"]
)
def test_bad_filters_answer_400_with_a_message(as_staff, query):
    response = as_staff.get("/time?" + query)
    assert response.status_code == 400
    assert "invalid-feedback" in response.get_data(as_text=True)


def test_time_list_is_paginated_in_sql(app, as_staff, session, staff, project, count_queries):
    app.config["PAGE_SIZE"] = 5
    try:
        for i in range(12):
            make_entry(session, project, staff, start=NOON + dt.timedelta(hours=i), minutes=10)
        count_queries.statements.clear()
        html = as_staff.get("/time?page=3").get_data(as_text=True)
    finally:
        app.config["PAGE_SIZE"] = 50
    assert html.count("/edit") == 2
    assert "12 in all" in html and "page 3 of 3" in html
    listing = [s for s in count_queries.statements if "LIMIT" in s and "time_entries" in s]
    assert listing, "the page of entries is fetched with LIMIT"
    assert as_staff.get("/time?page=0").status_code == 400
