"""Fast time entry as a member of staff does it: a week of hours typed into the week grid with
the keyboard only, the totals still there after a reload; an entry restarted from the list; a
timer stopped within the minute discarded and brought back with "Undo"; the shortcuts' help.
(The week grid is the README's screenshot docs/screenshots/week-grid.png.)"""

from __future__ import annotations

import os
import re

from tests.e2e.support import DOC_SCREENSHOTS, Browse

#: A week of the past that the demo data leaves empty.
WEEK = "2020-01-06"
TYPED = ["1:30", "2", "1,5", "0.5", "3"]


def test_a_week_typed_into_the_grid_by_keyboard(browse: Browse):
    seed, page = browse.seed, browse.page
    browse.login(seed.staff_email, seed.password)
    browse.goto(f"/time/week?week={WEEK}")

    # A row for the staff project, chosen in the picker (typing narrows the list).
    browse.page.get_by_label("Filter projects").fill(seed.staff_project)
    page.locator("#add-project").select_option(label=_option_label(browse))
    browse.click_and_wait(page.get_by_role("button", name="Add row"))
    first = page.locator(".grid-cell").first
    assert first.get_attribute("data-day") == WEEK

    # Monday to Friday by keyboard: type, Tab to the next day.
    first.focus()
    for value in TYPED:
        page.keyboard.type(value)
        page.keyboard.press("Tab")
    total = page.get_by_test_id("week-total")
    page.wait_for_function(
        "() => document.querySelector('[data-week-total]').textContent.trim() === '8.50'"
    )
    assert page.locator(".grid-cell.is-invalid").count() == 0
    browse.check()

    page.reload()
    browse.check()
    row = page.locator("tr[data-project]").filter(has=page.locator(".grid-cell")).first
    values = [row.locator(".grid-cell").nth(i).input_value() for i in range(7)]
    assert values == ["1.50", "2.00", "1.50", "0.50", "3.00", "", ""]
    assert total.inner_text() == "8.50"
    days = page.get_by_test_id("day-totals").locator("td").all_inner_texts()
    assert days[:5] == ["1.50", "2.00", "1.50", "0.50", "3.00"]
    browse.screens("time-week-grid")
    if os.environ.get("TIMETRACKER_DOC_SCREENSHOTS") == "1":
        DOC_SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.locator("main").screenshot(path=DOC_SCREENSHOTS / "week-grid.png")

    # Enter saves and moves down; a bad value says why in the cell and saves nothing.
    saturday = row.locator(".grid-cell").nth(5)
    saturday.focus()
    page.keyboard.type("soon")
    browse.expect_status("/time/week/cell", 400)
    page.keyboard.press("Enter")
    message = row.locator(".cell-message").nth(5)
    message.wait_for(state="visible")
    assert "hours:minutes" in message.inner_text()
    saturday.fill("")
    page.keyboard.press("Tab")
    message.wait_for(state="hidden")

    # The shortcuts' help opens with "?" and closes with Escape.
    page.locator("body").click(position={"x": 5, "y": 300})
    page.keyboard.press("?")
    help_dialog = page.get_by_role("dialog", name="Keyboard shortcuts")
    help_dialog.wait_for(state="visible")
    page.wait_for_function(  # Bootstrap's fade-in done: axe reads the final colours
        "() => getComputedStyle(document.getElementById('shortcuts')).opacity === '1'"
        " && getComputedStyle(document.querySelector('.modal-backdrop')).opacity === '0.5'"
    )
    # The dialog holds the focus once shown (Bootstrap moves it there after the fade).
    page.wait_for_function(
        "() => document.getElementById('shortcuts').contains(document.activeElement)"
    )
    browse.check()
    page.keyboard.press("Escape")
    help_dialog.wait_for(state="hidden")


def _option_label(browse: Browse) -> str:
    """The visible option of the staff project in the filtered picker."""
    options = browse.page.locator("#add-project option:not([hidden])")
    labels = [t for t in options.all_inner_texts() if browse.seed.staff_project in t]
    assert labels, "the filter keeps the project"
    return labels[0]


def test_restart_an_entry_then_discard_the_short_timer_and_undo(browse: Browse):
    seed, page = browse.seed, browse.page
    browse.login(seed.staff_email, seed.password)
    browse.goto("/time")
    stop = page.locator("[data-timer-stop-form] button")
    if stop.count():  # the demo may leave a timer running
        browse.click_and_wait(stop)

    row = page.locator("tr.entry-row").filter(has=page.get_by_role("button", name="Restart")).first
    project = row.locator(".entry-project a").inner_text()
    browse.click_and_wait(row.get_by_role("button", name="Restart"))
    assert f"Timer started on {project}" in page.locator("main").inner_text()
    page.wait_for_function("() => document.title.startsWith('\u25b6 0:00:')")
    assert project in page.title()

    # Stopped within the minute: discarded, with "Undo" in the message.
    browse.click_and_wait(page.locator("[data-timer-stop-form] button"))
    alert = page.locator("main .alert-warning")
    assert "Timer discarded" in alert.inner_text()
    assert page.locator("[data-timer-stop-form]").count() == 0
    browse.click_and_wait(alert.get_by_role("button", name="Undo discard"))
    assert re.search(r"The timer was restored \(0\.\d\d hours\)", page.locator("main").inner_text())
    assert page.get_by_role("button", name="Undo discard").count() == 0
    browse.screens("time-list")
