"""The client's quotes in the portal: the list, one quote with its PDF, and the client's answer.

Every read and write goes through the contact's :class:`~timetracker.portal.scope.PortalScope`
(``g.portal``): drafts and other clients' quotes are answered exactly like a missing id (404).
Accepting and declining are the portal's deliberate writes: POST with a CSRF token,
rate-limited per contact, audited, and idempotent. The answer is one conditional UPDATE
(``WHERE status = 'sent' AND valid_until >= today``, see ``billing/quotes.py``): a second
submission, or another contact's late answer, changes nothing and is redirected (303) to the
quote, which shows the answer that stands and says that nothing was changed. A redirect rather
than a 409: the second of two clicks is the response the browser shows, and it should show the
quote as accepted, not an error page, when the first click did accept it.

URL table (all under /client-portal, every one ``portal`` in ``URLS`` below):

    /quotes                  quotes         ?status=open|accepted|declined|expired|all&page=
    /quotes/<id>             quote_detail   lines, totals, validity, terms, state, answer forms
    /quotes/<id>/pdf         quote_pdf      the quote as a PDF, quote-<number>.pdf
    /quotes/<id>/accept      quote_accept   POST: full name typed as a signature + terms ticked
    /quotes/<id>/decline     quote_decline  POST: a reason
"""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms import BooleanField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, ValidationError

from timetracker import audit, firm
from timetracker.auth.access import Policy, UrlTable, register_urls
from timetracker.billing import quotes as rules
from timetracker.billing.quotes import Answerer, QuoteError, QuoteFilter, QuoteState
from timetracker.documents.quote_pdf import quote_filename, render_quote_pdf
from timetracker.documents.responses import pdf_response
from timetracker.errors import render_error
from timetracker.extensions import limiter
from timetracker.formatting import long_date
from timetracker.i18n import _l
from timetracker.models import Quote
from timetracker.notifications.quotes import notify_quote_answered
from timetracker.portal import params
from timetracker.portal.downloads import PDF_LIMIT
from timetracker.portal.scope import PortalScope

bp = Blueprint("portal_quotes", __name__, url_prefix="/client-portal")

#: The quote filters a client may choose, in the order of the tabs.
QUOTE_FILTERS = tuple(f.value for f in rules.PORTAL_FILTERS)
#: Answers a contact may submit (accepting and declining together): a person answers a quote
#: or two; more is a script. Counted per contact in the shared rate-limit storage.
ANSWER_LIMIT = "10 per minute;50 per day"


@bp.errorhandler(params.ParamError)
def _bad_parameter(error: params.ParamError) -> ResponseReturnValue:
    return render_error(400, error.text)


def scope() -> PortalScope:
    return g.portal


def _per_contact() -> str:
    return f"portal-quote:{current_user.id}"


def _after_the_request(_response: Response) -> bool:
    """Count every answer once it is answered (Flask-Limiter then checks the limit before the
    view and adds to the counter after it, past the request's commit). An answer writes in the
    request's own transaction, after reading the quote: with the database storage on SQLite, a
    counter written by another connection between that read and that write would make the
    write fail ("database is locked": a WAL snapshot cannot be upgraded), see
    ``timetracker/sidewrites.py``. The price: requests that arrive at the very same moment are
    all let through before any of them is counted; the conditional UPDATE keeps them from
    answering twice all the same. (Reads, like the PDF, write their audit event after the
    request, so their limit is counted before the view as usual.)"""
    return True


# Forms ----------------------------------------------------------------------------------------
class AcceptForm(FlaskForm):
    full_name = StringField(
        _l("Your full name"), [DataRequired(_l("Type your full name to accept the quote."))]
    )
    accept_terms = BooleanField(
        _l("I accept this quote and its terms"),
        [DataRequired(_l("Tick the box to accept the quote and its terms."))],
    )
    submit = SubmitField(_l("Accept quote"))

    def validate_full_name(self, field: StringField) -> None:
        try:
            field.data = rules.normalise_signature(field.data or "")
        except QuoteError as exc:
            raise ValidationError(str(exc)) from None


class DeclineForm(FlaskForm):
    reason = TextAreaField(
        _l("Why do you decline?"), [DataRequired(_l("Tell us why you decline the quote."))]
    )
    submit = SubmitField(_l("Decline quote"))

    def validate_reason(self, field: TextAreaField) -> None:
        try:
            field.data = rules.normalise_reason(field.data or "")
        except QuoteError as exc:
            raise ValidationError(str(exc)) from None


def quote_filter(args: MultiDict[str, str]) -> QuoteFilter:
    values = args.getlist("status")
    if len(values) > 1:
        raise params.ParamError(
            params.N_("The parameter '%(name)s' was given more than once; give it once."),
            name="status",
        )
    value = values[0].strip() if values else ""
    if not value:
        return rules.PORTAL_DEFAULT
    if value not in QUOTE_FILTERS:
        raise params.ParamError(
            params.N_("Unknown quote status filter. Allowed values: %(values)s."),
            values=", ".join(QUOTE_FILTERS),
        )
    return QuoteFilter(value)


# Views ----------------------------------------------------------------------------------------
def quotes() -> ResponseReturnValue:
    which = quote_filter(request.args)
    page_request = params.page_request(request.args, int(current_app.config["PAGE_SIZE"]))
    s = scope()
    return render_template(
        "portal/quotes.html",
        client=s.client,
        status=which,
        filters=rules.PORTAL_FILTERS,
        counts=s.quote_filter_counts(),
        page=s.quote_page(which, page_request),
        scope=s,
    )


