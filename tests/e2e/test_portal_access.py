"""The seed's steps, literally: an administrator enables the client portal for a user in
Admin → Users, and that user then logs in and lands on the portal; in English, German and
French, each with the page checks and the phone-width check of every browser test."""

from __future__ import annotations

import re

import pytest

from tests.e2e.support import Browse


@pytest.mark.parametrize("language", ["en", "de", "fr"])
def test_admin_enables_client_portal_and_the_user_lands_on_it(browse: Browse, language: str):
    seed, page, t = browse.seed, browse.page, browse.t
    email = seed.new_portal_email if language == "en" else f"casey.{language}@globex.example"
    browse.login(seed.admin_email, seed.admin_password)

    # 1. Navigate to Admin → Users.
    main_nav = page.get_by_role("navigation", name=t("Main"))
    browse.click_and_wait(main_nav.get_by_role("link", name=t("Admin"), exact=True))
    users_link = page.locator("main").get_by_role("link", name=t("Users"), exact=True)
    browse.click_and_wait(users_link)
    assert browse.path.startswith("/admin/users")
    browse.screens(f"admin-users{browse.suffix}")

    # 2. Click Edit on the user to grant portal access to.
    row = page.locator("tr", has_text=email)
    assert row.get_by_test_id("portal-badge").count() == 0
    browse.click_and_wait(row.get_by_role("link", name=t("Edit")))
    assert re.fullmatch(r"/admin/users/\d+/edit", browse.path)

    # 3-5. In the Client Portal Access section, check Enable Client Portal, select the client.
    section = page.get_by_role("group", name=t("Client Portal Access"))
    section.scroll_into_view_if_needed()
    section.get_by_label(t("Enable Client Portal")).check()
    section.get_by_label(t("Client"), exact=True).select_option(label=seed.new_portal_client)
    browse.screens(f"admin-user-edit{browse.suffix}")

    # 6. Click Save: the list shows the "Portal" badge with the client's name.
    browse.click_and_wait(page.get_by_role("button", name=t("Save")))
    assert browse.path.startswith("/admin/users")
    badge = page.locator("tr", has_text=email).get_by_test_id("portal-badge")
    assert badge.inner_text() == t("Portal: %(client)s", client=seed.new_portal_client)
    browse.logout()

    # The user logs in and lands on the portal of that client, in the browser's language.
    browse.login(email, seed.password)
    assert browse.path in ("/client-portal", "/client-portal/dashboard")
    assert page.locator("html").get_attribute("lang") == language
    assert page.get_by_role("heading", level=1).inner_text() == seed.new_portal_client
    nav = page.get_by_role("navigation", name=t("Main"))
    assert nav.get_by_role("link", name=t("Admin"), exact=True).count() == 0
    browse.screens(f"portal-dashboard-new-user{browse.suffix}")
    # ...and is confined to it: an internal page is refused.
    browse.expect_status("/admin/users", 403)
    browse.goto("/admin/users", status=403)
