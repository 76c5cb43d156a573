"""Numbers and dates as people type them in the firm's locale (en_US, en_GB, de_DE, fr_FR),
and the one date format every page shows: the parsers at their edges, the form fields, the
Jinja filters, the portal's query parameters and a project saved in German."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from sqlalchemy import select
from werkzeug.datastructures import MultiDict
from wtforms import Form, StringField
from wtforms.validators import Optional

from tests.conftest import login, post
from tests.factories import make_admin, make_client, make_invoice, make_portal_user
from timetracker import firm, formatting, local_dates
from timetracker.models import InvoiceItem, InvoiceStatus, Project, Settings
from timetracker.parsing import (
    MAX_DATE,
    MAX_HOURS,
    MAX_MONEY,
    MIN_DATE,
    DateValueError,
    parse_amount,
    parse_date,
    parse_duration,
    parse_percent,
)
from timetracker.portal import params
from timetracker.workspace.fields import (
    DecimalTextField,
    HoursField,
    MoneyField,
    PercentField,
    SupportedDateField,
)

LOCALES = ["en_US", "en_GB", "de_DE", "fr_FR"]
NNBSP, NBSP = "\u202f", "\u00a0"


def money(text: str, locale: str, currency: str | None = "EUR", **kw: object) -> Decimal:
    return parse_amount(text, locale=locale, currency=currency, maximum=MAX_MONEY, **kw)  # type: ignore[arg-type]


def hours(text: str, locale: str) -> Decimal:
    return parse_amount(text, locale=locale, maximum=MAX_HOURS, clock=True, example="1.5")


# Money: grouping, decimal symbol, currency before or after ---------------------------------------

TYPED_MONEY = {
    "en_US": ["8,800.50", "8800.50", "€8,800.50", "€ 8,800.50", "8,800.50 €", "EUR 8,800.50",
              "8,800.50 eur", f"{NBSP}€8,800.50{NBSP}", " 8800.5 "],
    "en_GB": ["8,800.50", "€8,800.50", "8,800.50 EUR", "EUR8800.50"],
    "de_DE": ["8.800,50", "8800,50", "8.800,50 €", f"8.800,50{NBSP}€", "€8.800,50", "EUR 8.800,50",
              "8800.50"],
    "fr_FR": [f"8{NNBSP}800,50", f"8{NBSP}800,50", "8 800,50", "8800,50", f"8{NNBSP}800,50{NNBSP}€",
              "8 800,50 €", "8.800,50", "8800.50", "EUR 8 800,50"],
}  # fmt: skip


@pytest.mark.parametrize(
    ("locale", "text"), [(loc, text) for loc, texts in TYPED_MONEY.items() for text in texts]
)
def test_money_is_read_as_typed_in_the_locale(locale: str, text: str) -> None:
    value = money(text, locale)
    assert value == Decimal("8800.50")
    assert isinstance(value, Decimal)


@pytest.mark.parametrize(
    ("locale", "text", "expected"),
    [
        ("en_US", "8,800", "8800"),
        ("en_US", "1,234,567.89", "1234567.89"),
        ("en_GB", "£5", None),  # the field is in EUR: see the other-currency test
        ("de_DE", "8.800", "8800"),
        ("de_DE", "1.234.567,89", "1234567.89"),
        ("fr_FR", f"1{NNBSP}234{NNBSP}567,89", "1234567.89"),
        ("en_US", "149", "149"),
        ("de_DE", "149,00 €", "149.00"),
        ("de_DE", "€149.00", "149.00"),
    ],
)
def test_grouping_is_read_in_whole_groups(locale: str, text: str, expected: str | None) -> None:
    if expected is None:
        with pytest.raises(ValueError, match="in EUR, not £"):
            money(text, locale)
    else:
        assert money(text, locale) == Decimal(expected)


@pytest.mark.parametrize(
    ("text", "locale", "expected"),
    [
        # Ambiguous text follows the locale.
        ("1,234", "en_US", "1234"),
        ("1,234", "en_GB", "1234"),
        ("1,234", "de_DE", "1.234"),
        ("1,234", "fr_FR", "1.234"),
        ("1.234", "en_US", "1.234"),
        ("1.234", "de_DE", "1234"),
        # fr groups with spaces: a point is the decimal point.
        ("1.234", "fr_FR", "1.234"),
        # Not a group of three: the other separator is a decimal one.
        ("1,5", "en_US", "1.5"),
        ("1.5", "de_DE", "1.5"),
        ("1234.50", "de_DE", "1234.50"),
    ],
)
def test_ambiguous_input_follows_the_locale(text: str, locale: str, expected: str) -> None:
    assert parse_amount(text, locale=locale, places=3) == Decimal(expected)


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("1.2.3", "Enter a number using digits, like"),
        ("1,2,3", "Enter a number using digits, like"),
        ("12abc", "Enter a number using digits, like"),
        ("abc", "Enter a number using digits, like"),
        ("1e3", "Enter a number using digits, like"),
        ("NaN", "Enter a number using digits, like"),
        ("+5", "Enter a number using digits, like"),
        ("5-", "Enter a number using digits, like"),
        ("--5", "Enter a number using digits, like"),
        ("1,234.5,6", "Enter a number using digits, like"),
        ("€€5", "Write the currency at most once"),
        ("€5 €", "Write the currency at most once"),
        ("EUR €5", "Write the currency at most once"),
        ("$5", "This amount is in EUR, not $"),
        ("5 USD", "This amount is in EUR, not USD"),
        ("CHF 5", "This amount is in EUR, not CHF"),
        ("٣", "Use the digits 0 to 9"),  # Arabic-Indic
        ("۳۰", "Use the digits 0 to 9"),  # Extended Arabic-Indic
        ("１２", "Use the digits 0 to 9"),  # fullwidth
        ("5²", "Use the digits 0 to 9"),  # superscript
        ("5\ufffd", "Enter a number using digits"),  # what undecodable bytes become
        ("5\x00", "Enter a number using digits"),
        ("", "Enter a number using digits"),
        ("9" * 31, "Enter a number using digits"),
    ],
)
def test_invalid_money_is_refused_with_an_example_of_the_format(
    locale: str, text: str, message: str
) -> None:
    with pytest.raises(ValueError, match=re.escape(message)) as refused:
        money(text, locale)
    if "like" in message or "digits 0" in message:
        assert local_example(locale) in str(refused.value)


def local_example(locale: str) -> str:
    """The example a money field names: 95.00 in the locale."""
    return {"en_US": "95.00", "en_GB": "95.00", "de_DE": "95,00", "fr_FR": "95,00"}[locale]


def test_a_number_field_takes_no_currency() -> None:
    with pytest.raises(ValueError, match="without a currency"):
        parse_amount("€5", locale="en_US")


@pytest.mark.parametrize(
    ("locale", "at_most", "too_much", "message"),
    [
        ("en_US", "9,999,999,999.99", "10,000,000,000", "at most 9,999,999,999.99"),
        ("en_GB", "£9,999,999,999.99", "9,999,999,999.991", "at most 2 decimal places"),
        ("de_DE", "9.999.999.999,99 €", "10.000.000.000,00 €", "at most 9.999.999.999,99"),
        ("fr_FR", "9 999 999 999,99 €", f"10{NNBSP}000{NNBSP}000{NNBSP}000", "at most 9 999"),
    ],
)
def test_money_keeps_the_columns_limits_in_every_locale(
    locale: str, at_most: str, too_much: str, message: str
) -> None:
    currency = "GBP" if locale == "en_GB" else "EUR"
    assert money(at_most, locale, currency) == MAX_MONEY
    with pytest.raises(ValueError, match=message):
        money(too_much, locale, currency)


@pytest.mark.parametrize(
    ("locale", "text", "message"),
    [
        ("en_US", "-€5", "at least 0"),
        ("en_GB", "€-5", "at least 0"),
        ("de_DE", "-5,00 €", "at least 0"),
        ("fr_FR", "\u22125,00 €", "at least 0"),  # the minus sign
        ("de_DE", "0,001", "at most 2 decimal places"),
        ("fr_FR", "1,234", "at most 2 decimal places"),
    ],
)
def test_negative_and_too_precise_money_is_refused(locale: str, text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        money(text, locale)


def test_a_minimum_is_named_in_the_locale() -> None:
    with pytest.raises(ValueError, match="at least 0,01"):
        money("0", "de_DE", minimum=Decimal("0.01"))


# Hours and percentages ----------------------------------------------------------------------------


@pytest.mark.parametrize("locale", LOCALES)
def test_hours_take_clock_time_and_either_decimal_separator(locale: str) -> None:
    assert hours("1:30", locale) == Decimal("1.50")
    assert hours("0:01", locale) == Decimal("0.02")  # rounded half-up to the hundredth
    assert hours("1.5", locale) == Decimal("1.5")
    assert hours("120", locale) == Decimal("120")
    with pytest.raises(ValueError, match="H:MM"):
        hours("1:60", locale)
    with pytest.raises(ValueError, match="at least 0"):
        hours("-1:30", locale)


@pytest.mark.parametrize(("locale", "expected"), [("de_DE", "1.5"), ("fr_FR", "1.5")])
def test_hours_take_a_decimal_comma_where_the_locale_writes_one(locale: str, expected: str) -> None:
    assert hours("1,5", locale) == Decimal(expected)
    assert parse_duration("1,5", locale) == 5400


def test_hours_at_their_limit() -> None:
    assert hours("99.999.999,99", "de_DE") == MAX_HOURS
    with pytest.raises(ValueError, match="at most 99.999.999,99"):
        hours("100.000.000", "de_DE")


@pytest.mark.parametrize(
    ("text", "locale", "expected"),
    [("19,5 %", "de_DE", "19.5"), ("19,5", "fr_FR", "19.5"), ("19.5%", "en_US", "19.5")],
)
def test_percentages_take_the_locale_and_a_percent_sign(
    text: str, locale: str, expected: str
) -> None:
    assert parse_percent(text, locale) == Decimal(expected)
    with pytest.raises(ValueError, match="between 0 and 100"):
        parse_percent("100,01", "de_DE")


def test_without_a_locale_only_plain_numbers_are_read_as_before() -> None:
    """The readers the API and program-made values use stay strict."""
    assert parse_amount("95.50") == Decimal("95.50")
    for text in ("8,800", "€5", "1:30"):
        with pytest.raises(ValueError):
            parse_amount(text, places=2)


# Dates -------------------------------------------------------------------------------------------

ONE_FORMAT = {
    "en_US": ("MM/dd/yyyy", "mm/dd/yyyy", "11/30/2026", "01/05/2026"),
    "en_GB": ("dd/MM/yyyy", "dd/mm/yyyy", "30/11/2026", "05/01/2026"),
    "de_DE": ("dd.MM.yyyy", "dd.mm.yyyy", "30.11.2026", "05.01.2026"),
    "fr_FR": ("dd/MM/yyyy", "dd/mm/yyyy", "30/11/2026", "05/01/2026"),
}


@pytest.mark.parametrize("locale", LOCALES)
def test_each_locale_has_one_numeric_date_with_a_four_digit_year(locale: str) -> None:
    pattern, placeholder, november, january = ONE_FORMAT[locale]
    form = local_dates.date_format(locale)
    assert (form.pattern, form.placeholder) == (pattern, placeholder)
    assert local_dates.format_day(dt.date(2026, 11, 30), locale) == november
    assert local_dates.format_day(dt.date(2026, 1, 5), locale) == january
    assert parse_date(november, locale) == dt.date(2026, 11, 30)
    assert parse_date(january, locale) == dt.date(2026, 1, 5)


@pytest.mark.parametrize("locale", LOCALES)
def test_iso_dates_are_still_read_in_every_locale(locale: str) -> None:
    assert parse_date("2026-11-30", locale) == dt.date(2026, 11, 30)
    assert parse_date(" 2026-11-30 ", locale) == dt.date(2026, 11, 30)


@pytest.mark.parametrize(
    ("text", "locale"),
    [("1/5/2026", "en_US"), ("5/1/2026", "en_GB"), ("5.1.2026", "de_DE"), ("5/1/2026", "fr_FR"),
     ("05. 01. 2026", "de_DE")],
)  # fmt: skip
def test_one_digit_days_and_months_are_read(text: str, locale: str) -> None:
    assert parse_date(text, locale) == dt.date(2026, 1, 5)


@pytest.mark.parametrize("locale", LOCALES)
def test_the_supported_range_holds_in_every_locale(locale: str) -> None:
    def typed(day: dt.date) -> str:
        return local_dates.format_day(day, locale)

    assert parse_date(typed(MIN_DATE), locale) == MIN_DATE
    assert parse_date(typed(MAX_DATE), locale) == MAX_DATE
    first, last = typed(MIN_DATE), typed(MAX_DATE)
    for outside in (MIN_DATE - dt.timedelta(days=1), MAX_DATE + dt.timedelta(days=1)):
        with pytest.raises(DateValueError, match=re.escape(f"from {first} to {last}")):
            parse_date(typed(outside), locale)
    with pytest.raises(DateValueError, match="from 1900-01-01 to 9998-12-31"):
        parse_date("9999-01-01", locale)  # typed in ISO, the range is named in ISO


@pytest.mark.parametrize("locale", LOCALES)
def test_february_29_only_in_leap_years(locale: str) -> None:
    for year in (2024, 2000, 2028):
        day = dt.date(year, 2, 29)
        assert parse_date(local_dates.format_day(day, locale), locale) == day
    for year in (2023, 1900, 2100):
        text = local_dates.format_day(dt.date(year, 2, 28), locale).replace("28", "29")
        with pytest.raises(DateValueError, match="not a real calendar date; write it as"):
            parse_date(text, locale)
        with pytest.raises(DateValueError, match="not a real calendar date"):
            parse_date(f"{year}-02-29", locale)


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize(
    "text",
    ["30.11.26", "30/11/26", "2026/11/30", "30-11-2026", "30.11.", "tomorrow", "",
     "٣٠.١١.٢٠٢٦", "٣٠/١١/٢٠٢٦", "３０/１１/２０２６", "30/11/2026\ufffd", "2026-11-30T00:00",
     "30/11/20266", "1.2.3"],
)  # fmt: skip
def test_anything_else_is_no_date_and_the_message_shows_the_format(locale: str, text: str) -> None:
    with pytest.raises(DateValueError, match=re.escape(ONE_FORMAT[locale][1])):
        parse_date(text, locale)


def test_parse_date_without_a_locale_stays_iso_only() -> None:
    """The API's reader: strict JSON dates."""
    with pytest.raises(DateValueError, match="YYYY-MM-DD"):
        parse_date("30.11.2026")


