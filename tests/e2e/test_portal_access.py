"""The seed's steps, literally: an administrator enables the client portal for a user in
Admin → Users, and that user then logs in and lands on the portal."""

from __future__ import annotations

import re

from tests.e2e.support import Browse


def test_admin_enables_client_portal_and_the_user_lands_on_it(browse: Browse):
    seed, page = browse.seed, browse.page
    browse.login(seed.admin_email, seed.admin_password)

    # 1. Navigate to Admin → Users.
    main_nav = page.get_by_role("navigation", name="Main")
    browse.click_and_wait(main_nav.get_by_role("link", name="Admin", exact=True))
    users_link = page.locator("main").get_by_role("link", name="Users", exact=True)
    browse.click_and_wait(users_link)
    assert browse.path.startswith("/admin/users")
    browse.screens("admin-users")

    # 2. Click Edit on the user to grant portal access to.
    row = page.locator("tr", has_text=seed.new_portal_email)
    assert row.get_by_test_id("portal-badge").count() == 0
    browse.click_and_wait(row.get_by_role("link", name="Edit"))
    assert re.fullmatch(r"/admin/users/\d+/edit", browse.path)

    # 3-5. In the Client Portal Access section, check Enable Client Portal, select the client.
    section = page.get_by_role("group", name="Client Portal Access")
    section.scroll_into_view_if_needed()
    section.get_by_label("Enable Client Portal").check()
    section.get_by_label("Client", exact=True).select_option(label=seed.new_portal_client)
    browse.screens("admin-user-edit")

    # 6. Click Save: the list shows the "Portal" badge with the client's name.
    browse.click_and_wait(page.get_by_role("button", name="Save"))
    assert browse.path.startswith("/admin/users")
    badge = page.locator("tr", has_text=seed.new_portal_email).get_by_test_id("portal-badge")
    assert badge.inner_text() == f"Portal: {seed.new_portal_client}"
    browse.logout()

    # The user logs in and lands on the portal of that client.
    browse.login(seed.new_portal_email, seed.password)
    assert browse.path in ("/client-portal", "/client-portal/dashboard")
    assert page.get_by_role("heading", level=1).inner_text() == seed.new_portal_client
    nav = page.get_by_role("navigation", name="Main")
    assert nav.get_by_role("link", name="Admin", exact=True).count() == 0
    # ...and is confined to it: an internal page is refused.
    browse.expect_status("/admin/users", 403)
    browse.goto("/admin/users", status=403)
