"""IBAN and BIC as an administrator types them into Admin → Settings → Payments: checked with
schwifty, stored compact in capitals, shown in groups of four, and every refusal a 400 with a
message that says what is wrong and writes nothing."""

from __future__ import annotations

import pytest

from tests.conftest import csrf_token, login
from tests.factories import make_admin
from tests.payments.conftest import BIC, IBAN, IBAN_GROUPED
from timetracker.models import Settings
from timetracker.payments.accounts import (
    AccountNumberError,
    check_bic_for_iban,
    group_iban,
    parse_bic,
    parse_iban,
)

# The functions ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed",
    [
        IBAN,
        IBAN_GROUPED,
        IBAN.lower(),
        " de89 3704 0044 0532 0130 00 ",
        "DE89\t3704 0044\u00a00532 0130 00",  # a tab, and a no-break space from a pasted PDF
    ],
)
def test_an_iban_is_read_with_spaces_and_small_letters_and_kept_compact(typed):
    assert parse_iban(typed) == IBAN


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("GB82 WEST 1234 5698 7654 32", "GB82WEST12345698765432"),
        ("fr14 2004 1010 0505 0001 3m02 606", "FR1420041010050500013M02606"),
        ("NL91ABNA0417164300", "NL91ABNA0417164300"),
    ],
)
def test_ibans_of_other_countries_are_read(typed, expected):
    assert parse_iban(typed) == expected


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("DE89 3704 0044 0532 0130 01", "The check digits do not match"),
        ("DE88 3704 0044 0532 0130 00", "The check digits do not match"),
        ("DE89 3704 0044 0532 0130 0", "An IBAN from Germany has 22 characters; this one has 21"),
        (IBAN + "0", "An IBAN from Germany has 22 characters; this one has 23"),
        ("XX89 3704 0044 0532 0130 00", "XX is not the code of a country that uses IBANs"),
        ("DE89-3704-0044-0532-0130-00", "only letters and digits"),
        ("DE89 ３７０４ 0044 0532 0130 00", "only letters and digits"),  # fullwidth digits
        ("DE89 3704 0044 0532 0130 0A", "not how an IBAN from Germany is written"),
        ("89DE 3704", "starts with a country code and two check digits"),
        ("DE", "starts with a country code and two check digits"),
        ("   ", "Enter the IBAN"),
    ],
)
def test_a_wrong_iban_is_refused_with_what_is_wrong(typed, message):
    with pytest.raises(AccountNumberError, match=message):
        parse_iban(typed)


def test_an_iban_is_shown_in_groups_of_four():
    assert group_iban(IBAN) == IBAN_GROUPED
    assert group_iban("NL91ABNA0417164300") == "NL91 ABNA 0417 1643 00"


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("COBADEFFXXX", "COBADEFFXXX"), ("cobadeff", "COBADEFF"), (" COBA DE FF XXX ", BIC)],
)
def test_a_bic_has_8_or_11_characters_any_case(typed, expected):
    assert parse_bic(typed) == expected


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("COBADEF", "8 or 11 characters; this one has 7"),
        ("COBADEFFXX", "8 or 11 characters; this one has 10"),
        ("COBADEFFXXXX", "8 or 11 characters; this one has 12"),
        ("COBAXXFF", "XX is not a country code"),
        ("COBA-DEFF", "only letters and digits"),
        ("", "Enter the BIC"),
    ],
)
def test_a_wrong_bic_is_refused_with_what_is_wrong(typed, message):
    with pytest.raises(AccountNumberError, match=message):
        parse_bic(typed)


@pytest.mark.parametrize(
    ("bic", "iban"),
    [
        ("COBADEFFXXX", IBAN),
        ("COBADEFF", IBAN),
        ("NWBKGB2L", "GB82WEST12345698765432"),
        ("RBOSJESH", "GB82WEST12345698765432"),  # Jersey's banks hold British IBANs
        ("BNPARERX", "FR7630006000011234567890189"),  # Réunion's, French ones
    ],
)
def test_a_bic_of_the_ibans_country_or_territory_fits(bic, iban):
    check_bic_for_iban(bic, iban)