def quote_detail(quote_id: int) -> ResponseReturnValue:
    s = scope()
    quote = s.quote(quote_id)
    audit.record(audit.Kind.QUOTE_VIEWED, client_id=s.client_id, detail=quote.number)
    return _detail(s, quote)


@limiter.limit(PDF_LIMIT, key_func=_per_contact)
def quote_pdf(quote_id: int) -> ResponseReturnValue:
    s = scope()
    quote = s.quote(quote_id)
    audit.record(audit.Kind.QUOTE_VIEWED, client_id=s.client_id, detail=f"{quote.number} (PDF)")
    pdf = render_quote_pdf(quote, s.client, project_name=s.quote_project_name(quote), today=s.today)
    return pdf_response(pdf, quote_filename(quote))


_answer_limit = limiter.shared_limit(
    ANSWER_LIMIT,
    scope="portal-quote-answer",
    key_func=_per_contact,
    deduct_when=_after_the_request,
)


@_answer_limit
def quote_accept(quote_id: int) -> ResponseReturnValue:
    s = scope()
    quote = s.quote(quote_id)
    if not rules.can_be_answered(quote, s.today):
        return _not_answerable(s, quote)
    form = AcceptForm(prefix="accept")
    if not form.validate_on_submit():
        return _detail(s, quote, accept_form=form, status=400)
    if not s.accept_quote(quote, _answerer(), form.full_name.data or ""):
        return _not_answerable(s, quote)
    audit.record(audit.Kind.QUOTE_ACCEPTED, client_id=s.client_id, detail=quote.number)
    notify_quote_answered(quote)
    flash(
        _(
            "You accepted quote %(number)s. Thank you: %(firm)s has been told and will be in "
            "touch.",
            number=quote.number,
            firm=firm.get_settings().company_name,
        ),
        "success",
    )
    return _to_quote(quote)


@_answer_limit
def quote_decline(quote_id: int) -> ResponseReturnValue:
    s = scope()
    quote = s.quote(quote_id)
    if not rules.can_be_answered(quote, s.today):
        return _not_answerable(s, quote)
    form = DeclineForm(prefix="decline")
    if not form.validate_on_submit():
        return _detail(s, quote, decline_form=form, status=400)
    if not s.decline_quote(quote, _answerer(), form.reason.data or ""):
        return _not_answerable(s, quote)
    audit.record(audit.Kind.QUOTE_DECLINED, client_id=s.client_id, detail=quote.number)
    notify_quote_answered(quote)
    flash(
        _(
            "You declined quote %(number)s. %(firm)s has been told your reason.",
            number=quote.number,
            firm=firm.get_settings().company_name,
        ),
        "info",
    )
    return _to_quote(quote)


# Helpers --------------------------------------------------------------------------------------
def _detail(
    s: PortalScope,
    quote: Quote,
    *,
    accept_form: AcceptForm | None = None,
    decline_form: DeclineForm | None = None,
    status: int = 200,
) -> tuple[str, int]:
    state = s.quote_state(quote)
    return render_template(
        "portal/quote_detail.html",
        client=s.client,
        quote=quote,
        state=state,
        project_name=s.quote_project_name(quote),
        answered_by=s.quote_answered_by(quote),
        accept_form=accept_form or AcceptForm(prefix="accept", formdata=None),
        decline_form=decline_form or DeclineForm(prefix="decline", formdata=None),
    ), status


def _answerer() -> Answerer:
    return Answerer(
        user=current_user._get_current_object(),
        ip_address=request.remote_addr,
        user_agent=request.user_agent.string,
    )


def _to_quote(quote: Quote) -> ResponseReturnValue:
    return redirect(url_for("portal_quotes.quote_detail", quote_id=quote.id), 303)


def _not_answerable(s: PortalScope, quote: Quote) -> ResponseReturnValue:
    """An answer to a quote that is no longer open changes nothing: back to the quote, which
    shows the answer that stands, with a message saying so."""
    state = s.quote_state(quote)
    number = quote.number
    if state is QuoteState.EXPIRED:
        message = _(
            "Quote %(number)s expired on %(date)s and can no longer be accepted or declined. "
            "Ask %(firm)s for a new quote.",
            number=number,
            date=long_date(quote.valid_until),
            firm=firm.get_settings().company_name,
        )
    else:
        when = long_date(firm.local(quote.answered_at).date()) if quote.answered_at else ""
        if state is QuoteState.ACCEPTED and when:
            message = _(
                "Quote %(number)s was already accepted on %(date)s; nothing was changed.",
                number=number,
                date=when,
            )
        elif state is QuoteState.ACCEPTED:
            message = _(
                "Quote %(number)s was already accepted; nothing was changed.", number=number
            )
        elif state is QuoteState.DECLINED and when:
            message = _(
                "Quote %(number)s was already declined on %(date)s; nothing was changed.",
                number=number,
                date=when,
            )
        elif state is QuoteState.DECLINED:
            message = _(
                "Quote %(number)s was already declined; nothing was changed.", number=number
            )
        else:
            message = _(
                "Quote %(number)s can no longer be answered; nothing was changed.", number=number
            )
    flash(message, "warning")
    return _to_quote(quote)


GET, POST = ["GET"], ["POST"]
PORTAL = Policy.PORTAL

URLS: UrlTable = [
    ("/quotes", quotes, GET, PORTAL),
    ("/quotes/<int:quote_id>", quote_detail, GET, PORTAL),
    ("/quotes/<int:quote_id>/pdf", quote_pdf, GET, PORTAL),
    ("/quotes/<int:quote_id>/accept", quote_accept, POST, PORTAL),
    ("/quotes/<int:quote_id>/decline", quote_decline, POST, PORTAL),
]
register_urls(bp, URLS)
