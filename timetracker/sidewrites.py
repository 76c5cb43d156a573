"""Writes a request makes on the side of what it answers: the audit event of a read (an invoice
viewed, a PDF downloaded), a session's last-seen time.

Inside a request they are written once the request's own transaction has ended, in a short
transaction of their own (and only when the request succeeded: below 400). Two reasons, both
SQLite's: a transaction that has read cannot start writing once another connection has
committed since its first read (the database answers "locked" at once, without waiting), and
the rate limits' counters are written by a connection of their own in the middle of a request.
A page that only reads keeps a transaction that only reads, whatever else runs meanwhile.

Outside a request (the CLI, tests calling domain code) the write joins the given session.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import partial

from flask import current_app, has_request_context
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

log = logging.getLogger(__name__)

Write = Callable[[Session], None]


def write_after_request(work: Write, session: Session) -> None:
    """Run ``work(session)`` in its own transaction after the request's commit; outside a
    request, now in ``session``."""
    if not has_request_context():
        work(session)
        return
    from timetracker import after_commit

    after_commit(partial(_in_own_transaction, work))


def _in_own_transaction(work: Write) -> None:
    try:
        with current_app.extensions["timetracker.sessionmaker"]() as own:
            work(own)
            own.commit()
    except SQLAlchemyError:
        # The answer has been computed already; a lost side write is logged, never an error page.
        log.warning("a write after the request failed", exc_info=True)
