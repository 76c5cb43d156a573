"""Admin → Audit: the trail with filters, pages and a CSV export. Read-only: nothing here
changes or deletes an event (the ORM refuses it too); old events go by the retention setting,
through ``timetracker audit purge`` (``audit/cli.py``, docs/audit.md).

/admin/audit      GET  trail      newest first; ?person=&client=&kind=&date_from=&date_to=,
                                  and ?before= or ?after= (a position: keyset pages)
/admin/audit.csv  GET  trail_csv  every event the same filters select, streamed

Both are for administrators. A filter that cannot be read answers 400 with what is allowed.
"""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, abort, current_app, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from timetracker import db, firm
from timetracker.audit.export import csv_chunks, filename
from timetracker.audit.forms import audit_filter_form
from timetracker.audit.queries import (
    BAD_CURSOR,
    Cursor,
    CursorError,
    oldest_event_at,
    trail_page,
    trail_rows,
)
from timetracker.auth.access import Policy, UrlTable, register_urls
from timetracker.documents.responses import csv_response

# The prefix is /admin, not /admin/audit: Flask joins a prefix and a rule with "/", which
# would put the export at /admin/audit/.csv.
bp = Blueprint("audit", __name__, url_prefix="/admin")

#: The query parameters that filter the trail (links to other pages and the CSV keep them).
FILTERS = ("person", "client", "kind", "date_from", "date_to")
#: Days a scheduled purge may lag behind the retention setting before the page says so.
PURGE_GRACE_DAYS = 2


def _cursor(name: str) -> Cursor | None:
    """The position named ``name`` (``before``/``after``); absent or empty: none."""
    text = (request.args.get(name) or "").strip()
    if not text:
        return None
    try:
        return Cursor.parse(text)
    except CursorError as error:
        abort(400, str(error))


def trail() -> ResponseReturnValue:
    form = audit_filter_form(db.session, request.args)
    before, after = _cursor("before"), _cursor("after")
    if before is not None and after is not None:
        abort(400, str(BAD_CURSOR))
    valid = form.validate()
    page = None
    if valid:
        size = int(current_app.config["PAGE_SIZE"])
        page = trail_page(db.session, form.filters(), size, before=before, after=after)
    args = {name: request.args[name] for name in FILTERS if request.args.get(name)}
    return render_template(
        "admin/audit/trail.html",
        form=form,
        page=page,
        args=args,
        retention_days=firm.get_settings().audit_retention_days,
        purge_overdue=_purge_overdue(),
    ), (200 if valid else 400)


def _purge_overdue() -> dt.datetime | None:
    """The oldest event's time when it is well past the retention period: the scheduled
    ``timetracker audit purge`` is not running (the page says so; it never purges itself)."""
    days = firm.get_settings().audit_retention_days
    if days <= 0:
        return None
    oldest = oldest_event_at(db.session)
    if oldest is None or oldest >= firm.now() - dt.timedelta(days=days + PURGE_GRACE_DAYS):
        return None
    return oldest


def trail_csv() -> ResponseReturnValue:
    form = audit_filter_form(db.session, request.args)
    if not form.validate():
        abort(400, _("The export filters are not valid. %(problems)s", problems=form.problems()))
    filters = form.filters()
    return csv_response(csv_chunks(trail_rows(db.session, filters)), filename(filters))


GET = ["GET"]
ADMIN = Policy.ADMIN

URLS: UrlTable = [
    ("/audit", trail, GET, ADMIN),
    ("/audit.csv", trail_csv, GET, ADMIN),
]

register_urls(bp, URLS)
