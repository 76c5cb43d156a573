"""The firm's VAT ID and registration details on the settings page, and the VAT ID rule."""

from __future__ import annotations

import pytest

from tests.logos.conftest import as_admin, firm, save_settings  # noqa: F401 - a fixture
from tests.portal.conftest import world  # noqa: F401 - a fixture
from timetracker.documents.vat import RULE, parse_vat_id


class TestRule:
    @pytest.mark.parametrize(
        ("typed", "stored"),
        [
            ("DE123456789", "DE123456789"),
            (" de 123 456 789 ", "DE123456789"),
            ("atu12345678", "ATU12345678"),
            ("FR XX 123456789", "FRXX123456789"),
            ("DE12", "DE12"),  # the shortest: 2 characters after the prefix
            ("NL1234567890123", "NL1234567890123"),  # the longest: 13
            ("DE\t1234\u00a05678", "DE12345678"),  # any spaces
        ],
    )
    def test_accepted_compact_in_capitals(self, typed, stored):
        assert parse_vat_id(typed) == stored

    @pytest.mark.parametrize(
        "typed",
        [
            "DE1",  # 1 character after the prefix
            "NL12345678901234",  # 14
            "123456789",  # no country prefix
            "D123456789",
            "1E123456789",
            "DE-123456789",
            "DE.123.456",
            "ÄB123456",
            "DE１２３４５",  # full-width digits
            "",
        ],
    )
    def test_refused_with_the_rule(self, typed):
        with pytest.raises(ValueError, match="2-letter country code followed by 2 to 13"):
            parse_vat_id(typed)
        assert "for example DE123456789" in RULE


def test_saved_compact_and_cleared(as_admin, session):  # noqa: F811
    response = save_settings(
        as_admin,
        session,
        vat_id=" de 123 456 789 ",
        registration_details="  Registered at Amtsgericht München, HRB 123456\nMD: Jane Doe ",
    )
    assert response.status_code == 302
    row = firm(session)
    assert row.vat_id == "DE123456789"
    assert row.registration_details == "Registered at Amtsgericht München, HRB 123456\nMD: Jane Doe"
    html = as_admin.get("/admin/settings").get_data(as_text=True)
    assert 'value="DE123456789"' in html and "Registration details" in html
    assert save_settings(as_admin, session).status_code == 302
    assert (firm(session).vat_id, firm(session).registration_details) == (None, None)


@pytest.mark.parametrize("typed", ["DE1", "DE-123456789", "1234567890"])
def test_a_bad_vat_id_is_400_and_writes_nothing(as_admin, session, typed):  # noqa: F811
    response = save_settings(as_admin, session, vat_id=typed, company_name="Changed")
    assert response.status_code == 400
    assert "2-letter country code followed by 2 to 13 letters or digits" in response.get_data(
        as_text=True
    )
    assert firm(session).vat_id is None and firm(session).company_name != "Changed"


def test_a_draft_charging_tax_warns_while_the_firm_has_no_vat_id(as_admin, session):  # noqa: F811
    from tests.factories import make_client, make_invoice
    from timetracker.models import InvoiceStatus, Settings

    client = make_client(session)
    taxed = make_invoice(session, client, status=InvoiceStatus.DRAFT, tax_rate="19.00")
    untaxed = make_invoice(session, client, status=InvoiceStatus.DRAFT, tax_rate="0")
    sent = make_invoice(session, client, status=InvoiceStatus.SENT, tax_rate="19.00")
    session.merge(Settings(id=1, vat_id=None))
    session.commit()

    def warned(invoice) -> bool:
        return 'data-testid="vat-id-missing"' in as_admin.get(f"/invoices/{invoice.id}").text

    page = as_admin.get(f"/invoices/{taxed.id}").text
    assert "charges 19.00% tax, but the firm's VAT ID is not set" in page
    assert 'href="/admin/settings#vat_id"' in page
    assert not warned(untaxed)  # no VAT charged
    assert not warned(sent)  # issued: nothing to change any more
    session.merge(Settings(id=1, vat_id="DE123456789"))
    session.commit()
    assert not warned(taxed)


def test_a_save_is_audited_with_what_changed(as_admin, session):  # noqa: F811
    from sqlalchemy import select

    from timetracker.audit import Kind
    from timetracker.models import AuditEvent

    def events() -> list[str]:
        query = select(AuditEvent.detail).where(AuditEvent.kind == Kind.SETTINGS_CHANGED)
        return list(session.scalars(query.order_by(AuditEvent.id)))

    assert save_settings(as_admin, session).status_code == 302  # the form's own values
    first = len(events())
    assert save_settings(as_admin, session).status_code == 302
    assert len(events()) == first  # nothing changed: nothing recorded
    changed = save_settings(
        as_admin, session, vat_id="DE123456789", registration_details="HRB 1", currency="CHF"
    )
    assert changed.status_code == 302
    assert events()[first:] == [
        "Currency: EUR → CHF\nVAT ID: (none) → DE123456789\nRegistration details: changed"
    ]
    refused = save_settings(as_admin, session, vat_id="DE1", currency="USD")
    assert refused.status_code == 400
    assert len(events()) == first + 1
