"""Every portal page and download, with each visibility setting off in turn: what the setting
hides is on none of them, and everything else is where it was. Each test first reads the portal
with everything shown and finds every marker where it belongs, so each absence can fail."""

from __future__ import annotations

import csv
import io

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from tests.portal.visibility.conftest import (
    AMOUNT,
    BUDGET_AMOUNT,
    FLAGS,
    HIDES,
    HOURS,
    INVOICE_TOTAL,
    NOTE,
    QUOTE_TOTAL,
    STAFF_NAME,
    TIME_LINK,
    WHERE_SHOWN,
    VisibilityWorld,
    set_visibility,
    surfaces,
)
from tests.test_client_portal import same_page

ENTRY_SURFACES = frozenset({"time_entries", "time_entries_csv"})


def _expected(off: str | None) -> dict[str, frozenset[str]]:
    """Where each marker shows with ``off`` hidden (``None``: everything shown)."""
    expected = {}
    for marker, where in WHERE_SHOWN.items():
        if off is not None and marker in HIDES[off]:
            where = frozenset()
        elif off == "time_entries":
            where = where - ENTRY_SURFACES - {"dashboard"}
        expected[marker] = where
    return expected


def _check_markers(found: dict[str, tuple[int, str]], off: str | None) -> None:
    for marker, where in _expected(off).items():
        for surface, (_status, text) in found.items():
            if surface in where:
                assert marker in text, f"{marker!r} missing from {surface} ({off} off)"
            else:
                assert marker not in text, f"{marker!r} on {surface} ({off} off)"


def _csv_header(text: str) -> list[str]:
    return next(csv.reader(io.StringIO(text.lstrip("\ufeff"))))


def test_everything_is_shown_by_default(contact_browser: FlaskClient, vis: VisibilityWorld):
    found = surfaces(contact_browser, vis)
    assert all(status == 200 for status, _ in found.values())
    _check_markers(found, None)
    assert _csv_header(found["time_entries_csv"][1]) == [
        "Date", "Project", "Notes", "User", "Hours", "Seconds", "Billable", "Amount",
        "Currency", "Invoice",
    ]  # fmt: skip


@pytest.mark.parametrize("off", FLAGS)
def test_a_hidden_setting_hides_its_data_on_every_page_and_download(
    contact_browser: FlaskClient, vis: VisibilityWorld, session: Session, off: str
):
    _check_markers(surfaces(contact_browser, vis), None)
    set_visibility(session, vis.client, **{off: False})
    found = surfaces(contact_browser, vis)
    _check_markers(found, off)
    # What stays whatever the settings: the hours of the project, and the invoice's and the
    # quote's own totals (money documents the client receives).
    for surface in ("projects", "project"):
        assert HOURS in found[surface][1]
    for surface in ("invoices", "invoice", "invoice_pdf", "dashboard"):
        assert INVOICE_TOTAL in found[surface][1], surface
    for surface in ("quotes", "quote", "quote_pdf"):
        assert QUOTE_TOTAL in found[surface][1], surface


def test_hidden_staff_names_leave_the_person_column_out(
    contact_browser: FlaskClient, vis: VisibilityWorld, session: Session
):
    page = contact_browser.get("/client-portal/time-entries").get_data(as_text=True)
    assert ">Person</th>" in page
    set_visibility(session, vis.client, staff_names=False)
    page = contact_browser.get("/client-portal/time-entries").get_data(as_text=True)
    assert ">Person</th>" not in page
    assert NOTE in page  # the other columns stay
    text = contact_browser.get("/client-portal/time-entries.csv").get_data(as_text=True)
    assert "User" not in _csv_header(text)
    assert "Notes" in _csv_header(text)
    project = contact_browser.get(f"/client-portal/projects/{vis.project.id}")
    body = project.get_data(as_text=True)
    assert "Design approved" in body and "Staging is ready" in body  # still shown, unsigned


