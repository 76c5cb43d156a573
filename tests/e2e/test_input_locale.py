"""A German firm types amounts and dates the way people write them in Germany ("149,00 €",
"8.800", "30.11.2026") and reads them back in the one German format."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from sqlalchemy import select, update

from tests.e2e.support import Browse, LiveServer
from timetracker.db import make_engine
from timetracker.models import Settings


@pytest.fixture
def german_firm(live_server: LiveServer) -> Iterator[None]:
    """The firm's locale is de_DE for this test; the shared server gets its own back after."""
    engine = make_engine(live_server.database_url)
    try:
        with engine.begin() as connection:
            before = connection.scalar(select(Settings.locale).where(Settings.id == 1))
            connection.execute(update(Settings).where(Settings.id == 1).values(locale="de_DE"))
        yield
        with engine.begin() as connection:
            connection.execute(
                update(Settings).where(Settings.id == 1).values(locale=before or "en_US")
            )
    finally:
        engine.dispose()


def test_a_german_firm_types_money_and_dates_as_written_in_germany(
    browse: Browse, german_firm: None
) -> None:
    seed, page = browse.seed, browse.page
    main = page.locator("main")
    browse.login(seed.admin_email, seed.admin_password)

    # A client whose rate is typed with the euro sign after the amount.
    browse.goto("/clients/new")
    form = main.locator("form")
    form.get_by_label("Name", exact=True).fill("Lokal GmbH")
    form.get_by_label("Contact email").fill("buchhaltung@lokal.example")
    form.get_by_label("Currency").fill("EUR")
    form.get_by_label("Default hourly rate").fill("149,00 €")
    browse.click_and_wait(form.get_by_role("button", name=re.compile("Save")))
    assert re.fullmatch(r"/clients/\d+", browse.path)
    client_id = browse.path.rsplit("/", 1)[1]
    assert "149,00\u00a0€" in main.inner_text()

    # A project whose budget is typed with a German thousands separator.
    browse.goto("/projects/new")
    form = main.locator("form")
    form.get_by_label("Client").select_option(label="Lokal GmbH")
    form.get_by_label("Name", exact=True).fill("Relaunch")
    form.get_by_label("Budget (amount)").fill("8.800")
    browse.click_and_wait(form.get_by_role("button", name="Save project"))
    assert re.fullmatch(r"/projects/\d+", browse.path)
    text = main.inner_text()
    assert "149,00\u00a0€" in text  # the client's rate
    assert "8.800,00\u00a0€" in text
    browse.click_and_wait(main.get_by_role("link", name="Edit", exact=True))
    assert page.locator("main form").get_by_label("Budget (amount)").input_value() == "8.800,00"

    # An invoice dated by typing the German date into a text input that shows the format.
    browse.goto(f"/invoices/new?client={client_id}")
    form = main.locator("form").filter(has=page.get_by_role("button", name="Create draft invoice"))
    issue = form.get_by_label("Issue date")
    assert issue.get_attribute("type") == "text"
    assert issue.get_attribute("placeholder") == "dd.mm.yyyy"
    assert issue.get_attribute("inputmode") is None  # a keypad would lack the "."
    assert re.fullmatch(r"\d\d\.\d\d\.\d{4}", issue.input_value())  # today, the German way
    form.get_by_label("Bill the unbilled time in this range").uncheck()
    issue.fill("30.11.2026")
    form.get_by_label("Payment terms (days)").fill("14")
    form.get_by_label("Tax rate (%)").fill("19")
    browse.screens("input-locale-invoice-new")
    browse.click_and_wait(form.get_by_role("button", name="Create draft invoice"))
    assert re.fullmatch(r"/invoices/\d+", browse.path)
    text = main.inner_text()
    assert "30.11.2026" in text and "14.12.2026" in text  # issued, and due 14 days later
    assert "2026-11-30" not in text and "Nov" not in text
    browse.screens("input-locale-invoice")
