"""The emailed links, in a browser: an administrator invites a client contact, who sets a
password from the invitation email and lands in the portal; a person who forgot their password
resets it from the email and signs in with the new one.

The suite's server (``live_server``) runs with mail off, as the test environment scrubs every
mail setting: there the invitation link is shown to the administrator, and the last test takes
it from the page. A reset link is never shown on a page (the answer must not tell whether the
address has an account), so the email flows run on a second server of this module: the same
gunicorn command on its own freshly seeded database, with mail on, sending to an SMTP server
(aiosmtpd, ``tests/smtp.py``) that this test process runs, and with ``TIMETRACKER_BASE_URL`` set
to its own address, since links in emails are built on it.
"""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any
from urllib.parse import urlsplit

import pytest
from aiosmtpd.controller import Controller

from tests.e2e.conftest import (
    ROOT,
    SCRUBBED,
    _drop_postgres_database,
    _free_port,
    _require_chromium,
    _wait_until_serving,
    _worker,
)
from tests.e2e.support import ARTIFACTS, DESKTOP, Browse, LiveServer
from tests.smtp import SmtpServer, free_port

NEW_PASSWORD = "a-new-e2e-password-5"


@dataclass(frozen=True)
class MailServer:
    """The app served with mail on, and the SMTP server it sends to."""

    live: LiveServer
    smtp: SmtpServer

    def email_to(self, address: str, subject: str, timeout: float = 15.0) -> EmailMessage:
        """The first email to ``address`` whose subject holds ``subject``; the app sends it
        after its answer, so it may take a moment to arrive."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for message in self.smtp.messages:
                recipients = [a.addr_spec for a in message["To"].addresses]
                if address in recipients and subject in message["Subject"]:
                    return message
            time.sleep(0.1)
        raise AssertionError(f"no email '{subject}' to {address} within {timeout} s")

    def link_in(self, message: EmailMessage, kind: str) -> str:
        """The path of the ``kind`` link (``invitation`` or ``reset-password``), which the text
        and the HTML part both carry, on this server's address."""
        base = re.escape(self.live.base_url)
        text = message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
        html = message.get_body(("html",)).get_content()  # type: ignore[union-attr]
        match = re.search(rf"{base}(/{kind}/[A-Za-z0-9_-]+)", text)
        assert match, text
        assert f'href="{self.live.base_url}{match.group(1)}"' in html
        return match.group(1)


def _database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    base = os.environ.get("TEST_DATABASE_URL")
    if not base:
        return f"sqlite:///{tmp_path_factory.mktemp('e2e-mail') / 'e2e.db'}"
    from sqlalchemy.engine import make_url

    from tests.conftest import _create_postgres_database

    return _create_postgres_database(base, f"{make_url(base).database}_e2e_mail_{_worker()}")


