"""The client's statement of account in the portal: a page and its PDF.

URL table (under /client-portal, GET only, every one ``portal`` in ``URLS`` below):

    /statement       statement      ?date_from=&date_to= (default: this year up to today)
    /statement.pdf   statement_pdf  the same period as an A4 PDF,
                                    statement-<client>-<from>-<to>.pdf

Both read through the contact's scope (``g.portal``) and take no ids: the client is the
contact's own. The period is at most five years (``billing.statements.MAX_YEARS``), so a
statement is read whole, opening to closing balance, on one page. Amounts are invoice money:
shown whatever the client's visibility settings say about amounts of time.
"""

from __future__ import annotations

from flask import Blueprint, g, render_template, request
from flask.typing import ResponseReturnValue
from flask_login import current_user

from timetracker import audit
from timetracker.auth.access import Policy, UrlTable, register_urls
from timetracker.billing.statements import Statement, StatementError
from timetracker.documents.responses import pdf_response
from timetracker.documents.statement_pdf import render_statement_pdf, statement_filename
from timetracker.errors import render_error
from timetracker.extensions import limiter
from timetracker.portal import params
from timetracker.portal.downloads import PDF_LIMIT
from timetracker.portal.scope import PortalScope

bp = Blueprint("portal_statement", __name__, url_prefix="/client-portal")


@bp.errorhandler(params.ParamError)
def _bad_parameter(error: params.ParamError) -> ResponseReturnValue:
    return render_error(400, error.text)


def _scope() -> PortalScope:
    return g.portal


def _per_contact() -> str:
    return f"portal-statement:{current_user.id}"


def _statement(s: PortalScope) -> Statement:
    date_from, date_to = params.date_range(request.args, s.today)
    try:
        return s.statement(date_from, date_to)
    except StatementError as exc:
        raise params.ParamError(str(exc)) from None


def statement() -> ResponseReturnValue:
    s = _scope()
    return render_template("portal/statement.html", client=s.client, statement=_statement(s))


@limiter.limit(PDF_LIMIT, key_func=_per_contact)
def statement_pdf() -> ResponseReturnValue:
    s = _scope()
    result = _statement(s)
    span = f"{result.date_from.isoformat()}..{result.date_to.isoformat()}"
    audit.record(
        audit.Kind.STATEMENT_DOWNLOADED,
        client_id=s.client_id,
        detail=f"statement of account {span} (PDF)",
    )
    pdf = render_statement_pdf(result, s.client, s.today)
    return pdf_response(pdf, statement_filename(s.client, result.date_from, result.date_to))


URLS: UrlTable = [
    ("/statement", statement, ["GET"], Policy.PORTAL),
    ("/statement.pdf", statement_pdf, ["GET"], Policy.PORTAL),
]
register_urls(bp, URLS)
