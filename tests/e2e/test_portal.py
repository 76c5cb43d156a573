"""A client's portal in a real browser: every page, every invoice filter, the downloads, the
keyboard, and another client's invoice answered with the not-found page."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from urllib.parse import parse_qs, urlsplit

from tests.e2e.support import Browse

FILTERS = ("all", "paid", "unpaid", "overdue")
PORTAL_HOME = ("/client-portal", "/client-portal/dashboard")


def _query(browse: Browse) -> dict[str, list[str]]:
    return parse_qs(urlsplit(browse.page.url).query)


def test_portal_user_reads_dashboard_projects_invoices_and_time_then_logs_out(browse: Browse):
    seed, page = browse.seed, browse.page
    browse.login(seed.portal_email, seed.portal_password)

    nav = page.get_by_role("navigation", name="Main")

    # Dashboard: where a portal user lands, with both charts and their tables.
    assert browse.path in PORTAL_HOME
    assert page.get_by_role("heading", level=1).inner_text() == seed.portal_client
    hours_chart = page.get_by_role("img", name=re.compile("Hours per week on your projects"))
    assert hours_chart.count() == 1 and hours_chart.is_visible()
    assert page.get_by_role("img", name=re.compile("Invoice totals by status")).count() == 1
    browse.screens("portal-dashboard")
    page.get_by_text("Hours per week as a table").click()
    week_rows = page.get_by_test_id("chart-hours").locator("tbody tr")
    assert week_rows.count() == 12 and week_rows.first.is_visible()
    browse.check()  # the opened table too

    # Projects, with budget progress bars.
    browse.click_and_wait(nav.get_by_role("link", name="Projects"))
    assert browse.path == "/client-portal/projects"
    assert page.get_by_role("progressbar").count() >= 1
    browse.screens("portal-projects")

    # Invoices: each status filter, by its link.
    browse.click_and_wait(nav.get_by_role("link", name="Invoices"))
    filters = page.get_by_role("navigation", name="Filter invoices by status")
    for status in FILTERS:
        link = filters.get_by_role("link", name=re.compile(rf"^{status}\b", re.IGNORECASE))
        expected = int(link.locator(".badge").inner_text())
        browse.click_and_wait(link)
        assert _query(browse)["status"] == [status]
        assert filters.locator("[aria-current=page]").inner_text().lower().startswith(status)
        rows = page.locator("table tbody tr")
        if expected:
            assert rows.count() == min(expected, 50)
        else:
            assert page.get_by_test_id("empty").is_visible()
        if status == "all":
            browse.screens("portal-invoices")
            statuses = {s.lower() for s in rows.locator("td[data-label=Status]").all_inner_texts()}
            assert "draft" not in " ".join(statuses)

    # An invoice's detail page, and its PDF.
    browse.click_and_wait(filters.get_by_role("link", name=re.compile("^all", re.IGNORECASE)))
    first = page.locator("table tbody tr").first.locator("td[data-label=Number] a")
    number = first.inner_text()
    browse.click_and_wait(first)
    assert re.fullmatch(r"/client-portal/invoices/\d+", browse.path)
    assert number in page.get_by_role("heading", level=1).inner_text()
    assert page.get_by_role("table").first.locator("tbody tr").count() >= 1
    browse.screens("portal-invoice-detail")
    pdf_link = page.get_by_test_id("invoice-actions").get_by_role("link", name="Download PDF")
    browse.expect_download(pdf_link.get_attribute("href"))
    with page.expect_download() as download:
        pdf_link.click()
    assert download.value.suggested_filename.endswith(".pdf")
    assert number in download.value.suggested_filename
    with open(download.value.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"

    # Time entries filtered by project and dates, and the same entries as CSV.
    browse.click_and_wait(nav.get_by_role("link", name="Time entries"))
    total_before = page.get_by_test_id("totals").inner_text()
    date_from = dt.date.today() - dt.timedelta(days=30)
    date_to = dt.date.today() - dt.timedelta(days=1)
    form = page.get_by_role("search", name="Filter time entries")
    form.get_by_label("Project").select_option(label="Website relaunch")
    form.get_by_label("From", exact=True).fill(date_from.isoformat())
    form.get_by_label("To", exact=True).fill(date_to.isoformat())
    browse.click_and_wait(form.get_by_role("button", name="Filter"))
    query = _query(browse)
    assert query["date_from"] == [date_from.isoformat()]
    assert query["date_to"] == [date_to.isoformat()]
    assert query["project_id"] != [""]
    assert page.get_by_test_id("totals").inner_text() != total_before
    shown = page.locator("table tbody tr")
    assert shown.count() >= 1
    assert set(shown.locator("td[data-label=Project]").all_inner_texts()) == {"Website relaunch"}
    dates = shown.locator("td[data-label=Date]").all_inner_texts()
    assert all(date_from <= dt.datetime.strptime(d, "%m/%d/%Y").date() <= date_to for d in dates)
    browse.screens("portal-time-entries")

    csv_link = page.get_by_test_id("time-actions").get_by_role("link", name="Export CSV")
    browse.expect_download(csv_link.get_attribute("href"))
    with page.expect_download() as download:
        csv_link.click()
    assert download.value.suggested_filename.endswith(".csv")
    with open(download.value.path(), encoding="utf-8-sig") as exported:
        rows = list(csv.reader(io.StringIO(exported.read())))
    header, body = rows[0], rows[1:]
    assert len(body) == int(re.match(r"\d+", page.get_by_test_id("totals").inner_text())[0])
    project_col = next(i for i, h in enumerate(header) if h.lower().startswith("project"))
    assert {row[project_col] for row in body} == {"Website relaunch"}

    # Logging out ends the session: the portal asks for a login again.
    browse.logout()
    browse.goto("/client-portal")
    assert browse.path.startswith("/login")


def test_another_clients_invoice_is_the_not_found_page(browse: Browse):
    seed, page = browse.seed, browse.page
    browse.login(seed.portal_email, seed.portal_password)
    foreign = f"/client-portal/invoices/{seed.other_client_invoice_id}"
    missing = "/client-portal/invoices/987654321"
    for path in (foreign, missing, f"{foreign}/pdf"):
        browse.expect_status(path, 404)

    browse.goto(foreign, status=404)
    foreign_text = page.get_by_test_id("error-message").inner_text()
    assert page.get_by_role("heading", level=1).inner_text().lower() == "not found"
    assert "Müller" not in page.content()
    browse.screens("portal-not-found")

    browse.goto(missing, status=404)
    assert page.get_by_test_id("error-message").inner_text() == foreign_text

    response = page.request.get(browse.url(f"{foreign}/pdf"))
    assert response.status == 404

    # The client's own invoices still open.
    own = seed.acme_invoice_ids[0]
    browse.goto(f"/client-portal/invoices/{own}")


def test_invoice_filters_work_with_the_keyboard_alone(browse: Browse):
    seed, page = browse.seed, browse.page
    browse.login(seed.portal_email, seed.portal_password)
    browse.goto("/client-portal/invoices")

    # The first Tab reaches the skip link, which jumps to the content.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Skip to content"

    # Tab on until the "Unpaid" filter has the focus, and open it with Enter.
    for _ in range(40):
        page.keyboard.press("Tab")
        focused = page.evaluate(
            "() => [document.activeElement.closest('[data-testid=invoice-filters]') !== null,"
            " document.activeElement.textContent.trim()]"
        )
        if focused[0] and focused[1].lower().startswith("unpaid"):
            break
    else:
        raise AssertionError("the Unpaid filter cannot be reached with Tab")
    outline = page.evaluate(
        "() => { const s = getComputedStyle(document.activeElement);"
        " return s.outlineStyle !== 'none' || s.boxShadow !== 'none'; }"
    )
    assert outline, "the focused filter shows no focus indicator"
    with page.expect_navigation():
        page.keyboard.press("Enter")
    browse.check()
    assert _query(browse)["status"] == ["unpaid"]
    current = page.get_by_role("navigation", name="Filter invoices by status").locator(
        "[aria-current=page]"
    )
    assert current.inner_text().lower().startswith("unpaid")