# Filters, fields and the portal in the firm's locale ---------------------------------------------


def use_locale(session, locale: str) -> None:  # type: ignore[no-untyped-def]
    firm.get_settings().locale = locale
    session.flush()


@pytest.mark.parametrize(
    ("locale", "day", "moment"),
    [
        ("en_US", "11/30/2026", "11/30/2026 18:50"),
        ("en_GB", "30/11/2026", "30/11/2026 18:50"),
        ("de_DE", "30.11.2026", "30.11.2026 18:50"),
        ("fr_FR", "30/11/2026", "30/11/2026 18:50"),
    ],
)
def test_the_filters_show_one_date_format(ctx, locale: str, day: str, moment: str) -> None:
    use_locale(ctx, locale)
    when = dt.datetime(2026, 11, 30, 18, 50, tzinfo=dt.UTC)
    assert formatting.date(dt.date(2026, 11, 30)) == day
    assert formatting.long_date(dt.date(2026, 11, 30)) == day
    assert formatting.date(when) == day
    assert formatting.datetime(when) == moment
    assert formatting.date_placeholder() == ONE_FORMAT[locale][1]
    assert formatting.month(dt.date(2026, 11, 30)).startswith(("Nov", "nov"))


def test_a_moment_shows_its_day_in_the_firms_timezone(ctx) -> None:
    firm.get_settings().timezone = "Europe/Berlin"
    use_locale(ctx, "de_DE")
    assert formatting.datetime(dt.datetime(2026, 11, 30, 23, 30, tzinfo=dt.UTC)) == (
        "01.12.2026 00:30"
    )


