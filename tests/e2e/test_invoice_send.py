"""Sending an invoice in a real browser: an administrator opens a draft, clicks "Send…", finds
the client's contacts ticked in the dialog, writes the subject and message (the preview follows),
sends, and sees each recipient's delivery status; the email arrives at the SMTP server this test
process runs, as written, with the PDF.

It runs on the mail-on server of ``test_identity_links`` (its own gunicorn, database and SMTP
server). The screenshot of the open dialog is kept with the others, and written to
docs/screenshots/send-dialog.png with TIMETRACKER_DOC_SCREENSHOTS=1 (the README shows it).
"""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass
from decimal import Decimal

from tests.e2e.seed import PASSWORD
from tests.e2e.support import ARTIFACTS, DOC_SCREENSHOTS, Browse
from tests.e2e.test_identity_links import MailServer, mail_browse, mail_server  # noqa: F401
from timetracker import create_app, db, firm
from timetracker.auth.passwords import hash_password
from timetracker.billing import invoicing
from timetracker.models import Client, Role, User

SUBJECT = "Your invoice for the reactor work"
MESSAGE = "Dear Pepper,\nthe reactor work of March, as agreed.\n\nBest regards"


@dataclass(frozen=True)
class Made:
    invoice_id: int
    number: str


def _make(database_url: str) -> Made:
    """A client with a contact address and a portal contact, and a draft invoice of one line."""
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "e2e-send",
            "DATABASE_URL": database_url,
            "REDIS_URL": None,
            "RATELIMIT_STORAGE_URI": "memory://",
            "MAIL_ENABLED": False,
        }
    )
    try:
        with app.app_context():
            session = db.session
            client = Client(
                name="Stark Industries",
                contact_email="ap@stark.example",
                currency="EUR",
                default_hourly_rate=Decimal("120"),
            )
            session.add(client)
            session.flush()
            session.add(
                User(
                    name="Pepper Potts",
                    email="pepper@stark.example",
                    password_hash=hash_password(PASSWORD),
                    role=Role.CLIENT,
                    client_portal_enabled=True,
                    client_id=client.id,
                )
            )
            issued = firm.today()
            invoice = invoicing.new_invoice(
                session, client, issue_date=issued, due_date=issued + dt.timedelta(days=14)
            )
            invoicing.add_item(session, invoice, "Reactor design", Decimal("2"), Decimal("450"))
            session.commit()
            return Made(invoice.id, invoice.number)
    finally:
        app.extensions["timetracker.engine"].dispose()


def test_an_invoice_is_sent_through_the_dialog_and_its_deliveries_shown(
    mail_browse: Browse,  # noqa: F811
    mail_server: MailServer,  # noqa: F811
) -> None:
    browse, page, seed = mail_browse, mail_browse.page, mail_browse.seed
    made = _make(mail_server.live.database_url)
    browse.login(seed.admin_email, seed.admin_password)
    # Without JavaScript, "Send…" opens the same form as a page.
    browse.goto(f"/invoices/{made.invoice_id}/send")
    assert page.get_by_label(re.compile("Pepper Potts")).is_checked()
    browse.goto(f"/invoices/{made.invoice_id}")

    page.get_by_role("link", name="Send…").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_role("heading", name=f"Send invoice {made.number}").wait_for()
    assert dialog.get_by_label(re.compile("Pepper Potts")).is_checked()
    assert dialog.get_by_label(re.compile("ap@stark.example")).is_checked()
    subject = dialog.get_by_label("Subject")
    assert subject.input_value().startswith(f"Invoice {made.number} from ")
    subject.fill(SUBJECT)
    dialog.get_by_label("Message").fill(MESSAGE)
    preview = dialog.get_by_test_id("email-preview")
    preview.get_by_text("the reactor work of March, as agreed.").wait_for()
    assert dialog.get_by_test_id("preview-subject").inner_text() == SUBJECT
    assert "Hello Pepper Potts," in preview.inner_text()
    assert dialog.get_by_test_id("preview-attachment").inner_text() == (
        f"invoice-{made.number}.pdf"
    )
    page.wait_for_timeout(300)  # the modal's fade-in
    browse.check()  # axe and the console, with the dialog open
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=ARTIFACTS / "send-dialog-desktop.png")
    if os.environ.get("TIMETRACKER_DOC_SCREENSHOTS") == "1":
        DOC_SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=DOC_SCREENSHOTS / "send-dialog.png")

    browse.click_and_wait(dialog.get_by_role("button", name="Send invoice"))
    assert browse.path == f"/invoices/{made.invoice_id}"
    assert "The email is on its way to pepper@stark.example, ap@stark.example" in (
        page.locator("main").inner_text()
    )

    for address in ("pepper@stark.example", "ap@stark.example"):
        message = mail_server.email_to(address, SUBJECT)
        text = message.get_body(("plain",)).get_content().replace("\r\n", "\n")  # type: ignore[union-attr]
        assert MESSAGE in text
        [attachment] = list(message.iter_attachments())
        assert attachment.get_filename() == f"invoice-{made.number}.pdf"

    browse.goto(f"/invoices/{made.invoice_id}")
    rows = page.get_by_test_id("delivery")
    assert rows.count() == 2
    for row in rows.all():
        assert row.get_by_test_id("delivery-status").inner_text() == "sent"
        assert SUBJECT in row.inner_text()
    browse.screens("workspace-invoice-deliveries")