def test_a_bic_of_another_country_than_the_ibans_is_refused():
    with pytest.raises(
        AccountNumberError, match="bank in South Africa, but the IBAN is from Germany"
    ):
        check_bic_for_iban("NEDSZAJJXXX", IBAN)
    with pytest.raises(AccountNumberError, match="bank in France, but the IBAN is from Germany"):
        check_bic_for_iban("BNPAFRPP", IBAN)


# The settings form ------------------------------------------------------------------------------

FORM = {
    "company_name": "Northwind Studio",
    "company_address": "",
    "company_email": "",
    "currency": "EUR",
    "timezone": "UTC",
    "locale": "en_US",
    "invoice_prefix": "NW-",
    "payment_terms_days": "30",
    "invoice_rounding_minutes": "0",
    "require_two_factor": "none",
    "audit_retention_days": "730",
}


@pytest.fixture
def admin(app, connection, session):
    person = make_admin(session, email="ada@firm.example")
    session.commit()
    browser = app.test_client()
    assert login(browser, person.email).status_code == 302
    return browser


def _save(admin, session, **bank):
    data = {**FORM, **bank, "csrf_token": csrf_token(admin, "/admin/settings")}
    response = admin.post("/admin/settings", data=data)
    session.expire_all()
    return response, session.get(Settings, 1)


def test_bank_details_are_saved_compact_and_shown_grouped(admin, session):
    response, settings = _save(
        admin,
        session,
        bank_account_holder="  Northwind Studio GmbH ",
        bank_name="Commerzbank",
        bank_iban="de89 3704 0044 0532 0130 00",
        bank_bic="cobadeffxxx",
    )
    assert response.status_code == 302
    assert (
        settings.bank_account_holder,
        settings.bank_name,
        settings.bank_iban,
        settings.bank_bic,
    ) == ("Northwind Studio GmbH", "Commerzbank", IBAN, BIC)
    page = admin.get("/admin/settings").get_data(as_text=True)
    assert f'value="{IBAN_GROUPED}"' in page
    assert f'value="{BIC}"' in page
    assert '<legend class="h6">Payments</legend>' in page


def test_all_bank_details_are_optional_and_emptying_them_removes_them(admin, session):
    _save(admin, session, bank_account_holder="X", bank_iban=IBAN, bank_bic=BIC)
    response, settings = _save(admin, session)  # the fields not sent at all
    assert response.status_code == 302
    assert (settings.bank_account_holder, settings.bank_iban, settings.bank_bic) == (None,) * 3
    _save(admin, session, bank_account_holder="X", bank_iban=IBAN)
    response, settings = _save(
        admin, session, bank_account_holder="", bank_name="", bank_iban="  ", bank_bic=""
    )
    assert response.status_code == 302
    assert (settings.bank_account_holder, settings.bank_iban) == (None, None)


@pytest.mark.parametrize(
    ("bank", "message"),
    [
        ({"bank_iban": IBAN}, "Enter the name the account is held in"),
        (
            {"bank_account_holder": "N", "bank_iban": "DE89 3704 0044 0532 0130 01"},
            "The check digits do not match this IBAN",
        ),
        (
            {"bank_account_holder": "N", "bank_iban": "DE89 3704 0044 0532 0130"},
            "An IBAN from Germany has 22 characters; this one has 20.",
        ),
        ({"bank_account_holder": "N", "bank_iban": IBAN, "bank_bic": "COBADEF"}, "8 or 11"),
        (
            {"bank_account_holder": "N", "bank_iban": IBAN, "bank_bic": "NEDSZAJJ"},
            "This BIC is of a bank in South Africa, but the IBAN is from Germany",
        ),
        ({"bank_account_holder": "N", "bank_bic": BIC}, "Enter the IBAN this BIC belongs to"),
        ({"bank_account_holder": "N" * 71, "bank_iban": IBAN}, "At most 70 characters"),
        ({"bank_account_holder": "Line\none", "bank_iban": IBAN}, "Write this on one line"),
        ({"bank_name": "B" * 201}, "200 characters"),
    ],
)
def test_wrong_bank_details_are_refused_with_a_message_and_nothing_is_saved(
    admin, session, bank, message
):
    _save(admin, session, bank_account_holder="Kept Holder", bank_iban=IBAN)
    response, settings = _save(admin, session, **bank)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert (settings.bank_account_holder, settings.bank_iban, settings.bank_bic) == (
        "Kept Holder",
        IBAN,
        None,
    )