class AmountsForm(Form):
    rate = MoneyField("Rate", [Optional()])
    budget = HoursField("Budget", [Optional()])
    legacy_rate = DecimalTextField("Legacy", [Optional()], maximum=MAX_MONEY)
    tax = PercentField("Tax", [Optional()])
    day = SupportedDateField("Day", [Optional()])


class ClientLikeForm(Form):
    currency = StringField("Currency")
    rate = MoneyField("Rate", [Optional()])


def test_fields_read_and_show_in_the_firms_locale(app, ctx) -> None:
    use_locale(ctx, "de_DE")
    data = MultiDict(
        {"rate": "149,00 €", "budget": "8.800", "legacy_rate": "EUR 1.234,5", "tax": "19,5 %",
         "day": "30.11.2026"}
    )  # fmt: skip
    with app.test_request_context():
        form = AmountsForm(data)
        assert form.validate(), form.errors
        assert form.rate.number == Decimal("149.00")
        assert form.budget.number == Decimal("8800")
        assert form.legacy_rate.number == Decimal("1234.5")  # a money field by its limit
        assert form.tax.number == Decimal("19.5")
        assert form.day.data == dt.date(2026, 11, 30)

        html = str(form.day())
        assert 'type="text"' in html and 'value="30.11.2026"' in html
        assert 'placeholder="dd.mm.yyyy"' in html
        assert "inputmode" not in html and 'autocomplete="off"' in html
        assert "min=" not in str(form.day(min="2026-01-01", max="2026-12-31"))

        shown = AmountsForm(obj=None, data={"rate": Decimal("8800.50"), "day": dt.date(2026, 1, 5)})
        assert 'value="8.800,50"' in str(shown.rate())
        assert 'value="05.01.2026"' in str(shown.day())


