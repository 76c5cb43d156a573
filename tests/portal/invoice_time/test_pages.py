"""The invoice page's lines, the invoice's time page with its pages, the visibility settings,
and the time-entries list's link to the invoice that billed each entry."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.portal.invoice_time.conftest import (
    FORMULA_NOTE,
    NOTE,
    STAFF,
    World,
    build,
    line_block,
    set_visibility,
    signed_in,
)
from tests.test_client_portal import same_page
from timetracker.models import InvoiceItem, TimeEntry


def test_invoice_page_lists_each_lines_entries_with_person_and_notes(
    alpha: FlaskClient, world: World
):
    html = alpha.get(f"/client-portal/invoices/{world.a.invoice.id}").get_data(as_text=True)
    assert "<details" in html and "<summary>" in html
    assert STAFF in html and f"{NOTE} 0" in html
    assert html.count('class="line-time"') == 2
    assert f'href="/client-portal/invoices/{world.a.invoice.id}/time.csv"' in html


def test_a_long_line_is_read_page_by_page(app: Flask, session: Session, connection):
    w = build(app, session, 0, big=53)
    browser = signed_in(app, w.a.contact)
    invoice = w.a.invoice
    big = session.scalar(
        select(InvoiceItem).where(
            InvoiceItem.invoice_id == invoice.id, InvoiceItem.description == "Alpha App"
        )
    )
    html = browser.get(f"/client-portal/invoices/{invoice.id}").get_data(as_text=True)
    block = line_block(html, big.id)
    assert block is not None and "<table" not in block  # 55 entries: a link, not a table
    assert f"/client-portal/invoices/{invoice.id}/time?line={big.id}" in block
    first = browser.get(f"/client-portal/invoices/{invoice.id}/time?line={big.id}")
    second = browser.get(f"/client-portal/invoices/{invoice.id}/time?line={big.id}&page=2")
    rows = [r.get_data(as_text=True).count('data-label="Hours"') for r in (first, second)]
    assert rows == [50, 5]
    assert "Entries 51–55 of 55" in second.get_data(as_text=True)
    # Every line: 58 entries, the small line first.
    every = browser.get(f"/client-portal/invoices/{invoice.id}/time?page=2").get_data(as_text=True)
    assert "Entries 51–58 of 58" in every and every.count('data-label="Hours"') == 8


def test_bad_parameters_answer_400(alpha: FlaskClient, world: World):
    base = f"/client-portal/invoices/{world.a.invoice.id}/time"
    for query in ("?line=abc", "?line=1&line=2", "?page=0", "?page=x"):
        response = alpha.get(base + query)
        assert response.status_code == 400, query


def test_hidden_names_and_notes_are_nowhere(app: Flask, session: Session, world: World):
    set_visibility(session, world.a.client, staff_names=False, entry_notes=False)
    browser = signed_in(app, world.a.contact)
    base = f"/client-portal/invoices/{world.a.invoice.id}"
    for path in (base, base + "/time", base + "/time.csv"):
        response = browser.get(path)
        assert response.status_code == 200
        text = response.get_data(as_text=True)
        assert STAFF not in text and NOTE not in text and "HYPERLINK" not in text, path
    header = browser.get(base + "/time.csv").get_data(as_text=True).splitlines()[0]
    assert "Notes" not in header and "User" not in header
    assert ">Person<" not in browser.get(base + "/time").get_data(as_text=True)


def test_hidden_time_entries_draw_nothing_and_answer_404(
    app: Flask, session: Session, world: World
):
    set_visibility(session, world.a.client, time_entries=False)
    browser = signed_in(app, world.a.contact)
    base = f"/client-portal/invoices/{world.a.invoice.id}"
    html = browser.get(base).get_data(as_text=True)
    assert "line-time" not in html and f"{base}/time" not in html
    missing = browser.get("/client-portal/invoices/999999/time")
    for path in (base + "/time", base + "/time.csv"):
        response = browser.get(path)
        assert response.status_code == 404
    assert same_page(browser.get(base + "/time")) == same_page(missing)


def test_time_entries_link_only_the_invoices_the_client_sees(
    alpha: FlaskClient, world: World, session: Session
):
    html = alpha.get("/client-portal/time-entries").get_data(as_text=True)
    assert ">Invoice<" in html
    sent = world.a.invoice
    links = re.findall(r'<a href="/client-portal/invoices/(\d+)">([^<]+)</a>', html)
    assert links and {int(i) for i, _ in links} == {sent.id}
    assert {n for _, n in links} == {sent.number}
    assert world.a.draft.number not in html
    billed = session.scalar(
        select(TimeEntry.id)
        .join(InvoiceItem, InvoiceItem.id == TimeEntry.invoice_item_id)
        .where(InvoiceItem.invoice_id == sent.id)
        .limit(1)
    )
    assert billed is not None
    assert FORMULA_NOTE.replace('"', "&#34;") in html  # notes escaped, not run
