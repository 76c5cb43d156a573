"""Two-factor sign-in in a real browser: a staff member sets it up on the account page (the
test reads the key shown as text and computes the codes with pyotp, as an authenticator app
would), signs out, and signs in again with the password and a code."""

from __future__ import annotations

import time

import pyotp

from tests.e2e.seed import PASSWORD
from tests.e2e.support import Browse
from timetracker import create_app, db
from timetracker.auth.passwords import hash_password
from timetracker.models import Role, User

EMAIL = "robin.twofactor@example.com"


def _add_person(database_url: str) -> None:
    """A staff member of this test's own, so that no other flow meets their second factor."""
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "e2e-two-factor",
            "DATABASE_URL": database_url,
            "REDIS_URL": None,
            "RATELIMIT_STORAGE_URI": "memory://",
            "MAIL_ENABLED": False,
        }
    )
    try:
        with app.app_context():
            db.session.add(
                User(
                    name="Robin Twofactor",
                    email=EMAIL,
                    password_hash=hash_password(PASSWORD),
                    role=Role.STAFF,
                )
            )
            db.session.commit()
    finally:
        app.extensions["timetracker.engine"].dispose()


def test_staff_sets_up_two_factor_and_signs_in_with_a_code(browse: Browse):
    _add_person(browse.server.database_url)
    page = browse.page
    main = page.locator("main")
    browse.login(EMAIL, PASSWORD)
    assert browse.path == "/dashboard"

    # The account page: two-factor sign-in is off; this browser is the one session.
    browse.goto("/account")
    section = page.get_by_test_id("two-factor")
    assert section.get_by_test_id("two-factor-status").inner_text() == "Off"
    sessions = page.get_by_test_id("sessions")
    assert "This browser" in sessions.get_by_test_id("this-browser").inner_text()
    assert "Chrome on Linux" in sessions.inner_text()
    browse.screens("account")

    # Set up: the QR code, and the key as text for typing into an app by hand.
    browse.click_and_wait(section.get_by_role("button", name="Set up"))
    assert browse.path == "/account/two-factor"
    assert main.get_by_role("img", name="QR code for your authenticator app").is_visible()
    secret = main.get_by_test_id("two-factor-secret").inner_text().replace(" ", "")
    browse.screens("two-factor-setup")
    main.get_by_label("Code from your app").fill(pyotp.TOTP(secret).now())
    browse.click_and_wait(main.get_by_role("button", name="Turn on two-factor sign-in"))

    # Ten recovery codes, shown once.
    codes = main.get_by_test_id("recovery-codes").locator("li").all_inner_texts()
    assert len(codes) == 10 and len(set(codes)) == 10
    browse.screens("two-factor-recovery-codes")
    browse.click_and_wait(main.get_by_role("link", name="I have stored my codes"))
    assert browse.path == "/account"
    assert page.get_by_test_id("two-factor-status").inner_text() == "On"
    assert page.get_by_test_id("recovery-codes-left").inner_text() == "10"
    browse.logout()

    # The password alone leads to the second step, which signs in with the app's code. (The
    # code that turned it on is spent: the app's next one is accepted, as a clock a little
    # ahead would give it.)
    browse.login(EMAIL, PASSWORD)
    assert browse.path == "/login/two-factor"
    browse.screens("two-factor-second-step")
    main.get_by_label("Code").fill(pyotp.TOTP(secret).at(time.time() + 30))
    browse.click_and_wait(main.get_by_role("button", name="Continue"))
    assert browse.path == "/dashboard"
    nav = page.get_by_role("navigation", name="Main")
    assert nav.get_by_role("link", name="Robin Twofactor").is_visible()
    browse.logout()