def test_fields_refuse_clearly_and_keep_what_was_typed(app, ctx) -> None:
    use_locale(ctx, "en_US")
    data = MultiDict({"rate": "$149", "budget": "1.2.3", "tax": "١٩", "day": "31/11/2026"})
    with app.test_request_context():
        form = AmountsForm(data)
        assert not form.validate()
        assert form.errors["rate"] == [
            "This amount is in EUR, not $: enter it like 95.00 or €95.00."
        ]
        assert form.errors["budget"][0].startswith("Enter a number using digits, like 1.5")
        assert "1:30" in form.errors["budget"][0]
        assert form.errors["tax"][0].startswith("Use the digits 0 to 9")
        assert "write it as mm/dd/yyyy" in form.errors["day"][0]
        assert 'value="1.2.3"' in str(form.budget())
        assert form.rate.number is None


class ChosenCurrencyForm(Form):
    rate = MoneyField("Rate", [Optional()], currency=lambda form: "CHF")


def test_a_money_field_takes_the_currency_a_function_of_the_form_names(app, ctx) -> None:
    use_locale(ctx, "de_DE")
    with app.test_request_context():
        form = ChosenCurrencyForm(MultiDict({"rate": "CHF 120,50"}))
        assert form.validate(), form.errors
        assert form.rate.number == Decimal("120.50")
        form = ChosenCurrencyForm(MultiDict({"rate": "120,50 €"}))
        assert not form.validate()
        assert "in CHF, not €" in form.errors["rate"][0]


