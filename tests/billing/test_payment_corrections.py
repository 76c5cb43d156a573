"""Correcting payments: an edit or a delete, each with a reason, audited with the values before
and after; amount paid, balance, status and ``paid_at`` follow (paid → sent and back); a
cancelled invoice's payments stay; bad input and foreign ids write nothing; a second delete is a
harmless 404. And "Partially paid" reads the same to staff and to the client."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
import time_machine
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.conftest import login, post
from tests.factories import make_admin, make_client, make_invoice, make_portal_user, make_user
from tests.webhooks.conftest import make_endpoint
from timetracker.billing import payments, states
from timetracker.billing.invoicing import InvoiceError
from timetracker.billing.payments import PaymentValues
from timetracker.models import AuditEvent, Invoice, InvoiceStatus, Payment
from timetracker.models._common import utcnow
from timetracker.models.api import WebhookDelivery


def _browser(app: Flask, email: str) -> FlaskClient:
    browser = app.test_client()
    assert login(browser, email).status_code == 302
    return browser


@pytest.fixture
def as_admin(app: Flask, connection, session: Session) -> FlaskClient:  # type: ignore[no-untyped-def]
    return _browser(app, make_admin(session).email)


@pytest.fixture
def customer(session: Session):  # type: ignore[no-untyped-def]
    return make_client(session)


def _reload(session: Session, invoice_id: int) -> Invoice:
    session.expire_all()
    invoice = session.get(Invoice, invoice_id)
    assert invoice is not None
    return invoice


def _payment(session: Session, invoice: Invoice) -> Payment:
    return session.scalars(select(Payment).where(Payment.invoice_id == invoice.id)).one()


def _events(session: Session, kind: str) -> list[AuditEvent]:
    return list(session.scalars(select(AuditEvent).where(AuditEvent.kind == kind)))


def _edit(browser: FlaskClient, invoice: Invoice, payment_id: int, **fields: str):  # type: ignore[no-untyped-def]
    data = {
        "edit-amount": "200.00",
        "edit-paid_on": "2026-03-10",
        "edit-method": "Bank",
        "edit-reference": "",
        "edit-reason": "Typo in the amount",
    }
    data.update({f"edit-{k}": v for k, v in fields.items()})
    return post(browser, f"/invoices/{invoice.id}/payments/{payment_id}/edit", data)


def _delete(browser: FlaskClient, invoice: Invoice, payment_id: int, reason: str = "Bounced"):  # type: ignore[no-untyped-def]
    return post(
        browser,
        f"/invoices/{invoice.id}/payments/{payment_id}/delete",
        {"delete-reason": reason},
    )


def test_an_edit_recomputes_the_invoice_and_is_audited(as_admin, session, customer):
    invoice = make_invoice(session, customer, paid="100.00")  # 1,200.00, 100.00 paid
    payment = _payment(session, invoice)
    response = _edit(as_admin, invoice, payment.id, amount="250.50", reference="R-1")
    assert response.status_code == 302, response.get_data(as_text=True)
    invoice = _reload(session, invoice.id)
    assert (invoice.amount_paid, states.balance(invoice), invoice.status) == (
        Decimal("250.50"),
        Decimal("949.50"),
        InvoiceStatus.SENT,
    )
    (event,) = _events(session, "payment_changed")
    assert event.invoice_id == invoice.id and event.client_id == customer.id
    assert event.actor_id is not None
    assert "from EUR 100.00 on 2026-03-01, method Bank" in event.detail
    assert "to EUR 250.50 on 2026-03-10, method Bank, reference R-1" in event.detail
    assert event.detail.endswith("Reason: Typo in the amount")


def test_paid_to_sent_and_back(as_admin, session, customer):
    invoice = make_invoice(
        session, customer, paid="1200.00", status=InvoiceStatus.PAID, paid_at=utcnow()
    )
    payment = _payment(session, invoice)
    assert _edit(as_admin, invoice, payment.id, amount="1000").status_code == 302
    invoice = _reload(session, invoice.id)
    assert (invoice.status, invoice.paid_at, states.balance(invoice)) == (
        InvoiceStatus.SENT,
        None,
        Decimal("200.00"),
    )
    assert _edit(as_admin, invoice, payment.id, amount="1200").status_code == 302
    invoice = _reload(session, invoice.id)
    assert invoice.status == InvoiceStatus.PAID and invoice.paid_at is not None
    assert invoice.amount_paid == Decimal("1200.00")
    # Deleting the only payment: sent again, nothing paid; now it can be cancelled.
    html = as_admin.get(f"/invoices/{invoice.id}").get_data(as_text=True)
    assert "Delete its payments to cancel it" in html
    assert _delete(as_admin, invoice, payment.id).status_code == 302
    invoice = _reload(session, invoice.id)
    assert (invoice.status, invoice.paid_at, invoice.amount_paid) == (
        InvoiceStatus.SENT,
        None,
        Decimal("0.00"),
    )
    (event,) = _events(session, "payment_deleted")
    assert "deleted: EUR 1200.00 on 2026-03-10, method Bank" in event.detail
    assert "Reason: Bounced" in event.detail
    assert post(as_admin, f"/invoices/{invoice.id}/cancel").status_code == 302
    assert _reload(session, invoice.id).status == InvoiceStatus.CANCELLED


def test_paid_is_announced_once_when_a_correction_settles_the_invoice(ctx, customer):
    make_endpoint(ctx, "https://93.184.215.14/hooks", events="invoice.paid")
    invoice = make_invoice(ctx, customer, paid="1000.00")
    payment = _payment(ctx, invoice)

    def paid_events() -> int:
        return ctx.scalar(select(func.count(WebhookDelivery.id))) or 0

    values = PaymentValues(Decimal("1200.00"), payment.paid_on, "Bank", None)
    payments.change_payment(
        ctx, invoice, payments.correctable_payment(ctx, invoice, payment.id), values
    )
    assert invoice.status == InvoiceStatus.PAID and paid_events() == 1
    # Still paid after another correction: no second announcement.
    values = PaymentValues(Decimal("1200.00"), payment.paid_on, "Card", None)
    payments.change_payment(ctx, invoice, payment, values)
    assert paid_events() == 1


@pytest.mark.parametrize("action", ["edit", "delete"])
def test_a_reason_is_required(as_admin, session, customer, action):
    invoice = make_invoice(session, customer, paid="100.00")
    payment = _payment(session, invoice)
    for reason in ("", "  ", "ab", "x" * 501):
        if action == "edit":
            response = _edit(as_admin, invoice, payment.id, amount="150", reason=reason)
        else:
            response = _delete(as_admin, invoice, payment.id, reason=reason)
        assert response.status_code == 400
        html = response.get_data(as_text=True)
        assert "Say why" in html or "3 to 500 characters" in html
        assert re.search(r'<textarea[^>]*autofocus[^>]*name="\w+-reason"', html)
    assert _reload(session, invoice.id).amount_paid == Decimal("100.00")
    assert _payment(session, invoice).amount == Decimal("100.00")
    assert (
        session.scalar(select(func.count(AuditEvent.id)).where(AuditEvent.kind.like("payment_%")))
        == 0
    )


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"amount": "0"}, "at least 0.01"),
        ({"amount": "-5"}, "at least 0.01"),
        ({"amount": "abc"}, "Enter a number"),
        ({"amount": "12345678901"}, "at most"),
        ({"amount": "1200.01"}, "more than the balance of 1200.00"),
        ({"paid_on": "10000-01-01"}, "Paid on"),
        ({"paid_on": "1899-12-31"}, "The date must be"),
        ({"paid_on": ""}, "Enter the payment date."),
        ({"method": "m" * 51}, "longer than 50"),
        ({"amount": "100.00", "paid_on": "2026-03-01", "reference": ""}, "Nothing was changed."),
    ],
)
def test_bad_edits_write_nothing(as_admin, session, customer, fields, message):
    invoice = make_invoice(session, customer, paid="100.00")
    payment = _payment(session, invoice)
    response = _edit(as_admin, invoice, payment.id, **fields)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    stored = _payment(session, invoice)
    assert (stored.amount, stored.paid_on) == (Decimal("100.00"), dt.date(2026, 3, 1))
    assert _reload(session, invoice.id).amount_paid == Decimal("100.00")
    assert (
        session.scalar(select(func.count(AuditEvent.id)).where(AuditEvent.kind.like("payment_%")))
        == 0
    )


def test_a_cancelled_invoices_payments_cannot_be_changed(as_admin, session, customer):
    invoice = make_invoice(session, customer, paid="100.00", status=InvoiceStatus.CANCELLED)
    payment = _payment(session, invoice)
    page = as_admin.get(f"/invoices/{invoice.id}/payments/{payment.id}/edit")
    assert page.status_code == 200
    assert 'data-testid="payment-locked"' in page.get_data(as_text=True)
    for response in (
        _edit(as_admin, invoice, payment.id, amount="50"),
        _delete(as_admin, invoice, payment.id),
    ):
        assert response.status_code == 400
        assert "can no longer be changed" in response.get_data(as_text=True)
    assert _payment(session, invoice).amount == Decimal("100.00")
    assert _reload(session, invoice.id).status == InvoiceStatus.CANCELLED


def test_another_invoices_payment_is_a_missing_one(as_admin, session, customer):
    mine = make_invoice(session, customer, paid="100.00")
    theirs = make_invoice(session, make_client(session), paid="100.00")
    foreign = _payment(session, theirs)
    assert as_admin.get(f"/invoices/{mine.id}/payments/{foreign.id}/edit").status_code == 404
    assert _edit(as_admin, mine, foreign.id, amount="50").status_code == 404
    assert _delete(as_admin, mine, foreign.id).status_code == 404
    assert as_admin.get(f"/invoices/{mine.id}/payments/999999/edit").status_code == 404
    assert _payment(session, theirs).amount == Decimal("100.00")
    assert session.scalar(select(func.count(Payment.id))) == 2


def test_a_second_delete_is_a_harmless_404(as_admin, session, customer):
    invoice = make_invoice(session, customer, paid="100.00")
    payment_id = _payment(session, invoice).id
    assert _delete(as_admin, invoice, payment_id).status_code == 302
    again = _delete(as_admin, invoice, payment_id)
    assert again.status_code == 404
    assert len(_events(session, "payment_deleted")) == 1
    assert _reload(session, invoice.id).amount_paid == Decimal("0.00")


def test_only_administrators_correct_payments(app, session, customer):
    invoice = make_invoice(session, customer, paid="100.00")
    payment = _payment(session, invoice)
    staff = _browser(app, make_user(session).email)
    assert staff.get(f"/invoices/{invoice.id}/payments/{payment.id}/edit").status_code == 403
    assert _delete(staff, invoice, payment.id).status_code == 403
    assert _payment(session, invoice).amount == Decimal("100.00")


def test_the_operations_refuse_an_overpayment_and_a_draft(ctx, customer):
    invoice = make_invoice(ctx, customer, paid="100.00")
    payment = _payment(ctx, invoice)
    too_much = PaymentValues(Decimal("1200.01"), payment.paid_on, None, None)
    with pytest.raises(InvoiceError, match="more than the balance"):
        payments.change_payment(ctx, invoice, payment, too_much)
    draft = make_invoice(ctx, customer, status=InvoiceStatus.DRAFT, paid="1.00")
    with pytest.raises(InvoiceError, match="can no longer be changed"):
        payments.correctable_payment(ctx, draft, _payment(ctx, draft).id)


# "Partially paid", the same words for staff and client ------------------------------------------
BADGE = re.compile(r'<span class="badge[^"]*" data-state="[^"]*"[^>]*>[^<]*</span>')


@time_machine.travel(dt.datetime(2026, 4, 15, 12, tzinfo=dt.UTC), tick=False)
def test_partially_paid_reads_the_same_to_staff_and_client(app, session, customer):
    fresh = make_invoice(session, customer, issue_date=dt.date(2026, 4, 1), paid="200.00")
    late = make_invoice(session, customer, issue_date=dt.date(2026, 1, 1), paid="200.00")
    unpaid = make_invoice(session, customer, issue_date=dt.date(2026, 4, 1))
    staff = _browser(app, make_admin(session).email)
    portal = _browser(app, make_portal_user(session, customer).email)
    expected = {
        fresh.id: '<span class="badge text-bg-warning" data-state="not_yet_due"'
        ' data-partially-paid="true">Partially paid</span>',
        late.id: '<span class="badge text-bg-danger" data-state="overdue"'
        ' data-partially-paid="true">Overdue · partially paid</span>',
        unpaid.id: '<span class="badge text-bg-warning" data-state="not_yet_due">Unpaid</span>',
    }
    for invoice_id, badge in expected.items():
        staff_page = staff.get(f"/invoices/{invoice_id}").get_data(as_text=True)
        portal_page = portal.get(f"/client-portal/invoices/{invoice_id}").get_data(as_text=True)
        assert BADGE.findall(staff_page)[0] == badge
        assert BADGE.findall(portal_page)[0] == badge
    staff_list = BADGE.findall(staff.get("/invoices").get_data(as_text=True))
    portal_list = BADGE.findall(portal.get("/client-portal/invoices").get_data(as_text=True))
    assert sorted(staff_list) == sorted(portal_list) == sorted(expected.values())
    # A mark, not a filter: the unpaid tab still holds all three.
    unpaid_tab = staff.get("/invoices?status=unpaid").get_data(as_text=True)
    assert len(BADGE.findall(unpaid_tab)) == 3


def test_a_paid_invoice_owing_again_is_announced_as_reopened(ctx, customer):
    make_endpoint(ctx, "https://93.184.215.14/hooks", events="invoice.paid invoice.reopened")
    invoice = make_invoice(ctx, customer, status=InvoiceStatus.PAID, paid="1200.00")
    payment = _payment(ctx, invoice)

    def events() -> list[str]:
        return list(ctx.scalars(select(WebhookDelivery.event).order_by(WebhookDelivery.id)))

    less = PaymentValues(Decimal("1000.00"), payment.paid_on, "Bank", None)
    payments.change_payment(
        ctx, invoice, payments.correctable_payment(ctx, invoice, payment.id), less
    )
    assert invoice.status == InvoiceStatus.SENT and events() == ["invoice.reopened"]
    payments.change_payment(  # still owing: no second announcement
        ctx, invoice, payment, PaymentValues(Decimal("900.00"), payment.paid_on, "Bank", None)
    )
    assert events() == ["invoice.reopened"]
    full = PaymentValues(Decimal("1200.00"), payment.paid_on, "Bank", None)
    payments.change_payment(ctx, invoice, payment, full)
    assert events() == ["invoice.reopened", "invoice.paid"]
    payments.delete_payment(ctx, invoice, payments.correctable_payment(ctx, invoice, payment.id))
    assert events() == ["invoice.reopened", "invoice.paid", "invoice.reopened"]
