"""An administrator opens the reports, picks last month, groups by project, drills down into
a project's time entries (whose total is the row's), and downloads the report as XLSX."""

from __future__ import annotations

import io
import re
from decimal import Decimal

from openpyxl import load_workbook

from tests.e2e.support import Browse


def _number(text: str) -> Decimal:
    return Decimal(re.sub(r"[^0-9.]", "", text))


def test_admin_reports_last_month_by_project_drills_down_and_downloads(browse: Browse):
    seed, page = browse.seed, browse.page
    browse.login(seed.admin_email, seed.admin_password)
    browse.goto("/reports")
    main = page.locator("main")
    assert main.get_by_role("heading", level=1).inner_text() == "Reports"
    presets = page.get_by_role("navigation", name="Period")
    assert presets.locator("[aria-current]").inner_text() == "This month"

    browse.click_and_wait(presets.get_by_role("link", name="Last month"))
    assert presets.locator("[aria-current]").inner_text() == "Last month"
    main.get_by_label("Group by").select_option(label="Project")
    browse.click_and_wait(main.get_by_role("button", name="Show"))
    # The dates the form sent are last month's: still shown as that preset.
    assert presets.locator("[aria-current]").inner_text() == "Last month"
    table = main.get_by_test_id("report-table")
    assert table.locator("thead").inner_text().split("\t")[:3] == ["Project", "Client", "Currency"]
    first = table.locator("tbody tr").first
    project = first.locator("td[data-label=Project]").inner_text()
    hours = _number(first.locator("td[data-label=Hours]").inner_text())
    assert hours > 0
    browse.screens("workspace-reports")

    # Drill down: the project's entries of last month, with the row's hours as their total.
    browse.click_and_wait(first.get_by_test_id("drill-down"))
    assert browse.path.startswith("/time?")
    assert _number(page.get_by_test_id("total-hours").inner_text()) == hours
    page.go_back()
    page.wait_for_load_state("load")
    browse.check()

    # The same report as XLSX: the first group is the row the page shows.
    link = main.get_by_role("link", name="Download XLSX")
    browse.expect_download(link.get_attribute("href"))
    with page.expect_download() as download:
        link.click()
    name = download.value.suggested_filename
    assert re.fullmatch(r"report-by-project-\d{4}-\d{2}-01-to-\d{4}-\d{2}-\d{2}\.xlsx", name), name
    with open(download.value.path(), "rb") as exported:
        sheet = load_workbook(io.BytesIO(exported.read())).active
    values = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert values[0][:3] == ["Project", "Client", "Currency"]
    assert values[1][0] == project and Decimal(str(values[1][3])) == hours
    browse.assert_clean()
