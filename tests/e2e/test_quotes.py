"""Quotes in a real browser: a client contact accepts one quote (typing their name, ticking the
terms) and declines another; an administrator writes a quote, sends it, and turns an accepted
one into a project and a draft invoice. Each test makes its own client, contact and quotes, so
no other flow sees them."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select

from tests.e2e.seed import PASSWORD
from tests.e2e.support import Browse
from timetracker import create_app, db, firm
from timetracker.auth.passwords import hash_password
from timetracker.billing import quotes
from timetracker.billing.quotes import Answer, Answerer
from timetracker.models import Client, Role, User

TERMS = "Half on acceptance, half on delivery.\nPrices in euros."


@dataclass(frozen=True)
class Made:
    contact_email: str
    numbers: list[str]
    ids: list[int]


def _make(database_url: str, name: str, *, accepted: bool = False) -> Made:
    """A client with a portal contact, and two open quotes (the first accepted when asked)."""
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "e2e-quotes",
            "DATABASE_URL": database_url,
            "REDIS_URL": None,
            "RATELIMIT_STORAGE_URI": "memory://",
            "MAIL_ENABLED": False,
        }
    )
    try:
        with app.app_context():
            session = db.session
            client = Client(name=name, currency="EUR", default_hourly_rate=Decimal("100.00"))
            session.add(client)
            session.flush()
            email = f"buyer@{name.split()[0].lower()}.example"
            contact = User(
                name=f"{name.split()[0]} Buyer",
                email=email,
                password_hash=hash_password(PASSWORD),
                role=Role.CLIENT,
                client_portal_enabled=True,
                client_id=client.id,
            )
            admin = session.scalar(select(User).where(User.role == Role.ADMIN).limit(1))
            session.add(contact)
            session.flush()
            made = []
            for title, lines in (
                ("Armour redesign", [("Design sprint", "5", "900.00"), ("Prototype", "1", "2500")]),
                ("Reactor upkeep", [("Monthly maintenance", "12", "400.00")]),
            ):
                quote = quotes.new_quote(
                    session, client, title=title, created_by=admin, tax_rate=Decimal("20"),
                    terms=TERMS,
                )  # fmt: skip
                for description, quantity, price in lines:
                    quotes.add_item(session, quote, description, Decimal(quantity), Decimal(price))
                quotes.mark_sent(session, quote, firm.today())
                made.append(quote)
            if accepted:
                quotes.answer(
                    session, made[0], client.id, Answer.ACCEPT,
                    Answerer(contact, "203.0.113.9", "seed"), firm.today(),
                    signature=contact.name,
                )  # fmt: skip
            session.commit()
            return Made(email, [q.number for q in made], [q.id for q in made])
    finally:
        app.extensions["timetracker.engine"].dispose()


def test_a_client_contact_accepts_one_quote_and_declines_another(browse: Browse):
    made = _make(browse.server.database_url, "Stark Industries")
    page = browse.page
    main = page.locator("main")
    browse.login(made.contact_email, PASSWORD)

    # Quotes, from the navigation: both are open, the default filter.
    nav = page.get_by_role("navigation", name="Main")
    browse.click_and_wait(nav.get_by_role("link", name="Quotes"))
    assert browse.path == "/client-portal/quotes"
    filters = page.get_by_role("navigation", name="Filter quotes by status")
    assert filters.locator("[aria-current=page]").inner_text().startswith("Open")
    numbers = main.locator("td[data-label=Number]").all_inner_texts()
    assert sorted(numbers) == sorted(made.numbers)
    browse.screens("portal-quotes")

    # Accept the first: the name typed as a signature, the terms ticked.
    browse.click_and_wait(main.get_by_role("link", name=made.numbers[0], exact=True))
    assert browse.path == f"/client-portal/quotes/{made.ids[0]}"
    assert "Armour redesign" in main.inner_text()
    assert "Half on acceptance, half on delivery." in page.get_by_test_id("terms").inner_text()
    browse.screens("portal-quote-detail")
    accept = page.get_by_test_id("accept-form")
    # Without the box ticked the page says what is missing, and nothing is accepted.
    accept.get_by_label("Your full name").fill("Virginia Potts")
    browse.expect_status(f"/client-portal/quotes/{made.ids[0]}/accept", 400)
    browse.click_and_wait(accept.get_by_role("button", name="Accept quote"))
    assert "Tick the box" in main.inner_text()
    accept = page.get_by_test_id("accept-form")
    assert accept.get_by_label("Your full name").input_value() == "Virginia Potts"
    accept.get_by_label("I accept this quote and its terms").check()
    browse.click_and_wait(accept.get_by_role("button", name="Accept quote"))
    assert browse.path == f"/client-portal/quotes/{made.ids[0]}"
    assert page.get_by_test_id("quote-state").inner_text() == "Accepted"
    assert "Accepted by Virginia Potts" in page.get_by_test_id("quote-answer").inner_text()
    assert "You accepted quote" in main.inner_text()
    assert page.get_by_test_id("accept-form").count() == 0
    browse.screens("portal-quote-accepted")

    # Decline the second, with a reason.
    browse.goto(f"/client-portal/quotes/{made.ids[1]}")
    decline = page.get_by_test_id("decline-form")
    decline.get_by_label("Why do you decline?").fill("We keep the maintenance in house.")
    browse.click_and_wait(decline.get_by_role("button", name="Decline quote"))
    assert page.get_by_test_id("quote-state").inner_text() == "Declined"
    answer = page.get_by_test_id("quote-answer").inner_text()
    assert "We keep the maintenance in house." in answer
    assert page.get_by_test_id("decline-form").count() == 0

    # Each filter now holds its quote; nothing is open any more.
    browse.click_and_wait(nav.get_by_role("link", name="Quotes"))
    for status, expected in (("accepted", 0), ("declined", 1), ("all", None)):
        link = filters.get_by_role("link", name=re.compile(rf"^{status}\b", re.IGNORECASE))
        browse.click_and_wait(link)
        shown = main.locator("td[data-label=Number]").all_inner_texts()
        assert shown == (made.numbers[::-1] if expected is None else [made.numbers[expected]])
    browse.click_and_wait(filters.get_by_role("link", name=re.compile("^open", re.IGNORECASE)))
    assert page.get_by_test_id("empty").is_visible()

    # The PDF of the accepted quote.
    browse.goto(f"/client-portal/quotes/{made.ids[0]}")
    pdf_link = page.get_by_test_id("quote-actions").get_by_role("link", name="Download PDF")
    browse.expect_download(pdf_link.get_attribute("href"))
    with page.expect_download() as download:
        pdf_link.click()
    assert download.value.suggested_filename == f"quote-{made.numbers[0]}.pdf"
    with open(download.value.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"


def test_an_administrator_writes_and_sends_a_quote_and_converts_an_accepted_one(browse: Browse):
    made = _make(browse.server.database_url, "Wayne Aerospace", accepted=True)
    seed, page = browse.seed, browse.page
    main = page.locator("main")
    browse.login(seed.admin_email, seed.admin_password)

    # A new draft for the client, with two lines.
    nav = page.get_by_role("navigation", name="Main")
    browse.click_and_wait(nav.get_by_role("link", name="Quotes"))
    browse.screens("workspace-quotes")
    browse.click_and_wait(main.get_by_role("link", name="New quote"))
    form = page.locator("main form")
    form.get_by_label("Client", exact=True).select_option(label="Wayne Aerospace")
    form.get_by_label("Title").fill("Glider wing tests")
    form.get_by_label("Tax rate (%)").fill("20")
    form.get_by_label("Terms the client accepts").fill("Valid for the scope above.")
    valid_until = form.get_by_label("Valid until").input_value()  # the firm's format (en_US)
    assert dt.datetime.strptime(valid_until, "%m/%d/%Y").date() > dt.date.today()
    browse.screens("workspace-quote-new")
    browse.click_and_wait(form.get_by_role("button", name="Create draft quote"))
    assert re.fullmatch(r"/quotes/\d+", browse.path)
    assert page.get_by_test_id("quote-state").inner_text() == "Draft"
    for description, quantity, price in (("Wind tunnel", "3", "1500"), ("Report", "1", "750")):
        add = page.locator("form", has=page.get_by_role("button", name="Add line"))
        add.get_by_label("Description").fill(description)
        add.get_by_label("Quantity").fill(quantity)
        add.get_by_label("Unit price").fill(price)
        browse.click_and_wait(add.get_by_role("button", name="Add line"))
    assert main.get_by_test_id("total").inner_text() == "€6,300.00"  # 5,250.00 + 20 %
    browse.screens("workspace-quote-draft")

    # Send it (confirmed): it is locked and open; mail is off on this server, and it says so.
    page.once("dialog", lambda dialog: dialog.accept())
    browse.click_and_wait(main.get_by_role("button", name="Send to client"))
    assert page.get_by_test_id("quote-state").inner_text() == "Open"
    assert "nobody was emailed" in main.inner_text()
    assert main.get_by_role("button", name="Add line").count() == 0

    # The accepted quote becomes a project and a draft invoice.
    browse.goto(f"/quotes/{made.ids[0]}")
    assert "Signed as" in page.get_by_test_id("quote-answer").inner_text()
    browse.screens("workspace-quote-accepted")
    page.once("dialog", lambda dialog: dialog.accept())
    browse.click_and_wait(main.get_by_role("button", name="Create project"))
    assert re.fullmatch(r"/projects/\d+", browse.path)
    assert "Armour redesign" in page.get_by_role("heading", level=1).inner_text()
    browse.goto(f"/quotes/{made.ids[0]}")
    page.once("dialog", lambda dialog: dialog.accept())
    browse.click_and_wait(main.get_by_role("button", name="Create draft invoice"))
    assert re.fullmatch(r"/invoices/\d+", browse.path)
    assert main.get_by_test_id("total").inner_text() == "€8,400.00"  # 7,000.00 + 20 %
    browse.goto(f"/quotes/{made.ids[0]}")
    assert main.get_by_role("button", name="Create project").count() == 0
    assert main.get_by_role("link", name=re.compile("^Invoice ")).count() == 1
