"""What staff do with a quote beyond editing it: send it, print it, and turn an accepted one
into a project or a draft invoice (each at most once: a second request goes to the one already
made). Administrators only, except the PDF, which all staff may print."""

from __future__ import annotations

from flask import flash, redirect, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from timetracker import audit, db, firm
from timetracker.billing import quote_conversions as conversions
from timetracker.billing import quotes as rules
from timetracker.billing.quotes import QuoteError
from timetracker.documents.quote_pdf import quote_filename, render_quote_pdf
from timetracker.documents.responses import pdf_response
from timetracker.notifications.quotes import notify_quote_sent
from timetracker.workspace.common import found
from timetracker.workspace.quotes.queries import get_quote
from timetracker.workspace.quotes.views import detail_page


def quote_send(quote_id: int) -> ResponseReturnValue:
    quote = found(get_quote(quote_id))
    try:
        sent = rules.mark_sent(db.session, quote, firm.today())
    except QuoteError as exc:
        return detail_page(quote, problem=str(exc), status=400)
    if not sent:
        flash(
            _("Quote %(number)s had already been sent; nothing was changed.", number=quote.number),
            "info",
        )
        return _back(quote.id)
    audit.record(audit.Kind.QUOTE_SENT, client_id=quote.client_id, detail=quote.number)
    recipients = notify_quote_sent(quote)  # emailed once this request commits
    if recipients is None:
        flash(
            _(
                "Quote %(number)s is sent and can no longer be edited. Email is switched off on "
                "this server, so nobody was emailed: the client's contacts find it under Quotes "
                "in their portal.",
                number=quote.number,
            ),
            "warning",
        )
    elif not recipients:
        flash(
            _(
                "Quote %(number)s is sent and can no longer be edited. %(client)s has no active "
                "portal contacts, so nobody was emailed.",
                number=quote.number,
                client=quote.client.name,
            ),
            "warning",
        )
    else:
        names = ", ".join(r.email for r in recipients)
        flash(
            _(
                "Quote %(number)s is sent and can no longer be edited. A link to it is on its "
                "way to %(names)s.",
                number=quote.number,
                names=names,
            ),
            "success",
        )
    return _back(quote.id)


def quote_pdf(quote_id: int) -> ResponseReturnValue:
    quote = found(get_quote(quote_id))
    project_name = quote.project.name if quote.project is not None else None
    pdf = render_quote_pdf(quote, quote.client, project_name=project_name)
    return pdf_response(pdf, quote_filename(quote))


def quote_create_project(quote_id: int) -> ResponseReturnValue:
    quote = found(get_quote(quote_id))
    try:
        project, created = conversions.create_project(db.session, quote)
    except QuoteError as exc:
        return detail_page(quote, problem=str(exc), status=400)
    if created:
        audit.record(
            audit.Kind.QUOTE_CONVERTED,
            client_id=quote.client_id,
            detail=f"{quote.number}: project {project.name}",
        )
        flash(
            _(
                "Project %(project)s was created from quote %(number)s, with a budget of the "
                "quote's subtotal.",
                project=project.name,
                number=quote.number,
            ),
            "success",
        )
    else:
        flash(
            _("Quote %(number)s was already turned into this project.", number=quote.number),
            "info",
        )
    return redirect(url_for("workspace.project_detail", project_id=project.id))


def quote_create_invoice(quote_id: int) -> ResponseReturnValue:
    quote = found(get_quote(quote_id))
    try:
        invoice, created = conversions.create_invoice(db.session, quote)
    except QuoteError as exc:
        return detail_page(quote, problem=str(exc), status=400)
    if created:
        audit.record(
            audit.Kind.QUOTE_CONVERTED,
            client_id=quote.client_id,
            invoice_id=invoice.id,
            detail=f"{quote.number}: invoice {invoice.number}",
        )
        flash(
            _(
                "Draft invoice %(invoice)s was created with the lines of quote %(number)s.",
                invoice=invoice.number,
                number=quote.number,
            ),
            "success",
        )
    else:
        flash(
            _("Quote %(number)s was already turned into this invoice.", number=quote.number),
            "info",
        )
    return redirect(url_for("workspace.invoice_detail", invoice_id=invoice.id))


def _back(quote_id: int) -> ResponseReturnValue:
    return redirect(url_for("workspace.quote_detail", quote_id=quote_id))
