"""A client's statement of account for the firm's staff: the same PDF the client downloads from
its portal, for any client (active or not).

URL table:

    /clients/<id>/statement.pdf   client_statement_pdf   ?date_from=&date_to= (staff)

Dates as in the portal (the firm's date format, or ``YYYY-MM-DD``), by default this calendar
year up to today; a bad date, an end before the start or a period over five years answers 400
with the reason; an unknown client 404.
"""

from __future__ import annotations

from flask import Blueprint, request
from flask.typing import ResponseReturnValue

from timetracker import db, firm, i18n
from timetracker.auth.access import Policy, UrlTable, register_urls
from timetracker.billing import statements
from timetracker.billing.statements import StatementError
from timetracker.documents.responses import pdf_response
from timetracker.documents.statement_pdf import render_statement_pdf, statement_filename
from timetracker.errors import render_error
from timetracker.portal import params
from timetracker.workspace.clients import queries
from timetracker.workspace.common import found

bp = Blueprint("client_statement", __name__)


class _BadPeriod(ValueError):
    pass


@bp.errorhandler(_BadPeriod)
def _bad_period(error: _BadPeriod) -> ResponseReturnValue:
    return render_error(400, str(error))


def client_statement_pdf(client_id: int) -> ResponseReturnValue:
    client = found(queries.get_client(client_id))
    today = firm.today()
    try:
        date_from, date_to = params.date_range(request.args, today)
    except params.ParamError as exc:
        raise _BadPeriod(str(exc)) from None
    try:
        result = statements.statement_of(db.session, client.id, date_from, date_to)
    except StatementError as exc:
        raise _BadPeriod(str(exc)) from None
    # A client's document speaks the client's language, whoever downloads it.
    with i18n.speaking(i18n.document_language(client)):
        pdf = render_statement_pdf(result, client, today)
        filename = statement_filename(client, date_from, date_to)
    return pdf_response(pdf, filename)


URLS: UrlTable = [
    ("/clients/<int:client_id>/statement.pdf", client_statement_pdf, ["GET"], Policy.STAFF),
]
register_urls(bp, URLS)
