"""A project's budget burn-down in a real browser: the demo's Website relaunch is about to run
out of its hours budget; its contact reads the forecast, the chart and the table in the portal,
and an administrator the same forecast on the workspace project page."""

from __future__ import annotations

import re

from tests.e2e.support import Browse

PROJECT = "Website relaunch"
CONTACT = "portal@acme.example"
CONTACT_PASSWORD = "portal-demo-pass"  # noqa: S105 - the demo data's documented login
SOON = re.compile(
    r"At the pace of the last 4 weeks \([\d.,]+ h/week\), the hours budget runs out around .+\."
)


def _check_forecast(browse: Browse) -> str:
    page = browse.page
    section = page.get_by_test_id("forecast")
    assert section.is_visible()
    chart = section.get_by_role("img", name=re.compile("Hours used against the budget"))
    assert chart.count() == 1 and chart.is_visible()
    summary = page.get_by_test_id("forecast-summary-hours").inner_text()
    assert SOON.fullmatch(summary), summary
    heading = section.get_by_role("heading", name=re.compile("Hours budget")).inner_text()
    used = re.fullmatch(r"Hours budget: (\d+) % used", heading.strip())
    assert used and 75 <= int(used.group(1)) < 100, heading
    section.get_by_text("Hours used per week as a table").click()
    rows = section.get_by_test_id("forecast-hours").locator("tbody tr")
    assert rows.count() >= 5 and rows.first.is_visible()
    return summary


def test_the_demo_project_about_to_run_out_shows_its_forecast(browse: Browse):
    page = browse.page
    browse.login(CONTACT, CONTACT_PASSWORD)
    browse.goto("/client-portal/projects")
    browse.click_and_wait(page.get_by_role("link", name=PROJECT, exact=True))
    portal_summary = _check_forecast(browse)
    browse.screens("portal-project-forecast")
    browse.check()
    browse.logout()

    seed = browse.seed
    browse.login(seed.admin_email, seed.admin_password)
    browse.goto("/projects")
    browse.click_and_wait(page.get_by_role("link", name=PROJECT, exact=True))
    assert _check_forecast(browse) == portal_summary
    browse.screens("workspace-project-forecast")
    browse.check()
