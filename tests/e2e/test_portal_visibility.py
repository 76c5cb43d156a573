"""What a client sees, set by an administrator and obeyed in a real browser: with staff names
and amounts hidden for Müller & Søn, its contact's time entries have no Person column and no
amount; the settings are put back at the end (the seeded server is shared by the flows)."""

from __future__ import annotations

from tests.e2e.support import Browse

CLIENT = "Müller & Søn"
CONTACT = "portal@mueller.example"
CONTACT_PASSWORD = "portal-demo-pass"  # noqa: S105 - the demo data's documented login
BOXES = ("Names of the staff", "Hourly rates and billable amounts")


def _set_boxes(browse: Browse, ticked: bool) -> None:
    page, seed = browse.page, browse.seed
    browse.login(seed.admin_email, seed.admin_password)
    browse.goto("/clients")
    browse.click_and_wait(page.get_by_role("link", name=CLIENT, exact=True))
    browse.click_and_wait(page.get_by_role("link", name="Edit", exact=True))
    fieldset = page.get_by_role("group", name="What the client's contacts see in the portal")
    for label in BOXES:
        box = fieldset.get_by_label(label)
        box.check() if ticked else box.uncheck()
    browse.click_and_wait(page.get_by_role("button", name="Save client"))
    summary = page.get_by_test_id("portal-visibility").inner_text()
    assert summary.startswith("everything") if ticked else "staff names" in summary
    browse.logout()


def _time_entries_headers(browse: Browse) -> list[str]:
    browse.login(CONTACT, CONTACT_PASSWORD)
    browse.goto("/client-portal/time-entries")
    headers = browse.page.locator("table thead th").all_inner_texts()
    browse.logout()
    return [h.strip() for h in headers]


def test_hidden_staff_names_and_amounts_leave_the_portal(browse: Browse):
    assert "Person" in _time_entries_headers(browse)
    _set_boxes(browse, ticked=False)
    try:
        browse.login(CONTACT, CONTACT_PASSWORD)
        browse.goto("/client-portal/time-entries")
        page = browse.page
        headers = [h.strip() for h in page.locator("table thead th").all_inner_texts()]
        assert "Person" not in headers and "Description" in headers
        assert page.get_by_test_id("billable-amount").count() == 0
        browse.screens("portal-time-entries-without-staff-names")
        browse.goto("/client-portal/projects")
        assert page.get_by_role("columnheader", name="Billable amount").count() == 0
        browse.logout()
    finally:
        _set_boxes(browse, ticked=True)
    assert "Person" in _time_entries_headers(browse)
