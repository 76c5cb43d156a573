"""The portal's "How to pay" card, its QR code route, and "Payment sent": CSRF-protected,
rate-limited per contact, recorded once per form, audited, never a payment, and another
client's invoice or a draft answered exactly like a missing id."""

from __future__ import annotations

import datetime as dt
import html as html_lib
import re
import secrets
from decimal import Decimal

import pytest
import time_machine
from flask import g, render_template
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from tests.payments.conftest import (
    BIC,
    HOLDER,
    IBAN,
    IBAN_GROUPED,
    decode_png,
    decode_svg,
    set_bank,
    signed_in,
)
from tests.security.harness import snapshot
from timetracker.audit import Kind
from timetracker.billing import states
from timetracker.models import AuditEvent, Invoice, PaymentNotice, Settings
from timetracker.payments import notices, payment_qr
from timetracker.payments.notices import notices_for, record_notice

#: The day the tests run on (the invoices were issued on 2026-03-01).
TODAY = dt.date(2026, 6, 15)
MISSING = 987654321

_INPUT = re.compile(r'<input\b[^>]*\bname="([^"]+)"[^>]*\bvalue="([^"]*)"')


@pytest.fixture(autouse=True)
def on_a_fixed_day():
    with time_machine.travel(dt.datetime(2026, 6, 15, 10, tzinfo=dt.UTC), tick=False):
        yield