def test_hidden_notes_leave_the_description_column_out(
    contact_browser: FlaskClient, vis: VisibilityWorld, session: Session
):
    for path in ("/client-portal/time-entries", "/client-portal/dashboard"):
        assert ">Description</th>" in contact_browser.get(path).get_data(as_text=True)
    set_visibility(session, vis.client, entry_notes=False)
    for path in ("/client-portal/time-entries", "/client-portal/dashboard"):
        assert ">Description</th>" not in contact_browser.get(path).get_data(as_text=True)
    text = contact_browser.get("/client-portal/time-entries.csv").get_data(as_text=True)
    header = _csv_header(text)
    assert "Notes" not in header and "User" in header
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[1][header.index("User")] == STAFF_NAME
    assert rows[1][header.index("Hours")] == HOURS


def test_hidden_amounts_leave_the_amount_columns_and_money_budgets_out(
    contact_browser: FlaskClient, vis: VisibilityWorld, session: Session
):
    projects = contact_browser.get("/client-portal/projects").get_data(as_text=True)
    assert ">Billable amount</th>" in projects
    set_visibility(session, vis.client, amounts=False)
    projects = contact_browser.get("/client-portal/projects").get_data(as_text=True)
    assert ">Billable amount</th>" not in projects
    assert "of 40.00 hours" in projects  # the budget in hours stays
    project = contact_browser.get(f"/client-portal/projects/{vis.project.id}")
    body = project.get_data(as_text=True)
    assert 'data-stat="billable-amount"' not in body and "of 40.00 hours" in body
    page = contact_browser.get("/client-portal/time-entries").get_data(as_text=True)
    assert 'data-testid="billable-amount"' not in page and HOURS in page
    text = contact_browser.get("/client-portal/time-entries.csv").get_data(as_text=True)
    header = _csv_header(text)
    assert "Amount" not in header and "Currency" not in header
    assert "EUR" not in text and "Billable" in header


def test_hidden_time_entries_are_a_page_that_does_not_exist(
    contact_browser: FlaskClient, vis: VisibilityWorld, session: Session
):
    dashboard = contact_browser.get("/client-portal/dashboard").get_data(as_text=True)
    for testid in ("recent-time-entries", "chart-hours"):
        assert f'data-testid="{testid}"' in dashboard
    project = contact_browser.get(f"/client-portal/projects/{vis.project.id}")
    assert 'data-testid="project-time-entries"' in project.get_data(as_text=True)
    set_visibility(session, vis.client, time_entries=False)
    missing = contact_browser.get("/client-portal/no-such-page")
    assert missing.status_code == 404
    for path in (
        "/client-portal/time-entries",
        f"/client-portal/time-entries?project_id={vis.project.id}",
        "/client-portal/time-entries.csv",
    ):
        response = contact_browser.get(path)
        assert response.status_code == 404, path
        assert same_page(response) == same_page(missing), path
    found = surfaces(contact_browser, vis)
    for surface, (status, text) in found.items():
        if surface not in ENTRY_SURFACES:
            assert status == 200
            assert TIME_LINK not in text, surface
    dashboard = found["dashboard"][1]
    for testid in ("recent-time-entries", "chart-hours"):
        assert f'data-testid="{testid}"' not in dashboard
    assert 'data-testid="chart-invoices"' in dashboard
    assert 'data-testid="project-time-entries"' not in found["project"][1]
    assert 'data-stat="hours"' in found["project"][1]


def test_everything_hidden_at_once(
    contact_browser: FlaskClient, vis: VisibilityWorld, session: Session
):
    set_visibility(session, vis.client, **dict.fromkeys(FLAGS, False))
    found = surfaces(contact_browser, vis)
    for surface, (status, text) in found.items():
        if surface in ENTRY_SURFACES:
            assert status == 404
            continue
        assert status == 200
        for marker in (STAFF_NAME, NOTE, AMOUNT, BUDGET_AMOUNT):
            assert marker not in text, (marker, surface)
    assert INVOICE_TOTAL in found["invoice"][1] and HOURS in found["project"][1]
