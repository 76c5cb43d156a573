"""The invoice's time as CSV (content, formula guard, audit, rate limit) and the PDF's
"Time entries billed" appendix, on and off."""

from __future__ import annotations

import io

from flask import Flask
from flask.testing import FlaskClient
from pypdf import PdfReader
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.portal.invoice_time.conftest import (
    APP_MINUTES,
    FORMULA_NOTE,
    NOTE,
    SITE_MINUTES,
    STAFF,
    World,
    read_csv,
    set_visibility,
    signed_in,
)
from timetracker.models import AuditEvent
from timetracker.portal.downloads import CSV_LIMIT


def _pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_csv_lists_the_invoices_entries_with_the_formula_guard(
    alpha: FlaskClient, world: World, session: Session
):
    response = alpha.get(f"/client-portal/invoices/{world.a.invoice.id}/time.csv")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert world.a.invoice.number in response.headers["Content-Disposition"]
    rows = read_csv(response.data)
    assert len(rows) == len(SITE_MINUTES) + len(APP_MINUTES)
    assert sorted(int(r["Seconds"]) for r in rows) == sorted(
        m * 60 for m in SITE_MINUTES + APP_MINUTES
    )
    assert {r["User"] for r in rows} == {STAFF}
    assert f"{NOTE} 0" in {r["Notes"] for r in rows}
    assert "'" + FORMULA_NOTE in {r["Notes"] for r in rows}
    assert not any(r["Notes"].startswith("=") for r in rows)
    event = session.scalar(
        select(AuditEvent).where(AuditEvent.kind == "csv_exported").order_by(AuditEvent.id.desc())
    )
    assert event is not None and event.invoice_id == world.a.invoice.id
    assert event.client_id == world.a.client.id


def test_csv_is_rate_limited_per_contact(alpha: FlaskClient, world: World):
    allowed = int(CSV_LIMIT.split()[0])
    path = f"/client-portal/invoices/{world.a.invoice.id}/time.csv"
    statuses = [alpha.get(path).status_code for _ in range(allowed + 1)]
    assert statuses[:allowed] == [200] * allowed and statuses[-1] == 429


def test_pdf_appendix_off_by_default(alpha: FlaskClient, world: World):
    text = _pdf_text(alpha.get(f"/client-portal/invoices/{world.a.invoice.id}/pdf").data)
    assert "TIME ENTRIES BILLED" not in text and NOTE not in text


def test_pdf_appendix_lists_each_lines_entries_in_staff_and_portal_pdfs(
    app: Flask, alpha: FlaskClient, world: World, session: Session
):
    world.a.client.invoice_time_appendix = True
    session.commit()
    portal = _pdf_text(alpha.get(f"/client-portal/invoices/{world.a.invoice.id}/pdf").data)
    staff = signed_in(app, world.admin)
    own = _pdf_text(staff.get(f"/invoices/{world.a.invoice.id}/pdf").data)
    for text in (portal, own):
        assert "TIME ENTRIES BILLED" in text
        assert "Alpha Site" in text and "Alpha App" in text
        assert STAFF in text and f"{NOTE} 0" in text
        assert "rounded up to the next 15 minutes" in text
        assert "Total of 3 entries" in text and "Total of 2 entries" in text
        assert "0.87" in text  # 52 minutes, billed as 1.00


def test_pdf_appendix_follows_the_clients_visibility(
    alpha: FlaskClient, world: World, session: Session
):
    world.a.client.invoice_time_appendix = True
    set_visibility(session, world.a.client, staff_names=False, entry_notes=False)
    text = _pdf_text(alpha.get(f"/client-portal/invoices/{world.a.invoice.id}/pdf").data)
    assert "TIME ENTRIES BILLED" in text and STAFF not in text and NOTE not in text
    set_visibility(session, world.a.client, time_entries=False)
    text = _pdf_text(alpha.get(f"/client-portal/invoices/{world.a.invoice.id}/pdf").data)
    assert "TIME ENTRIES BILLED" not in text


def test_the_client_form_saves_the_setting(app: Flask, world: World, session: Session):
    from tests.conftest import post

    staff = signed_in(app, world.admin)
    form = staff.get(f"/clients/{world.a.client.id}/edit").get_data(as_text=True)
    assert "Invoice PDFs list the time entries they bill" in form
    data = {
        "name": world.a.client.name,
        "currency": world.a.client.currency,
        "portal_shows_staff_names": "y",
        "portal_shows_entry_notes": "y",
        "portal_shows_amounts": "y",
        "portal_shows_time_entries": "y",
        "portal_shows_documents": "y",
        "invoice_time_appendix": "y",
    }
    path = f"/clients/{world.a.client.id}/edit"
    assert post(staff, path, data, token_from=path).status_code == 302
    session.refresh(world.a.client)
    assert world.a.client.invoice_time_appendix is True
    data.pop("invoice_time_appendix")
    assert post(staff, path, data, token_from=path).status_code == 302
    session.refresh(world.a.client)
    assert world.a.client.invoice_time_appendix is False
