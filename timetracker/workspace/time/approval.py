"""Approval of time entries in bulk: the publish gate of the client portal.

Administrators tick entries on the staff time list and approve them; for a client whose time
waits for approval (``Client.time_requires_approval``) the approved entries then appear in its
portal (``billing/publication.py``). Approving an entry twice, or one that is still running, is
harmless: it is left as it is.
"""

from __future__ import annotations

from collections import defaultdict

from flask import abort, flash, redirect, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import select

from timetracker import audit, db, firm, parsing
from timetracker.auth.access import Policy, UrlTable
from timetracker.billing.publication import approve
from timetracker.models import TimeEntry
from timetracker.workspace.common import safe_next

#: The most entries one request approves (a page of the list holds fewer).
MAX_APPROVED = 500


def entry_ids(values: list[str]) -> list[int]:
    """The ids the form names; 400 for a value that is not an id, for none, or for too many."""
    if not values:
        abort(400, description=_("Tick the entries to approve."))
    if len(values) > MAX_APPROVED:
        abort(
            400, description=_("Approve at most %(count)s entries at a time.", count=MAX_APPROVED)
        )
    ids = [parsing.parse_id(value) for value in values]
    if None in ids:
        abort(400, description=_("An entry id is not a number."))
    return [i for i in ids if i is not None]


def time_approve() -> ResponseReturnValue:
    ids = entry_ids(request.form.getlist("entry_ids"))
    approved = approve(db.session, ids, current_user, firm.now())
    per_client: dict[int, list[int]] = defaultdict(list)
    rows = db.session.execute(
        select(TimeEntry.client_id, TimeEntry.id).where(TimeEntry.id.in_(approved))
    )
    for client_id, entry_id in rows:
        per_client[client_id].append(entry_id)
    for client_id, ids_of_client in sorted(per_client.items()):
        audit.record(
            audit.Kind.TIME_APPROVED,
            client_id=client_id,
            detail=f"{len(ids_of_client)} entries: " + ", ".join(map(str, ids_of_client)),
        )
    if approved:
        count = len(approved)
        flash(
            ngettext("Approved %(num)d time entry.", "Approved %(num)d time entries.", count),
            "success",
        )
    else:
        flash(_("Nothing to approve: those entries were approved already or are running."), "info")
    return redirect(safe_next("workspace.time_entries"))


URLS: UrlTable = [
    ("/time/approve", time_approve, ["POST"], Policy.ADMIN),
]
