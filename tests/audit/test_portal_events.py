"""A client contact's invoice views, PDF downloads and CSV exports are recorded once per request,
with the invoice and the client; a request the portal refuses (another client's invoice, a
draft, a bad filter) records nothing."""

from __future__ import annotations

import pytest

from tests.audit.conftest import events, signed_in
from tests.factories import make_project
from timetracker.audit import Kind

PORTAL_KINDS = (Kind.INVOICE_VIEWED, Kind.INVOICE_PDF_DOWNLOADED, Kind.CSV_EXPORTED)


def _portal_events(session):
    return [e for e in events(session) if e.kind in PORTAL_KINDS]


@pytest.fixture
def anna(app, connection, firm):
    return signed_in(app, firm.anna)


@pytest.mark.parametrize(
    ("suffix", "kind"), [("", Kind.INVOICE_VIEWED), ("/pdf", Kind.INVOICE_PDF_DOWNLOADED)]
)
def test_each_view_and_download_is_recorded_once_with_the_invoice_and_client(
    session, firm, anna, suffix, kind
):
    path = f"/client-portal/invoices/{firm.alpha_invoice.id}{suffix}"
    for expected in (1, 2):
        assert anna.get(path).status_code == 200
        recorded = _portal_events(session)
        assert len(recorded) == expected
    for event in recorded:
        assert event.kind == kind
        assert (event.invoice_id, event.client_id) == (firm.alpha_invoice.id, firm.alpha.id)
        assert (event.actor_id, event.actor_name, event.actor_email) == (
            firm.anna.id,
            "Anna Müller",
            "anna@alpha.example",
        )
        assert event.subject_id is None
        assert event.ip_address == "127.0.0.1"


def test_the_browser_and_address_of_the_request_are_kept(session, firm, anna):
    anna.get(
        f"/client-portal/invoices/{firm.alpha_invoice.id}",
        headers={"User-Agent": "Mozilla/5.0 (Macintosh) Safari/605"},
        environ_base={"REMOTE_ADDR": "198.51.100.7"},
    )
    (event,) = _portal_events(session)
    assert (event.ip_address, event.user_agent) == (
        "198.51.100.7",
        "Mozilla/5.0 (Macintosh) Safari/605",
    )


@pytest.mark.parametrize("suffix", ["", "/pdf"])
@pytest.mark.parametrize("which", ["bravo_invoice", "alpha_draft", "missing"])
def test_another_clients_invoice_a_draft_or_a_missing_id_is_404_and_records_nothing(
    session, firm, anna, suffix, which
):
    invoice_id = 987654 if which == "missing" else getattr(firm, which).id
    response = anna.get(f"/client-portal/invoices/{invoice_id}{suffix}")
    assert response.status_code == 404
    assert _portal_events(session) == []


@pytest.mark.parametrize(
    ("query", "detail"),
    [
        ("date_from=2026-03-01&date_to=2026-03-31", "time entries 2026-03-01..2026-03-31"),
        ("date_from=2026-03-01", "time entries from 2026-03-01"),
        ("date_to=2026-03-31", "time entries until 2026-03-31"),
        ("", "time entries all dates"),
    ],
)
def test_a_csv_export_is_recorded_with_what_was_exported(session, firm, anna, query, detail):
    response = anna.get(f"/client-portal/time-entries.csv?{query}")
    assert response.status_code == 200
    response.get_data()
    (event,) = _portal_events(session)
    assert (event.kind, event.client_id, event.invoice_id, event.actor_id) == (
        Kind.CSV_EXPORTED,
        firm.alpha.id,
        None,
        firm.anna.id,
    )
    assert event.detail == detail


def test_an_export_of_one_project_names_it(session, firm, anna):
    project = make_project(session, firm.alpha, name="Website relaunch")
    session.commit()
    query = f"project_id={project.id}&date_from=2026-03-01&date_to=2026-03-31"
    assert anna.get(f"/client-portal/time-entries.csv?{query}").status_code == 200
    (event,) = _portal_events(session)
    assert event.detail == "time entries of Website relaunch, 2026-03-01..2026-03-31"


@pytest.mark.parametrize(
    ("query", "status"),
    [("date_from=2026-02-30", 400), ("project_id=abc", 400), ("project_id={bravo}", 404)],
)
def test_a_refused_export_records_nothing(session, firm, anna, query, status):
    bravo_project = make_project(session, firm.bravo)
    session.commit()
    query = query.format(bravo=bravo_project.id)
    assert anna.get(f"/client-portal/time-entries.csv?{query}").status_code == status
    assert _portal_events(session) == []


def test_lists_and_other_pages_record_no_portal_event(session, firm, anna):
    for path in ("/client-portal", "/client-portal/invoices", "/client-portal/time-entries"):
        assert anna.get(path).status_code == 200
    assert _portal_events(session) == []
