"""The drill-down adds up to the invoice: each line's entries, summed and rounded as the
billing rules round them, are exactly the line's quantity; a manual line shows no entries."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from flask import Flask, g
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.portal.invoice_time.conftest import build, line_block, read_csv, signed_in
from timetracker.billing import rules
from timetracker.models import InvoiceItem, TimeEntry
from timetracker.pagination import PageRequest
from timetracker.portal.scope import PortalScope


def _seconds_by_line(session: Session, invoice_id: int) -> dict[int, int]:
    rows = session.execute(
        select(TimeEntry.invoice_item_id, TimeEntry.duration_seconds)
        .join(InvoiceItem, InvoiceItem.id == TimeEntry.invoice_item_id)
        .where(InvoiceItem.invoice_id == invoice_id)
    ).all()
    found: dict[int, int] = {}
    for item_id, seconds in rows:
        found[item_id] = found.get(item_id, 0) + seconds
    return found


@pytest.mark.parametrize("rounding", [0, 6, 15, 60])
def test_each_lines_entries_sum_to_its_quantity_under_the_rounding_setting(
    app: Flask, session: Session, connection, rounding: int
):
    w = build(app, session, rounding)
    invoice = w.a.invoice
    browser = signed_in(app, w.a.contact)
    html = browser.get(f"/client-portal/invoices/{invoice.id}").get_data(as_text=True)
    page = browser.get(f"/client-portal/invoices/{invoice.id}/time").get_data(as_text=True)
    csv_rows = read_csv(browser.get(f"/client-portal/invoices/{invoice.id}/time.csv").data)
    items = session.scalars(
        select(InvoiceItem)
        .where(InvoiceItem.invoice_id == invoice.id)
        .order_by(InvoiceItem.position)
    ).all()
    seconds = _seconds_by_line(session, invoice.id)
    timed = [item for item in items if item.id in seconds]
    assert len(timed) == 2 and len(items) == 3
    for item in timed:
        # The billing rule makes the line's quantity of its entries' seconds...
        assert rules.billed_hours(seconds[item.id], rounding) == item.quantity
        block = line_block(html, item.id)
        assert block is not None
        summary = re.sub(r"<[^>]+>|\s+", " ", block.split("</summary>")[0])
        summary = re.sub(r" +", " ", summary)
        # ...and the page shows those entries' hours and, where rounding changes them, how.
        worked = rules.hours(seconds[item.id])
        assert f" {worked} h worked" in summary
        if item.quantity != worked:
            assert f"billed as {item.quantity} h" in summary
            if rounding:
                assert f"rounded up to the next {rounding} minutes" in summary
        else:
            assert "billed as" not in summary
        # Every entry's hours are listed under the line, and they are the line's entries.
        listed = re.findall(r'data-label="Hours" class="num">([\d.]+)<', block)
        entries = session.scalars(
            select(TimeEntry).where(TimeEntry.invoice_item_id == item.id)
        ).all()
        assert sorted(listed) == sorted(str(rules.hours(e.duration_seconds)) for e in entries)
        assert f"line-title-{item.id}" in page
    manual = next(item for item in items if item.id not in seconds)
    assert manual.description == "Domain renewal"
    assert line_block(html, manual.id) is None
    # The CSV holds exactly the invoice's entries: its seconds are the lines' seconds.
    assert sum(int(row["Seconds"]) for row in csv_rows) == sum(seconds.values())
    assert {row["Invoice"] for row in csv_rows} == {invoice.number}


def test_the_scope_pages_add_up_to_the_lines(app: Flask, session: Session, connection):
    w = build(app, session, 15, big=7)
    with app.test_request_context():
        g.db_session = session
        scope = PortalScope(w.a.client, session)
        invoice = scope.invoice(w.a.invoice.id)
        lines = scope.invoice_line_times(invoice)
        summed: dict[int, int] = {}
        for number in (1, 2, 3):
            page = scope.invoice_entry_page(invoice, lines, PageRequest(number, 5))
            for row in page.items:
                summed[row.invoice_item_id] = (
                    summed.get(row.invoice_item_id, 0) + row.duration_seconds
                )
        assert page.pages == 3
        assert page.total == 5 + 7 == sum(line.count for line in lines.values())
        for item in invoice.items:
            if item.id in lines:
                assert lines[item.id].seconds == summed[item.id]
                assert lines[item.id].billed_hours == item.quantity
                assert lines[item.id].matches(item.quantity)
        assert not lines[next(iter(lines))].matches(Decimal("99"))