def _page(browser, invoice) -> str:
    response = browser.get(f"/client-portal/invoices/{invoice.id}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _form(browser, invoice) -> dict[str, str]:
    """The "Payment sent" form's fields as the invoice page shows them."""
    page = _page(browser, invoice)
    form = re.search(r'<form method="post" action="[^"]*/payment-sent".*?</form>', page, re.S)
    assert form, "the invoice page shows no Payment sent form"
    return {name: html_lib.unescape(value) for name, value in _INPUT.findall(form.group(0))}


def _send(browser, invoice, fields=None, **changes):
    data = dict(fields if fields is not None else _form(browser, invoice))
    data.pop("submit", None)
    data.update(changes)
    return browser.post(f"/client-portal/invoices/{invoice.id}/payment-sent", data=data)


def _notices(session) -> list[PaymentNotice]:
    session.expire_all()
    return list(session.scalars(select(PaymentNotice).order_by(PaymentNotice.id)))


def _audited(session) -> list[AuditEvent]:
    session.expire_all()
    return list(session.scalars(select(AuditEvent).where(AuditEvent.kind == Kind.PAYMENT_NOTICE)))


# The card -------------------------------------------------------------------------------------


def test_the_invoice_page_shows_bank_details_amount_due_reference_and_the_qr_code(anna, firm):
    page = _page(anna, firm.sent)
    card = page[page.index('data-testid="how-to-pay"') :]
    assert "How to pay" in card
    assert re.search(r'data-testid="amount-due">€1,000.00<', card)
    assert re.search(r'data-testid="payment-reference">NW-2026-0007<', card)
    for shown in (HOLDER, "Commerzbank", IBAN_GROUPED, BIC):
        assert html_lib.escape(shown) in card, shown
    qr = f'src="/client-portal/invoices/{firm.sent.id}/payment-qr.svg"'
    assert qr in card
    assert 'alt="QR code for a bank transfer of €1,000.00 with the reference NW-2026-0007"' in card
    form = _form(anna, firm.sent)
    assert form["paid_on"] == "06/15/2026"
    assert notices.is_submission_key(form["submission_key"])


def test_the_page_shows_the_same_form_until_a_notice_is_recorded(app, connection, anna, firm):
    """The submission key stays while nothing was recorded (a reload, a second tab), changes
    once a notice is, and is another for each invoice and each browser session."""
    key = _form(anna, firm.sent)["submission_key"]
    assert _form(anna, firm.sent)["submission_key"] == key
    assert _page(anna, firm.sent) == _page(anna, firm.sent)  # byte for byte
    assert (
        anna.get(f"/client-portal/invoices/{firm.sent.id}/payment-sent")
        .get_data(as_text=True)
        .count(key)
        == 1
    )
    other_browser = signed_in(app, firm.anna)
    assert _form(other_browser, firm.sent)["submission_key"] != key
    assert _send(anna, firm.sent).status_code == 303
    after = _form(anna, firm.sent)["submission_key"]
    assert after != key and notices.is_submission_key(after)


def test_an_invoice_in_pounds_shows_bank_details_without_a_qr_code(app, connection, firm):
    percy = signed_in(app, firm.percy)
    page = _page(percy, firm.pounds_sent)
    assert IBAN_GROUPED in page and "£1,200.00" in page
    assert "payment-qr.svg" not in page
    assert (
        percy.get(f"/client-portal/invoices/{firm.pounds_sent.id}/payment-qr.svg").status_code
        == 404
    )


@pytest.mark.parametrize("which", ["paid", "cancelled"])
def test_a_settled_invoice_has_no_card(anna, firm, which):
    page = _page(anna, getattr(firm, which))
    assert 'data-testid="how-to-pay"' not in page
    assert "payment-qr.svg" not in page and "payment-sent" not in page


def test_without_bank_details_the_card_still_gives_amount_reference_and_the_form(
    anna, firm, session
):
    set_bank(session, bank_iban=None, bank_bic=None, company_email="billing@northwind.example")
    page = _page(anna, firm.sent)
    assert 'data-testid="amount-due">€1,000.00<' in page
    assert "ask billing@northwind.example for bank details" in page
    assert "payment-qr.svg" not in page and IBAN_GROUPED not in page
    assert _form(anna, firm.sent)


# The QR code route ----------------------------------------------------------------------------


def test_the_qr_route_serves_the_svg_of_the_open_balance_that_reads_back_as_the_invoice(
    anna, firm, app_qr
):
    response = anna.get(f"/client-portal/invoices/{firm.sent.id}/payment-qr.svg")
    assert response.status_code == 200
    assert response.mimetype == "image/svg+xml"
    assert "private" in response.headers["Cache-Control"]
    assert "no-cache" in response.headers["Cache-Control"]
    svg = response.get_data()
    qr = app_qr(firm.sent.id)
    assert svg == qr.svg()  # the route's SVG is this QR code's
    expected = [
        "BCD",
        "002",
        "1",
        "SCT",
        BIC,
        HOLDER,
        IBAN,
        f"EUR{states.open_balance(firm.sent)}",
        "",
        "",
        firm.sent.number,
    ]
    assert expected[7] == "EUR1000.00"
    for read in (decode_png(qr.png()), decode_svg(svg)):
        assert read.text.split("\n") == expected
        assert read.ec_level == "M"
    again = anna.get(response.request.path, headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304


@pytest.fixture
def app_qr(app, session):
    """The QR code the app makes for an invoice, computed outside a request."""

    def make(invoice_id):
        with app.app_context():
            g.db_session = session
            try:
                session.expire_all()
                invoice = session.scalar(
                    select(Invoice)
                    .where(Invoice.id == invoice_id)
                    .options(selectinload(Invoice.payments))
                )
                return payment_qr(invoice)
            finally:
                g.pop("db_session")

    return make


def test_no_qr_code_without_an_iban(anna, firm, session):
    set_bank(session, bank_iban=None, bank_bic=None)
    assert anna.get(f"/client-portal/invoices/{firm.sent.id}/payment-qr.svg").status_code == 404


# Isolation ------------------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", ["payment-qr.svg", "payment-sent"])
def test_another_clients_invoice_and_a_draft_answer_exactly_like_a_missing_id(
    anna, firm, session, suffix
):
    form = _form(anna, firm.sent)  # the page view is audited: before the snapshot
    before = snapshot(session)
    for method in ("GET", "POST"):
        if suffix.endswith(".svg") and method == "POST":
            continue
        fields = form if method == "POST" else None
        answers = []
        for invoice_id in (MISSING, firm.bravo_sent.id, firm.draft.id):
            path = f"/client-portal/invoices/{invoice_id}/{suffix}"
            response = anna.open(path, method=method, data=fields)
            answers.append((response.status_code, response.get_data()))
        assert answers[0][0] == 404
        assert answers[1] == answers[0] and answers[2] == answers[0], method
        assert b"Bravo" not in answers[1][1] and b"NW-DRAFT" not in answers[2][1]
    assert snapshot(session) == before


def test_the_other_client_does_not_see_the_notices(app, connection, anna, firm, session):
    assert _send(anna, firm.sent).status_code == 303
    bruno = signed_in(app, firm.bruno)
    assert bruno.get(f"/client-portal/invoices/{firm.sent.id}").status_code == 404
    page = _page(bruno, firm.bravo_sent)
    assert "told us" not in page and "Anna" not in page


# "Payment sent" ---------------------------------------------------------------------------------


def test_payment_sent_is_recorded_audited_shown_and_leaves_the_balance_alone(anna, firm, session):
    response = _send(anna, firm.sent, paid_on="2026-06-12", reference="  SEPA 4711  ")
    assert response.status_code == 303
    assert response.headers["Location"] == f"/client-portal/invoices/{firm.sent.id}"

    (notice,) = _notices(session)
    assert (notice.invoice_id, notice.user_id, notice.user_name) == (
        firm.sent.id,
        firm.anna.id,
        "Anna Müller",
    )
    assert (notice.paid_on, notice.reference, notice.ip_address) == (
        dt.date(2026, 6, 12),
        "SEPA 4711",
        "127.0.0.1",
    )
    (event,) = _audited(session)
    assert (event.client_id, event.invoice_id, event.actor_id) == (
        firm.alpha.id,
        firm.sent.id,
        firm.anna.id,
    )
    assert event.detail == "Paid on 2026-06-12, reference SEPA 4711"

    invoice = session.get(Invoice, firm.sent.id)
    assert (invoice.status, invoice.amount_paid) == ("sent", Decimal("200.00"))
    assert states.open_balance(invoice) == Decimal("1000.00")

    page = anna.get(response.headers["Location"]).get_data(as_text=True)
    assert "We have noted that you sent the payment on 06/12/2026" in page
    assert (
        "You told us on 06/15/2026 that you sent the payment on 06/12/2026, "
        "reference “SEPA 4711”." in page
    )
    assert 'data-testid="amount-due">€1,000.00<' in page  # still owed
    assert _form(anna, firm.sent)  # another payment can be reported


def test_a_form_sent_twice_records_one_notice(anna, firm, session):
    fields = _form(anna, firm.sent)
    first = _send(anna, firm.sent, fields)
    second = _send(anna, firm.sent, fields)
    assert first.status_code == second.status_code == 303
    assert len(_notices(session)) == 1
    assert len(_audited(session)) == 1
    # A new form is a new notice.
    assert _send(anna, firm.sent).status_code == 303
    assert len(_notices(session)) == 2


def test_a_form_sent_again_after_the_invoice_was_paid_is_still_the_same_notice(anna, firm, session):
    fields = _form(anna, firm.sent)
    assert _send(anna, firm.sent, fields).status_code == 303
    invoice = session.get(Invoice, firm.sent.id)
    invoice.amount_paid, invoice.status = invoice.total, "paid"
    session.commit()
    assert _send(anna, firm.sent, fields).status_code == 303
    assert len(_notices(session)) == 1


def test_a_submission_key_of_another_invoice_is_refused(anna, app, connection, firm, session):
    other = session.get(Invoice, firm.sent.id)
    twin = Invoice(
        number="NW-2026-0099",
        client_id=firm.alpha.id,
        issue_date=other.issue_date,
        due_date=other.due_date,
        status="sent",
        currency="EUR",
        subtotal=Decimal("10.00"),
        tax_amount=Decimal("0.00"),
        total=Decimal("10.00"),
    )
    session.add(twin)
    session.commit()
    fields = _form(anna, firm.sent)
    assert _send(anna, firm.sent, fields).status_code == 303
    before = snapshot(session)
    response = _send(anna, twin, fields)
    assert response.status_code == 400
    assert notices.STALE_FORM in html_lib.unescape(response.get_data(as_text=True))
    assert snapshot(session) == before


@pytest.mark.parametrize("key", ["", "short", "x" * 65, "bad key with spaces" * 3, "é" * 40])
def test_a_missing_or_malformed_submission_key_is_refused(anna, firm, session, key):
    fields = _form(anna, firm.sent)
    before = snapshot(session)
    response = _send(anna, firm.sent, fields, submission_key=key)
    assert response.status_code == 400
    assert notices.BAD_KEY in response.get_data(as_text=True)
    assert snapshot(session) == before


def test_without_a_csrf_token_nothing_is_recorded(anna, firm, session):
    forms = [_form(anna, firm.sent), _form(anna, firm.sent)]
    before = snapshot(session)
    for token, fields in zip((None, "forged"), forms, strict=True):
        if token is None:
            fields.pop("csrf_token")
        else:
            fields["csrf_token"] = token
        response = _send(anna, firm.sent, fields)
        assert response.status_code == 400
        assert "CSRF" in response.get_data(as_text=True)
    assert snapshot(session) == before


@pytest.mark.parametrize(
    ("paid_on", "accepted", "message"),
    [
        ("2026-03-01", True, None),  # the issue date
        ("2026-06-15", True, None),  # today
        (" 2026-06-14 ", True, None),
        ("2026-06-16", False, "The payment date cannot be in the future."),
        ("2026-02-28", False, "cannot be before the invoice was issued (03/01/2026)"),
        ("1900-01-01", False, "cannot be before the invoice was issued"),
        ("9998-12-31", False, "cannot be in the future"),
        ("1899-12-31", False, "from 1900-01-01 to 9998-12-31"),
        ("9999-12-31", False, "from 1900-01-01 to 9998-12-31"),
        ("2026-02-30", False, "is not a real calendar date"),
        ("2026-6-1", False, "Write the date as mm/dd/yyyy (or YYYY-MM-DD)"),
        ("２０２６-06-01", False, "Write the date as mm/dd/yyyy (or YYYY-MM-DD)"),
        ("", False, "Enter the date you sent the payment."),
    ],
)
def test_the_payment_date_is_between_the_issue_date_and_today(
    anna, firm, session, paid_on, accepted, message
):
    fields = _form(anna, firm.sent)
    before = snapshot(session)
    response = _send(anna, firm.sent, fields, paid_on=paid_on)
    if accepted:
        assert response.status_code == 303
        assert _notices(session)[0].paid_on == dt.date.fromisoformat(paid_on.strip())
        return
    assert response.status_code == 400
    assert message in html_lib.unescape(response.get_data(as_text=True))
    assert snapshot(session) == before


def test_today_is_the_firms_today(anna, firm, session):
    """At 20:00 UTC it is already the next day in Auckland: that day is not in the future."""
    session.get(Settings, 1).timezone = "Pacific/Auckland"
    session.commit()
    with time_machine.travel(dt.datetime(2026, 6, 15, 20, tzinfo=dt.UTC), tick=False):
        assert _form(anna, firm.sent)["paid_on"] == "06/16/2026"
        assert _send(anna, firm.sent, paid_on="2026-06-16").status_code == 303
        assert _send(anna, firm.sent, paid_on="2026-06-17").status_code == 400


@pytest.mark.parametrize(
    ("reference", "accepted"),
    [
        ("R" * 140, True),
        ("R" * 141, False),
        ("one\ntwo", False),
        ("   ", True),
        ("Ref “ü” €", True),
    ],
)
def test_the_reference_is_optional_one_line_and_at_most_140_characters(
    anna, firm, session, reference, accepted
):
    response = _send(anna, firm.sent, reference=reference)
    assert response.status_code == (303 if accepted else 400)
    if accepted:
        assert _notices(session)[0].reference == (reference.strip() or None)
    else:
        assert _notices(session) == []


def test_invalid_utf8_in_the_form_is_refused(anna, firm, session):
    fields = _form(anna, firm.sent)
    fields.pop("submit", None)
    fields.pop("reference", None)
    from urllib.parse import urlencode

    body = urlencode(fields).encode() + b"&reference=%FF"
    response = anna.post(
        f"/client-portal/invoices/{firm.sent.id}/payment-sent",
        data=body,
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 400
    assert _notices(session) == []


@pytest.mark.parametrize("which", ["paid", "cancelled"])
def test_nothing_can_be_reported_on_a_settled_invoice(anna, firm, session, which):
    invoice = getattr(firm, which)
    fields = _form(anna, firm.sent)
    before = snapshot(session)
    response = _send(anna, invoice, fields)
    assert response.status_code == 400
    assert notices.NOTHING_OWED in response.get_data(as_text=True)
    assert snapshot(session) == before
    page = anna.get(f"/client-portal/invoices/{invoice.id}/payment-sent").get_data(as_text=True)
    assert notices.NOTHING_OWED in page
    assert f'action="/client-portal/invoices/{invoice.id}/payment-sent"' not in page


def test_the_form_has_a_page_of_its_own_that_shows_errors(anna, firm):
    page = anna.get(f"/client-portal/invoices/{firm.sent.id}/payment-sent")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Tell us you sent the payment" in text and 'value="06/15/2026"' in text
    response = _send(anna, firm.sent, paid_on="2026-06-16")
    text = response.get_data(as_text=True)
    assert 'class="form-control is-invalid"' in text
    assert "NW-2026-0007" in text and "€1,000.00" in text


def test_payment_sent_is_rate_limited_per_contact(app, connection, anna, firm, session):
    statuses = [_send(anna, firm.sent, paid_on="bad").status_code for _ in range(21)]
    assert statuses == [400] * 20 + [429]
    assert _send(anna, firm.sent).status_code == 429
    assert _notices(session) == []
    # Another contact has a count of its own; reading is not limited.
    bruno = signed_in(app, firm.bruno)
    assert _send(bruno, firm.bravo_sent).status_code == 303
    assert anna.get(f"/client-portal/invoices/{firm.sent.id}/payment-sent").status_code == 200


# Recording, directly ---------------------------------------------------------------------------


def test_a_race_on_the_same_key_records_one_notice(ctx, firm, monkeypatch):
    """Two requests with the same form at the same moment: the second finds no notice when it
    looks, then hits the unique key when it inserts, and answers with the first one's."""
    key = secrets.token_urlsafe(32)
    invoice = ctx.get(Invoice, firm.sent.id)
    first = record_notice(
        ctx,
        invoice,
        firm.anna,
        paid_on=TODAY,
        reference=None,
        submission_key=key,
        ip_address="192.0.2.1",
    )
    monkeypatch.setattr(notices, "_by_key", _missing_once(notices._by_key))
    second = record_notice(
        ctx,
        invoice,
        firm.anna,
        paid_on=TODAY,
        reference="late",
        submission_key=key,
        ip_address="192.0.2.2",
    )
    assert (first.new, second.new) == (True, False)
    assert second.notice.id == first.notice.id
    assert ctx.scalar(select(func.count()).select_from(PaymentNotice)) == 1
    assert len(_audited(ctx)) == 1


def _missing_once(lookup):
    calls = []

    def patched(session, key):
        calls.append(key)
        return None if len(calls) == 1 else lookup(session, key)

    return patched


def test_notices_are_listed_oldest_first_for_staff(ctx, firm):
    invoice = ctx.get(Invoice, firm.sent.id)
    for day, reference in ((10, "first"), (12, None)):
        with time_machine.travel(dt.datetime(2026, 6, day, 9, 30, tzinfo=dt.UTC), tick=False):
            record_notice(
                ctx,
                invoice,
                firm.anna,
                paid_on=dt.date(2026, 6, day - 1),
                reference=reference,
                submission_key=secrets.token_urlsafe(32),
                ip_address=None,
            )
    listed = notices_for(ctx, invoice.id)
    assert [n.reference for n in listed] == ["first", None]
    assert notices_for(ctx, firm.bravo_sent.id) == []
    html = render_template(
        "workspace/invoices/_payment_notices.html", invoice=invoice, payment_notices=listed
    )
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html))
    assert (
        "Payment sent on 06/09/2026, reference “first”, told by Anna Müller on 06/10/2026 09:30."
        in text
    )
    assert "Payment sent on 06/11/2026, told by Anna Müller on 06/12/2026 09:30." in text
    assert "a notice does not change the balance" in text
    assert (
        render_template(
            "workspace/invoices/_payment_notices.html", invoice=invoice, payment_notices=[]
        ).strip()
        == ""
    )


def test_a_submission_key_depends_on_seed_invoice_and_generation():
    seed = "0123456789abcdef0123456789abcdef"
    key = notices.submission_key(seed, 7, 0)
    assert notices.is_submission_key(key) and len(key) == 43
    assert key == notices.submission_key(seed, 7, 0)
    others = {
        notices.submission_key(seed, 8, 0),
        notices.submission_key(seed, 7, 1),
        notices.submission_key("f" * 32, 7, 0),
    }
    assert key not in others and len(others) == 3