def test_a_money_field_takes_the_currency_of_its_form(app, ctx) -> None:
    use_locale(ctx, "en_GB")
    with app.test_request_context():
        form = ClientLikeForm(MultiDict({"currency": "gbp", "rate": "£120.50"}))
        assert form.validate(), form.errors
        assert form.rate.number == Decimal("120.50")
        form = ClientLikeForm(MultiDict({"currency": "GBP", "rate": "€120.50"}))
        assert not form.validate()
        assert "in GBP, not €" in form.errors["rate"][0]


@pytest.mark.parametrize("locale", LOCALES)
def test_portal_date_parameters_take_iso_and_the_locale(ctx, locale: str) -> None:
    use_locale(ctx, locale)
    typed = ONE_FORMAT[locale][2]
    for text in ("2026-11-30", typed):
        assert params.date_param(MultiDict({"date_from": text}), "date_from") == (
            dt.date(2026, 11, 30)
        )
    with pytest.raises(params.ParamError, match="YYYY-MM-DD"):
        params.date_param(MultiDict({"date_from": "30-11-2026"}), "date_from")


# Through the pages -------------------------------------------------------------------------------


def test_a_german_firm_types_a_project_as_people_write_it(app, session) -> None:
    session.merge(Settings(id=1, locale="de_DE", currency="EUR"))
    admin = make_admin(session)
    customer = make_client(session)
    browser = app.test_client()
    assert login(browser, admin.email).status_code == 302
    data = {"client": customer.id, "name": "Relaunch", "hourly_rate": "149,00 €",
            "budget_hours": "1.234,5", "budget_amount": "8.800"}  # fmt: skip
    assert post(browser, "/projects/new", data).status_code == 302
    project = session.scalars(select(Project).where(Project.name == "Relaunch")).one()
    assert (project.hourly_rate, project.budget_hours, project.budget_amount) == (
        Decimal("149.00"),
        Decimal("1234.50"),
        Decimal("8800.00"),
    )
    edit = browser.get(f"/projects/{project.id}/edit").get_data(as_text=True)
    assert 'value="149,00"' in edit and 'value="8.800,00"' in edit

    refused = post(browser, "/projects/new", {**data, "name": "Twice", "hourly_rate": "1.2.3"})
    assert refused.status_code == 400
    assert "Enter a number using digits, like 95,00 or 95,00" in refused.get_data(as_text=True)
    assert session.scalar(select(Project.id).where(Project.name == "Twice")) is None


