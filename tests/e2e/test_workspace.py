"""The staff workspace in a real browser: a staff member starts and stops the timer and adds
time by hand; an administrator turns the unbilled time into an invoice and marks it sent."""

from __future__ import annotations

import datetime as dt
import re

from tests.e2e.support import Browse


def test_staff_tracks_time_and_admin_invoices_it_and_marks_it_sent(browse: Browse):
    seed, page = browse.seed, browse.page
    browse.login(seed.staff_email, seed.password)
    assert browse.path == "/dashboard"
    main = page.locator("main")
    assert main.get_by_role("img", name=re.compile("Your hours per week")).count() == 1
    assert main.get_by_test_id("chart-invoices").count() == 0  # invoices are for admins
    browse.screens("workspace-dashboard")

    # Start the timer on the dashboard...
    _choose_project(main, seed.staff_project)
    main.get_by_label("What are you working on?").fill("Antenna alignment")
    browse.click_and_wait(main.get_by_role("button", name="Start timer"))
    assert "Running on" in main.inner_text()
    running = page.get_by_role("form", name="Running timer")
    assert seed.staff_project in running.inner_text()  # the navigation bar shows it everywhere
    # ...and stop it within the minute: discarded, and kept with "Undo"; the entry is then
    # among the recent ones, and no timer runs any more.
    browse.click_and_wait(main.get_by_role("button", name="Stop timer"))
    assert page.get_by_role("form", name="Running timer").count() == 0
    browse.click_and_wait(page.get_by_role("alert").get_by_role("button", name="Undo discard"))
    assert main.get_by_role("button", name="Start timer").is_visible()
    recent = main.locator("section", has_text="Your recent entries")
    assert "Antenna alignment" in recent.inner_text()

    # Add time by hand.
    nav = page.get_by_role("navigation", name="Main")
    browse.click_and_wait(nav.get_by_role("link", name="Time", exact=True))
    browse.click_and_wait(main.get_by_role("link", name="Add time by hand"))
    yesterday = dt.date.today() - dt.timedelta(days=1)
    form = page.locator("main form")
    _choose_project(form, seed.staff_project)
    form.get_by_label("Date").fill(yesterday.isoformat())
    form.get_by_label("Start").fill("14:00")
    form.get_by_label("or duration").fill("1:30")
    form.get_by_label("Notes").fill("Cable test report")
    browse.screens("workspace-time-entry-form")
    browse.click_and_wait(form.get_by_role("button", name="Save entry"))
    assert browse.path.startswith("/time")
    row = main.locator("tr", has_text="Cable test report")
    assert row.count() == 1 and "1.50" in row.inner_text()
    browse.screens("workspace-time")
    browse.logout()

    # The administrator sees the client's unbilled time on the dashboard and invoices it.
    browse.login(seed.admin_email, seed.admin_password)
    assert browse.path == "/dashboard"
    assert main.get_by_test_id("chart-invoices").count() == 1
    unbilled = main.locator("section", has_text="Unbilled time").locator(
        "tr", has_text=seed.staff_client
    )
    assert unbilled.count() == 1
    browse.click_and_wait(unbilled.get_by_role("link", name="Invoice"))
    assert browse.path.startswith("/invoices/new")
    client_select = page.locator("main form").get_by_label("Client", exact=True)
    assert client_select.locator("option:checked").inner_text() == seed.staff_client
    browse.screens("workspace-invoice-new")
    browse.click_and_wait(page.get_by_role("button", name="Create draft invoice"))
    assert re.fullmatch(r"/invoices/\d+", browse.path)
    heading = page.get_by_role("heading", level=1)
    assert "Draft" in heading.inner_text()
    lines = main.locator("table", has=page.locator("th", has_text="Description")).locator(
        "tbody tr"
    )
    assert lines.count() >= 1
    # 3 h + 2 h from last week, the timer's few seconds and 1:30 by hand, rounded per line.
    total = main.get_by_test_id("total").inner_text()
    assert total not in ("€0.00", "")

    # Mark it sent (the button asks for confirmation first).
    page.once("dialog", lambda dialog: dialog.accept())
    browse.click_and_wait(main.get_by_role("button", name="Mark as sent without emailing"))
    assert "Unpaid" in page.get_by_role("heading", level=1).inner_text()
    assert main.get_by_role("button", name="Mark as sent without emailing").count() == 0
    browse.screens("workspace-invoice-sent")

    # The time is billed now: the client is gone from the unbilled list.
    browse.click_and_wait(nav.get_by_role("link", name="Dashboard"))
    assert (
        main.locator("section", has_text="Unbilled time").locator("tr", has_text=seed.staff_client)
    ).count() == 0


def _choose_project(scope, name: str) -> None:
    """Pick ``name`` in a project picker, whose options read "Project · Client"."""
    select = scope.get_by_label("Project", exact=True)
    labels = [t for t in select.locator("option").all_inner_texts() if name in t]
    assert labels, f"no option for {name}"
    select.select_option(label=labels[0].strip())
