"""Paying an invoice in the portal: the EPC QR code, and "Payment sent".

Every route finds the invoice through the contact's scope (``g.portal``): another client's
invoice, a draft and a missing id are the same 404. "Payment sent" is the portal's declared
action: a CSRF-protected POST, rate-limited per contact, recorded once per form (a submission
key in the form, see ``payments.notices``), audited, and never a payment (the balance does not
change).

URL table (under /client-portal, every one of them ``portal`` in ``URLS`` below):

    /invoices/<id>/payment-qr.svg  GET        invoice_qr    the EPC QR code of the open balance
                                                            (404 when there is none: not euros,
                                                            nothing owed, no IBAN set)
    /invoices/<id>/payment-sent    GET, POST  payment_sent  the form on a page of its own; the
                                                            POST records the notice and returns
                                                            to the invoice

The invoice page (``portal/invoice_detail.html``) draws its "How to pay" card from
:func:`portal_payment`, a template global.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from decimal import Decimal

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.exceptions import NotFound

from timetracker import firm
from timetracker.auth.access import Policy, UrlTable, register_urls
from timetracker.auth.sessions import cookie_user_id
from timetracker.billing import states
from timetracker.extensions import limiter
from timetracker.formatting import long_date
from timetracker.models import Invoice, PaymentNotice
from timetracker.payments import notices
from timetracker.payments.forms import PaymentNoticeForm
from timetracker.payments.methods import (
    PaymentInstructions,
    instructions_for,
    payment_qr,
    payment_reference,
)
from timetracker.portal.routes import scope

bp = Blueprint("portal_payments", __name__, url_prefix="/client-portal")

#: Enough for a contact who reports every invoice of a year in one sitting; counted per contact
#: in the shared rate-limit storage (SECURITY.md), so it holds across workers and servers.
NOTICE_LIMIT = "20 per hour"


def _per_contact() -> str:
    return f"portal-payment-notice:{cookie_user_id()}"


# Counted in the app's ``before_request`` (a blueprint limit), before the access check loads the
# user: the database storage of the limits writes on a connection of its own, and on SQLite a
# transaction that had read before that write could not write afterwards ("database is locked").
# A request without a signed-in user is not counted: the access check sends it to the login.
limiter.limit(
    NOTICE_LIMIT,
    key_func=_per_contact,
    methods=["POST"],
    exempt_when=lambda: cookie_user_id() is None,
)(bp)


#: Where the browser session keeps the seed of its forms' submission keys.
SEED = "payment_notice_seed"


def _blank_form(invoice: Invoice, generation: int) -> PaymentNoticeForm:
    """The form for ``invoice`` with ``generation`` notices recorded: the same key on every
    page until a notice is recorded (notices.submission_key)."""
    seed = session.get(SEED)
    if not isinstance(seed, str) or len(seed) != 32:
        seed = session[SEED] = notices.new_seed()
    key = notices.submission_key(seed, invoice.id, generation)
    return PaymentNoticeForm.blank(invoice, scope().today, key)


@dataclass(frozen=True)
class Told:
    """A notice, with the day (in the firm's timezone) the contact sent it."""

    notice: PaymentNotice
    on: dt.date


@dataclass(frozen=True)
class PortalPayment:
    """What the invoice page's "How to pay" card shows."""

    instructions: list[PaymentInstructions]
    #: The open balance (zero for a paid or cancelled invoice).
    amount_due: Decimal
    reference: str
    #: Where the QR code's SVG is, when the invoice has one.
    qr_url: str | None
    notices: list[Told]
    #: The "Payment sent" form, while something is owed.
    form: PaymentNoticeForm | None


@bp.app_template_global("portal_payment")
def portal_payment(invoice: Invoice) -> PortalPayment:
    """The card of an invoice the portal page found through the contact's scope."""
    s = scope()
    if invoice.client_id != s.client_id:  # only ever called with a scoped invoice
        raise NotFound()
    instructions = instructions_for(invoice)
    has_qr = any(i.qr is not None for i in instructions)
    told = notices.notices_for(s.session, invoice.id)
    owed = notices.may_send_notice(invoice)
    return PortalPayment(
        instructions=instructions,
        amount_due=states.open_balance(invoice),
        reference=payment_reference(invoice),
        qr_url=url_for("portal_payments.invoice_qr", invoice_id=invoice.id) if has_qr else None,
        notices=[Told(n, firm.local(n.created_at).date()) for n in told],
        form=_blank_form(invoice, len(told)) if owed else None,
    )


def invoice_qr(invoice_id: int) -> ResponseReturnValue:
    """The QR code of today's open balance: private, and revalidated on every view (it changes
    with each payment staff record)."""
    invoice = scope().invoice(invoice_id)
    qr = payment_qr(invoice)
    if qr is None:
        abort(404)
    response = Response(qr.svg(), mimetype="image/svg+xml")
    response.set_etag(hashlib.sha256(qr.payload).hexdigest())
    response.cache_control.private = True
    response.cache_control.no_cache = True
    return response.make_conditional(request)


def _form_page(
    invoice: Invoice, form: PaymentNoticeForm, *, problem: str | None = None, status: int = 200
) -> ResponseReturnValue:
    return render_template(
        "portal/payments/payment_sent.html",
        client=scope().client,
        invoice=invoice,
        form=form,
        problem=problem,
        owed=notices.may_send_notice(invoice),
        reference=payment_reference(invoice),
    ), status


def payment_sent(invoice_id: int) -> ResponseReturnValue:
    s = scope()
    invoice = s.invoice(invoice_id)
    if request.method == "GET":
        told = notices.notices_for(s.session, invoice.id)
        return _form_page(invoice, _blank_form(invoice, len(told)))
    form = PaymentNoticeForm(invoice=invoice, today=s.today)
    key = form.submission_key.data
    earlier = notices.sent_before(s.session, invoice, key)
    if earlier is not None:  # the same form again: it was recorded the first time
        return _thanks(invoice, earlier)
    if not notices.may_send_notice(invoice):
        return _form_page(invoice, form, problem=_(notices.NOTHING_OWED), status=400)
    if not form.validate_on_submit():
        return _form_page(invoice, form, status=400)
    try:
        recorded = notices.record_notice(
            s.session,
            invoice,
            current_user._get_current_object(),
            paid_on=form.paid_on.data,
            reference=form.reference.data or None,
            submission_key=str(key),
            ip_address=request.remote_addr,
        )
    except notices.NoticeRefused as refused:
        return _form_page(invoice, form, problem=str(refused), status=400)
    return _thanks(invoice, recorded.notice)


def _thanks(invoice: Invoice, notice: PaymentNotice) -> ResponseReturnValue:
    flash(
        _(
            "Thank you. We have noted that you sent the payment on %(date)s. "
            "The invoice shows as paid once the money has arrived.",
            date=long_date(notice.paid_on),
        ),
        "success",
    )
    return redirect(url_for("portal.invoice_detail", invoice_id=invoice.id), 303)


GET, FORM = ["GET"], ["GET", "POST"]
PORTAL = Policy.PORTAL

URLS: UrlTable = [
    ("/invoices/<int:invoice_id>/payment-qr.svg", invoice_qr, GET, PORTAL),
    ("/invoices/<int:invoice_id>/payment-sent", payment_sent, FORM, PORTAL),
]
register_urls(bp, URLS)
