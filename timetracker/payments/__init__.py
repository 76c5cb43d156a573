"""Paying an invoice: how the client is told to pay, and what it tells the firm it has paid.

* :mod:`.methods`        the interface: :class:`~.methods.PaymentMethod` gives
                         :class:`~.methods.PaymentInstructions` for an invoice (or ``None``);
                         :func:`~.methods.instructions_for` asks every method the firm has set up
* :mod:`.bank_transfer`  the firm's bank account from the settings, and the EPC QR code
* :mod:`.epc`            the EPC QR code ("GiroCode", EPC069-12 version 002): payload and images
* :mod:`.accounts`       IBAN and BIC as people type them, checked with schwifty
* :mod:`.notices`        "Payment sent" notices: recorded once per form, audited, shown to staff,
                         never a payment
* :mod:`.forms`          the portal's "Payment sent" form
* :mod:`.demo`           the demo firm's bank details

The amount due is always ``billing.states.open_balance``: nothing here computes money. The
payment reference is the invoice number. The portal's routes are in
``timetracker/portal/payments.py``; the PDF (``documents/pdf.py``) and the portal page draw the
same :class:`~.methods.PaymentInstructions`.

Adding a card provider (none can be reached from the build machines, so none is built):

1. A class with ``key`` and ``instructions(invoice)`` in a module of its own here, returning
   instructions whose details say how to pay by card (and ``None`` when nothing is owed or the
   provider is not configured); add it to :func:`~.methods.available_methods`, configured from
   the environment (``config.py``: the provider's secret key never goes in the database).
2. A portal route (in ``portal/payments.py``, ``Policy.PORTAL``, a CSRF-protected POST found
   through the portal scope like "Payment sent") that creates the provider's checkout session
   for ``states.open_balance(invoice)`` and redirects to it; its return page only shows a
   message.
3. A public webhook route that checks the provider's signature and records the money with
   ``billing.payments.record_payment`` (idempotent by the provider's event id), audited. Only
   the webhook changes the balance; a redirect back from the provider never does.
"""

from timetracker.payments.methods import (
    Detail,
    PaymentInstructions,
    PaymentMethod,
    PaymentQr,
    available_methods,
    instructions_for,
    payment_qr,
    payment_reference,
)
from timetracker.payments.notices import notices_for

__all__ = [
    "Detail",
    "PaymentInstructions",
    "PaymentMethod",
    "PaymentQr",
    "available_methods",
    "instructions_for",
    "notices_for",
    "payment_qr",
    "payment_reference",
]
