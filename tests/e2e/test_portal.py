"""A client's portal in a real browser: every page, every invoice filter, the downloads, the
keyboard, and another client's invoice answered with the not-found page."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.e2e.support import Browse
from timetracker.local_dates import split_day

FILTERS = ("all", "paid", "unpaid", "overdue")
PORTAL_HOME = ("/client-portal", "/client-portal/dashboard")
#: The locale dates are shown in, by the browser's language (the demo firm's is en_US).
DATE_LOCALES = {"en": "en_US", "de": "de_DE", "fr": "fr_FR"}


def _query(browse: Browse) -> dict[str, list[str]]:
    return parse_qs(urlsplit(browse.page.url).query)


@pytest.mark.parametrize("language", ["en", "de", "fr"])
def test_portal_user_reads_dashboard_projects_invoices_and_time_then_logs_out(
    browse: Browse, language: str
):
    seed, page, t, suffix = browse.seed, browse.page, browse.t, browse.suffix
    browse.login(seed.portal_email, seed.portal_password)
    assert page.locator("html").get_attribute("lang") == language

    nav = page.get_by_role("navigation", name=t("Main"))

    # Dashboard: where a portal user lands, with both charts and their tables.
    assert browse.path in PORTAL_HOME
    assert page.get_by_role("heading", level=1).inner_text() == seed.portal_client
    hours_chart = page.get_by_role("img", name=re.compile(t("Hours per week on your projects")))
    assert hours_chart.count() == 1 and hours_chart.is_visible()
    assert page.get_by_role("img", name=re.compile(t("Invoice totals by status"))).count() == 1
    browse.screens(f"portal-dashboard{suffix}")
    page.get_by_text(t("Hours per week as a table")).click()
    week_rows = page.get_by_test_id("chart-hours").locator("tbody tr")
    assert week_rows.count() == 12 and week_rows.first.is_visible()
    browse.check()  # the opened table too

    # Projects, with budget progress bars.
    browse.click_and_wait(nav.get_by_role("link", name=t("Projects")))
    assert browse.path == "/client-portal/projects"
    assert page.get_by_role("progressbar").count() >= 1
    browse.screens(f"portal-projects{suffix}")

    # Invoices: each status filter, by its link.
    browse.click_and_wait(nav.get_by_role("link", name=t("Invoices")))
    filters = page.get_by_role("navigation", name=t("Filter invoices by status"))
    for status in FILTERS:
        label = t(status.capitalize(), "invoice filter" if status == "all" else None)
        # Not \b: Playwright runs the pattern as JavaScript, where é is not a word character.
        name = re.compile(rf"^{re.escape(label)}(\s|$)", re.IGNORECASE)
        link = filters.get_by_role("link", name=name)
        expected = int(link.locator(".badge").inner_text())
        browse.click_and_wait(link)
        assert _query(browse)["status"] == [status]
        current = filters.locator("[aria-current=page]").inner_text().lower()
        assert current.startswith(label.lower())
        rows = page.locator("table tbody tr")
        if expected:
            assert rows.count() == min(expected, 50)
        else:
            assert page.get_by_test_id("empty").is_visible()
        if status == "all":
            browse.screens(f"portal-invoices{suffix}")
            status_cells = rows.locator(f"td[data-label='{t('Status')}']")
            statuses = {s.lower() for s in status_cells.all_inner_texts()}
            assert t("Draft").lower() not in " ".join(statuses)

    # An invoice's detail page, and its PDF.
    all_label = re.compile(rf"^{t('All', 'invoice filter')}", re.IGNORECASE)
    all_link = filters.get_by_role("link", name=all_label)
    browse.click_and_wait(all_link)
    first = page.locator("table tbody tr").first.locator(f"td[data-label='{t('Number')}'] a")
    number = first.inner_text()
    browse.click_and_wait(first)
    assert re.fullmatch(r"/client-portal/invoices/\d+", browse.path)
    assert number in page.get_by_role("heading", level=1).inner_text()
    assert page.get_by_role("table").first.locator("tbody tr").count() >= 1
    browse.screens(f"portal-invoice-detail{suffix}")
    actions = page.get_by_test_id("invoice-actions")
    pdf_link = actions.get_by_role("link", name=t("Download PDF"))
    browse.expect_download(pdf_link.get_attribute("href"))
    with page.expect_download() as download:
        pdf_link.click()
    assert download.value.suggested_filename.endswith(".pdf")
    assert number in download.value.suggested_filename
    with open(download.value.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"

    # Time entries filtered by project and dates, and the same entries as CSV.
    browse.click_and_wait(nav.get_by_role("link", name=t("Time entries")))
    total_before = page.get_by_test_id("totals").inner_text()
    date_from = dt.date.today() - dt.timedelta(days=30)
    date_to = dt.date.today() - dt.timedelta(days=1)
    form = page.get_by_role("search", name=t("Filter time entries"))
    form.get_by_label(t("Project")).select_option(label="Website relaunch")
    form.get_by_label(t("From"), exact=True).fill(date_from.isoformat())
    form.get_by_label(t("To"), exact=True).fill(date_to.isoformat())
    browse.click_and_wait(form.get_by_role("button", name=t("Filter")))
    query = _query(browse)
    assert query["date_from"] == [date_from.isoformat()]
    assert query["date_to"] == [date_to.isoformat()]
    assert query["project_id"] != [""]
    assert page.get_by_test_id("totals").inner_text() != total_before
    shown = page.locator("table tbody tr")
    assert shown.count() >= 1
    project_label, date_label = t("Project"), t("Date")
    projects = shown.locator(f"td[data-label='{project_label}']").all_inner_texts()
    assert set(projects) == {"Website relaunch"}
    dates = [
        dt.date(*split_day(d, DATE_LOCALES[language]))  # type: ignore[misc]
        for d in shown.locator(f"td[data-label='{date_label}']").all_inner_texts()
    ]
    assert dates and all(date_from <= d <= date_to for d in dates)
    browse.screens(f"portal-time-entries{suffix}")

    csv_link = page.get_by_test_id("time-actions").get_by_role("link", name=t("Export CSV"))
    browse.expect_download(csv_link.get_attribute("href"))
    with page.expect_download() as download:
        csv_link.click()
    assert download.value.suggested_filename.endswith(".csv")
    with open(download.value.path(), encoding="utf-8-sig") as exported:
        rows = list(csv.reader(io.StringIO(exported.read())))
    header, body = rows[0], rows[1:]
    assert len(body) == int(re.match(r"\d+", page.get_by_test_id("totals").inner_text())[0])
    project_col = header.index(project_label)
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
