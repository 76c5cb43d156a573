"""A client's contact opens what an invoice bills: the entries under a line, their sum and how
it becomes the line's quantity, the invoice's time page, its CSV, and the way back from the
time-entries list to the invoice that billed an entry."""

from __future__ import annotations

import csv
import io
import re
from decimal import Decimal

from tests.e2e.support import Browse


def _hours(text: str) -> Decimal:
    return Decimal(text.replace(",", "").strip())


def test_portal_user_opens_an_invoices_time_entries(browse: Browse):
    seed, page = browse.seed, browse.page
    browse.login(seed.portal_email, seed.portal_password)

    # From the time-entries list, an entry's invoice link leads to the invoice that billed it.
    browse.goto("/client-portal/time-entries")
    invoice_link = page.locator("td[data-label=Invoice] a").first
    number = invoice_link.inner_text()
    browse.click_and_wait(invoice_link)
    assert re.fullmatch(r"/client-portal/invoices/\d+", browse.path)
    assert number in page.get_by_role("heading", level=1).inner_text()

    # Under a line: its entries, closed until asked for, then listed with their hours.
    details = page.locator("tr.line-time details").first
    table = details.locator("table")
    assert not table.is_visible()
    details.locator("summary").click()
    assert table.is_visible()
    browse.check()  # the opened entries too
    summary = details.locator("summary").inner_text()
    assert "rounded up to the next 15 minutes" in summary or "billed as" not in summary
    worked = _hours(details.get_by_test_id("line-hours").inner_text())
    assert _hours(table.locator("tfoot td").inner_text()) == worked
    hours = [_hours(t) for t in table.locator("tbody td[data-label=Hours]").all_inner_texts()]
    assert hours and abs(sum(hours) - worked) <= Decimal("0.01") * len(hours)
    browse.screens("portal-invoice-time-line")

    # Every entry of the invoice, by line, and the same entries as CSV.
    actions = page.get_by_test_id("invoice-time-actions")
    browse.click_and_wait(actions.get_by_role("link", name=re.compile("^All .* time entr")))
    assert re.fullmatch(r"/client-portal/invoices/\d+/time", browse.path)
    assert page.get_by_role("heading", level=1).inner_text() == f"Time entries of invoice {number}"
    listed = page.locator("td[data-label=Hours]").count()
    assert listed >= len(hours)
    browse.screens("portal-invoice-time")
    csv_link = page.get_by_role("link", name="Download CSV")
    browse.expect_download(csv_link.get_attribute("href"))
    with page.expect_download() as download:
        csv_link.click()
    assert download.value.suggested_filename.endswith("-time-entries.csv")
    with open(download.value.path(), encoding="utf-8-sig") as exported:
        rows = list(csv.DictReader(io.StringIO(exported.read())))
    total = int(re.search(r"of (\d+)", page.get_by_test_id("range").inner_text())[1])
    assert len(rows) == total and {row["Invoice"] for row in rows} == {number}

    # Back to the invoice by its breadcrumb.
    browse.click_and_wait(
        page.get_by_role("navigation", name="breadcrumb").get_by_role("link", name=number)
    )
    assert number in page.get_by_role("heading", level=1).inner_text()
