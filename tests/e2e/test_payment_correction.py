"""Correcting a payment in a real browser: an administrator lowers a payment that had settled an
invoice (it becomes partially paid), then deletes it (unpaid again), each time with a reason;
the page without a reason comes back at the form with its field focused. And the new invoice
form's live preview of the lines. The test makes its own client and invoice."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal

from tests.e2e.support import Browse
from timetracker import create_app, db, firm
from timetracker.billing import invoicing, payments
from timetracker.models import Client, Project, TimeEntry, User


@dataclass(frozen=True)
class Made:
    invoice_id: int
    client_id: int
    project_id: int


def _make(database_url: str, name: str) -> Made:
    """A client with a sent invoice of 1,190.00 paid in full, and 90 minutes of unbilled time."""
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "e2e-payment-correction",
            "DATABASE_URL": database_url,
            "REDIS_URL": None,
            "RATELIMIT_STORAGE_URI": "memory://",
            "MAIL_ENABLED": False,
        }
    )
    try:
        with app.app_context():
            session = db.session
            client = Client(name=name, currency="EUR",
                            default_hourly_rate=Decimal("100"))  # fmt: skip
            session.add(client)
            session.flush()
            project = Project(name=f"{name} printer", client_id=client.id)
            session.add(project)
            session.flush()
            worker = session.query(User).order_by(User.id).first()
            assert worker is not None
            start = dt.datetime.combine(
                firm.today() - dt.timedelta(days=3), dt.time(9), tzinfo=dt.UTC
            )
            entry = TimeEntry(user_id=worker.id, project_id=project.id, start_time=start,
                              notes="Paper jam", billable=True)  # fmt: skip
            entry.stop(start + dt.timedelta(minutes=90))
            session.add(entry)
            issued = firm.today() - dt.timedelta(days=5)
            invoice = invoicing.new_invoice(session, client, issue_date=issued,
                                            tax_rate=Decimal("19"))  # fmt: skip
            invoicing.add_item(session, invoice, "Support", Decimal("10"), Decimal("100"))
            invoicing.mark_sent(session, invoice)
            payments.record_payment(session, invoice, Decimal("1190"), issued, "Bank", "T-1")
            session.commit()
            return Made(invoice.id, client.id, project.id)
    finally:
        app.extensions["timetracker.engine"].dispose()


def test_an_administrator_corrects_then_deletes_a_payment(browse: Browse):
    made = _make(browse.server.database_url, "Initech Corrections")
    page, main = browse.page, browse.page.locator("main")
    page.on("dialog", lambda dialog: dialog.accept())
    browse.login(browse.seed.admin_email, browse.seed.admin_password)
    detail = f"/invoices/{made.invoice_id}"
    browse.goto(detail)
    assert main.locator("h1 .badge").inner_text() == "Paid"
    assert "Delete its payments to cancel it" in main.inner_text()

    # Lower the payment: the invoice is partially paid.
    browse.click_and_wait(main.get_by_role("link", name=re.compile("Correct or delete")))
    edit = main.locator("#edit-payment")
    edit.get_by_label("Amount").fill("1000")
    edit.get_by_label("Reason for the change").fill("The bank credited 1,000.00 only")
    browse.click_and_wait(edit.get_by_role("button", name="Save payment"))
    assert browse.path == detail
    assert "The payment was changed." in main.inner_text()
    assert main.locator("h1 .badge").inner_text() == "Partially paid"
    assert page.get_by_test_id("balance").inner_text() == "€190.00"
    browse.screens("invoice-payment-corrected")

    # Delete it: without a reason the form comes back, focused on the reason.
    browse.click_and_wait(main.get_by_role("link", name=re.compile("Correct or delete")))
    delete_path = page.url.replace("/edit", "/delete").split(browse.server.base_url)[1]
    browse.expect_status(delete_path, 400)
    browse.click_and_wait(main.get_by_role("button", name="Delete payment"))
    assert "Say why" in main.inner_text()
    page.wait_for_function("document.activeElement && document.activeElement.name")
    assert page.evaluate("document.activeElement.name") == "delete-reason"
    assert page.url.endswith("#delete-payment")
    main.get_by_label("Reason for deleting").fill("Recorded on the wrong invoice")
    browse.click_and_wait(main.get_by_role("button", name="Delete payment"))
    assert browse.path == detail
    assert main.locator("h1 .badge").inner_text() == "Unpaid"
    assert "No payments." in page.get_by_test_id("payments").inner_text()
    assert page.get_by_test_id("balance").inner_text() == "€1,190.00"


def test_the_new_invoice_form_previews_the_lines_as_the_choices_change(browse: Browse):
    made = _make(browse.server.database_url, "Initech Previews")
    page, main = browse.page, browse.page.locator("main")
    browse.login(browse.seed.admin_email, browse.seed.admin_password)
    browse.goto("/invoices/new")
    main.get_by_label("Client").select_option(str(made.client_id))
    # Only the chosen client's projects are offered.
    project = main.get_by_label("Initech Previews printer")
    assert project.is_visible()
    others = main.locator(f'[data-client]:not([data-client="{made.client_id}"])')
    assert all(others.nth(i).is_hidden() for i in range(others.count()))
    project.check()
    preview = page.get_by_test_id("preview-line")
    preview.first.wait_for()
    assert preview.count() == 1
    text = preview.first.inner_text()
    assert "Initech Previews printer" in text and "1.50" in text and "€150.00" in text
    browse.check()
    browse.screens("invoice-new-preview")


def test_a_refused_line_comes_back_at_the_form(browse: Browse):
    made = _make(browse.server.database_url, "Initech Lines")
    page, main = browse.page, browse.page.locator("main")
    browse.login(browse.seed.admin_email, browse.seed.admin_password)
    browse.goto("/invoices/new")
    # Choosing the client fetches the preview: let it arrive before leaving the page.
    with page.expect_response(lambda r: "/invoices/new/preview" in r.url):
        main.get_by_label("Client").select_option(str(made.client_id))
    browse.click_and_wait(main.get_by_role("button", name="Create draft invoice"))
    path = browse.path + "/items"
    browse.expect_status(path, 400)
    form = main.locator("#add-line")
    form.get_by_label("Quantity").fill("2")
    form.get_by_label("Unit price").fill("ten")
    browse.click_and_wait(form.get_by_role("button", name="Add line"))
    assert page.url.endswith("/items#add-line")
    page.wait_for_function("document.activeElement && document.activeElement.id")
    assert page.evaluate("document.activeElement.id") == "item-description"
    assert main.get_by_label("Description").is_visible()
    in_view = page.evaluate(
        "(() => { const r = document.getElementById('item-description').getBoundingClientRect();"
        " return r.top >= 0 && r.bottom <= window.innerHeight; })()"
    )
    assert in_view
