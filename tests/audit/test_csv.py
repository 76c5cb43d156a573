"""The audit CSV: the same rows as the page for the same filters, to the second in the firm's
timezone, streamed, with every text cell safe from spreadsheet formulas."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest

from tests.audit.conftest import add_event, page_ids, set_timezone
from timetracker.audit import Kind, label
from timetracker.audit.export import filename
from timetracker.audit.queries import TrailFilter
from timetracker.models import AuditEvent


def utc(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=dt.UTC)


def _csv(response) -> list[list[str]]:
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Cache-Control"] == "private, no-store"
    text = response.get_data().decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


@pytest.fixture
def events(app, session, firm, monkeypatch):
    monkeypatch.setitem(app.config, "PAGE_SIZE", 500)
    set_timezone(session, "Europe/Berlin")
    f = firm
    add_event(
        session,
        Kind.SIGN_IN,
        utc(2026, 3, 1, 8, 0, 1),
        actor=f.anna,
        client=f.alpha,
        ip_address="192.0.2.1",
        user_agent="Firefox",
    )
    add_event(
        session,
        Kind.INVOICE_VIEWED,
        utc(2026, 3, 1, 23, 15, 30),
        actor=f.anna,
        client=f.alpha,
        invoice=f.alpha_invoice,
    )
    add_event(
        session,
        Kind.PORTAL_ACCESS_REMOVED,
        utc(2026, 3, 2, 10),
        actor=f.admin,
        subject=f.bruno,
        client=f.bravo,
    )
    add_event(
        session,
        Kind.CSV_EXPORTED,
        utc(2026, 3, 3, 11),
        actor=f.bruno,
        client=f.bravo,
        detail="time entries 2026-03-01..2026-03-31",
    )
    session.commit()  # fmt: skip


@pytest.mark.parametrize(
    "query",
    ["", "kind=invoice_viewed", "date_from=2026-03-02", "date_to=2026-03-01", "client={bravo}",
     "person={anna}&date_from=2026-03-02", "person={bruno}"],
)  # fmt: skip
def test_the_csv_has_the_rows_of_the_page_for_the_same_filters(
    session, firm, events, as_admin, query
):
    query = query.format(anna=firm.anna.id, bravo=firm.bravo.id, bruno=firm.bruno.id)
    ids = page_ids(as_admin.get(f"/admin/audit?{query}"))
    rows = _csv(as_admin.get(f"/admin/audit.csv?{query}"))
    assert rows[0][0] == "When (Europe/Berlin)"
    assert rows[0][1:] == [
        "Who", "Who (email)", "What", "About whom", "Client", "Invoice", "Address", "Browser",
        "Detail",
    ]  # fmt: skip
    expected = []
    for event_id in ids:
        e = session.get(AuditEvent, event_id)
        client = {firm.alpha.id: "Alpha GmbH", firm.bravo.id: "Bravo Ltd"}.get(e.client_id, "")
        expected.append(
            [
                e.at.astimezone(dt.timezone(dt.timedelta(hours=1))).strftime("%Y-%m-%d %H:%M:%S"),
                e.actor_name or "",
                e.actor_email or "",
                label(e.kind),
                e.subject_email or "",
                client,
                "A-0001" if e.invoice_id == firm.alpha_invoice.id else "",
                e.ip_address or "",
                e.user_agent or "",
                e.detail or "",
            ]
        )
    assert rows[1:] == expected
    assert ids or query == "date_to=2026-03-01" and not ids


def test_the_day_in_the_csv_is_the_local_day(firm, events, as_admin):
    rows = _csv(as_admin.get("/admin/audit.csv?kind=invoice_viewed"))
    assert rows[1][0] == "2026-03-02 00:15:30"  # 23:15:30 UTC on 1 March


def test_the_file_is_named_by_its_dates(firm, as_admin):
    response = as_admin.get("/admin/audit.csv?date_from=2026-03-01&date_to=2026-03-31")
    assert response.headers["Content-Disposition"] == (
        "attachment; filename=audit-trail-2026-03-01-to-2026-03-31.csv"
    )
    assert filename(TrailFilter()) == "audit-trail-all-dates.csv"
    assert filename(TrailFilter(date_to=dt.date(2026, 1, 2))) == "audit-trail-until-2026-01-02.csv"


FORMULAS = ['=HYPERLINK("http://x")', "+1+1", "-2", "@SUM(A1)", " =1", "ok;=1+1", "\tcmd"]


def test_cells_that_a_spreadsheet_would_read_as_a_formula_are_neutralised(session, firm, as_admin):
    for i, text in enumerate(FORMULAS):
        add_event(
            session,
            Kind.SIGN_IN_FAILED,
            utc(2026, 3, 1, 9, i),
            actor_email=text,
            ip_address=text[:45],
            user_agent=text,
            detail=text,
            client=firm.bravo,
        )
    session.commit()
    rows = _csv(as_admin.get(f"/admin/audit.csv?client={firm.bravo.id}"))[1:]
    assert len(rows) == len(FORMULAS)
    for row, text in zip(rows, reversed(FORMULAS), strict=True):
        for cell in (row[2], row[7], row[8], row[9]):  # email, address, browser, detail
            assert cell != text
            assert cell.replace("'", "", 1) == text or cell.replace("'", "") == text
            for part in cell.replace(";", ",").split(","):
                assert not part.strip().startswith(("=", "+", "-", "@")), cell


def test_a_name_that_starts_a_formula_is_neutralised(session, firm, as_admin):
    firm.anna.name = "=cmd|' /C calc'!A0"
    add_event(session, Kind.SIGN_IN, utc(2026, 3, 1, 9), actor=firm.anna, client=firm.alpha)
    session.commit()
    rows = _csv(as_admin.get(f"/admin/audit.csv?client={firm.alpha.id}"))
    assert rows[1][1] == "'=cmd|' /C calc'!A0"


def test_the_csv_is_streamed_in_chunks(session, firm, as_admin, monkeypatch):
    from timetracker.audit import export

    monkeypatch.setattr(export, "ROWS_PER_CHUNK", 2)
    original = export.csv_chunks

    def small_chunks(rows, rows_per_chunk=2):
        return original(rows, rows_per_chunk=rows_per_chunk)

    monkeypatch.setattr("timetracker.audit.views.csv_chunks", small_chunks)
    for minute in range(5):
        add_event(session, Kind.SIGN_IN, utc(2026, 3, 1, 9, minute), client=firm.bravo)
    session.commit()
    response = as_admin.get(f"/admin/audit.csv?client={firm.bravo.id}", buffered=False)
    assert response.is_streamed
    chunks = [chunk for chunk in response.response if chunk]
    assert len(chunks) == 3  # header + 2 rows, 2 rows, 1 row
    assert len(b"".join(chunks).decode("utf-8").splitlines()) == 6