def test_the_portal_statement_takes_and_shows_the_locale_dates(app, session) -> None:
    session.merge(Settings(id=1, locale="de_DE"))
    customer = make_client(session)
    contact = make_portal_user(session, customer)
    browser = app.test_client()
    assert login(browser, contact.email).status_code == 302
    for query in ("date_from=01.02.2026&date_to=28.02.2026",
                  "date_from=2026-02-01&date_to=2026-02-28"):  # fmt: skip
        html = browser.get(f"/client-portal/statement?{query}").get_data(as_text=True)
        assert 'value="01.02.2026"' in html and 'value="28.02.2026"' in html
        assert 'placeholder="dd.mm.yyyy"' in html and 'type="date"' not in html
    bad = browser.get("/client-portal/statement?date_from=29.02.2026")
    assert bad.status_code == 400
    assert "not a real calendar date" in bad.get_data(as_text=True)


def test_amounts_are_typed_in_the_currency_of_the_client_or_invoice(app, session) -> None:
    """A firm that bills in USD types a EUR client's rate, an EUR invoice's line price and a
    payment on it with the euro sign; the dollar sign is refused there, and nothing is written."""
    session.merge(Settings(id=1, locale="en_US", currency="USD"))
    admin = make_admin(session)
    customer = make_client(session, currency="EUR")
    browser = app.test_client()
    assert login(browser, admin.email).status_code == 302

    project = {"client": customer.id, "name": "Euro work", "hourly_rate": "€149.00",
               "budget_amount": "EUR 8,800"}  # fmt: skip
    assert post(browser, "/projects/new", project).status_code == 302
    saved = session.scalars(select(Project).where(Project.name == "Euro work")).one()
    assert (saved.hourly_rate, saved.budget_amount) == (Decimal("149.00"), Decimal("8800.00"))
    refused = post(browser, "/projects/new", {**project, "name": "Dollars", "hourly_rate": "$149"})
    assert refused.status_code == 400
    assert "in EUR, not $" in refused.get_data(as_text=True)
    assert session.scalar(select(Project.id).where(Project.name == "Dollars")) is None

    draft = make_invoice(session, customer, status=InvoiceStatus.DRAFT, items=[])
    line = {"item-description": "Licences", "item-quantity": "2", "item-unit_price": "€95.00"}
    assert post(browser, f"/invoices/{draft.id}/items", line).status_code == 302
    prices = select(InvoiceItem.unit_price).where(InvoiceItem.invoice_id == draft.id)
    assert session.scalars(prices).all() == [Decimal("95.00")]
    dollars = post(browser, f"/invoices/{draft.id}/items", {**line, "item-unit_price": "$95"})
    assert dollars.status_code == 400 and "in EUR, not $" in dollars.get_data(as_text=True)
    assert session.scalars(prices).all() == [Decimal("95.00")]

    sent = make_invoice(session, customer, items=[("Work", "1", "100.00")], tax_rate="0")
    payment = {"pay-amount": "€40.00", "pay-paid_on": "2026-03-15"}
    assert post(browser, f"/invoices/{sent.id}/payments", payment).status_code == 302
    session.refresh(sent)
    assert sent.amount_paid == Decimal("40.00")
    dollars = post(browser, f"/invoices/{sent.id}/payments", {**payment, "pay-amount": "$10"})
    assert dollars.status_code == 400 and "in EUR, not $" in dollars.get_data(as_text=True)
    session.refresh(sent)
    assert sent.amount_paid == Decimal("40.00")