@pytest.fixture(scope="module")
def mail_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MailServer]:
    _require_chromium()
    from tests.e2e.seed import seed_database
    from timetracker import migrate

    smtp = SmtpServer("127.0.0.1", free_port())
    controller = Controller(smtp, hostname=smtp.host, port=smtp.port)
    controller.start()
    url = _database_url(tmp_path_factory)
    migrate.upgrade(url)
    documents_dir = str(tmp_path_factory.mktemp("documents"))
    seed = seed_database(url, documents_dir)
    port = _free_port()
    base_url = f"http://127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items() if k not in SCRUBBED}
    env.update(
        DATABASE_URL=url,
        SECRET_KEY=secrets.token_hex(32),
        TIMETRACKER_DOCUMENTS_DIR=documents_dir,
        TIMETRACKER_LOGIN_LIMIT_IP="600 per minute",
        TIMETRACKER_LOGIN_LIMIT_ACCOUNT="100 per minute",
        TIMETRACKER_BASE_URL=base_url,
        MAIL_ENABLED="1",
        SMTP_HOST=smtp.host,
        SMTP_PORT=str(smtp.port),
        SMTP_USE_TLS="0",
        MAIL_FROM="portal@northwind.example",
    )
    log = tmp_path_factory.mktemp("mail-server") / "gunicorn.log"
    with log.open("wb") as out:
        process = subprocess.Popen(  # noqa: S603
            [
                sys.executable,
                "-m",
                "gunicorn",
                "--config",
                "python:timetracker.gunicorn_conf",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "2",
                "--threads",
                "4",
                "--access-logfile",
                "-",
                "timetracker.wsgi:app",
            ],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait_until_serving(base_url, process, log)
        live = LiveServer(base_url=base_url, seed=seed, log=log, database_url=url)
        yield MailServer(live=live, smtp=smtp)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        controller.stop()
        _drop_postgres_database(url)


@pytest.fixture
def mail_browse(
    browser: Any, mail_server: MailServer, html_pages: Any, request: pytest.FixtureRequest
) -> Iterator[Browse]:
    """``browse`` (tests/e2e/conftest.py) on the server with mail on."""
    context = browser.new_context(base_url=mail_server.live.base_url, viewport=DESKTOP)
    context.set_default_timeout(10_000)
    session = Browse(context, mail_server.live, ARTIFACTS, request.node.name, html=html_pages)
    try:
        yield session
        session.assert_clean()
    finally:
        session.keep_html()
        session.write_notes()
        context.close()


def _invite(browse: Browse, name: str, email: str, client: str) -> None:
    """As the signed-in administrator: Admin → Users → Invite client contact, and send."""
    page = browse.page
    browse.goto("/admin/users")
    browse.click_and_wait(page.get_by_role("link", name="Invite client contact"))
    assert browse.path == "/admin/invitations/new"
    page.get_by_label("Name").fill(name)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Client").select_option(label=client)
    browse.screens("admin-invite")
    browse.click_and_wait(page.get_by_role("button", name="Send invitation"))


def _set_password(browse: Browse, button: str) -> None:
    page = browse.page
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Repeat new password").fill(NEW_PASSWORD)
    browse.click_and_wait(page.get_by_role("button", name=button))


def test_an_invited_contact_sets_a_password_from_the_email_and_lands_in_the_portal(
    mail_browse: Browse, mail_server: MailServer
) -> None:
    browse, page, seed = mail_browse, mail_browse.page, mail_browse.seed
    email = "iris.invited@acme.example"
    browse.login(seed.admin_email, seed.admin_password)
    _invite(browse, "Iris Invited", email, seed.portal_client)
    assert browse.path == "/admin/invitations"
    assert "Invitation sent to Iris Invited" in page.locator("main").inner_text()
    row = page.locator("tr", has_text=email)
    assert seed.portal_client in row.inner_text()
    browse.screens("admin-invitations")
    browse.logout()

    message = mail_server.email_to(email, "invites you")
    path = mail_server.link_in(message, "invitation")
    browse.goto(path)
    assert page.get_by_role("heading", level=1).inner_text() == "Set your password"
    assert seed.portal_client in page.get_by_test_id("invitee").inner_text()
    browse.screens("invitation-set-password")
    _set_password(browse, "Set password and sign in")
    assert browse.path in ("/client-portal", "/client-portal/dashboard")
    assert page.get_by_role("heading", level=1).inner_text() == seed.portal_client

    # The link worked once.
    browse.logout()
    browse.expect_status(path, 410)
    browse.goto(path, status=410)
    assert page.get_by_role("heading", level=1).inner_text() == "This link has already been used"
    browse.login(email, NEW_PASSWORD)
    assert browse.path in ("/client-portal", "/client-portal/dashboard")


def test_a_forgotten_password_is_reset_from_the_email(
    mail_browse: Browse, mail_server: MailServer
) -> None:
    browse, page, seed = mail_browse, mail_browse.page, mail_browse.seed
    browse.goto("/login")
    browse.click_and_wait(page.get_by_role("link", name="Forgot password?"))
    assert browse.path == "/forgot-password"
    browse.screens("forgot-password")
    page.get_by_label("Email").fill(seed.staff_email)
    browse.click_and_wait(page.get_by_role("button", name="Send me a link"))
    assert (
        "If an account exists for this address"
        in page.get_by_test_id("link-requested").inner_text()
    )

    message = mail_server.email_to(seed.staff_email, "Reset your")
    path = mail_server.link_in(message, "reset-password")
    browse.goto(path)
    assert page.get_by_role("heading", level=1).inner_text() == "Choose a new password"
    browse.screens("reset-password")
    _set_password(browse, "Set new password")
    assert browse.path == "/login"
    assert "Your password was reset" in page.locator("main").inner_text()

    browse.login(seed.staff_email, NEW_PASSWORD)
    assert urlsplit(page.url).path == "/dashboard"


def test_with_mail_off_the_administrator_passes_the_link_on(browse: Browse) -> None:
    page, seed = browse.page, browse.seed
    email = "otto.offline@acme.example"
    browse.login(seed.admin_email, seed.admin_password)
    _invite(browse, "Otto Offline", email, seed.portal_client)
    assert "Email is not configured" in page.get_by_test_id("mail-off").inner_text()
    link = page.get_by_label("Invitation link").input_value()
    browse.screens("admin-invitation-link")
    browse.logout()

    browse.goto(urlsplit(link).path)
    _set_password(browse, "Set password and sign in")
    assert browse.path in ("/client-portal", "/client-portal/dashboard")
