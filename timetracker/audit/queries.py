"""Reads of the audit trail: the filtered trail a page at a time (keyset pages on
``(at, id)``), the same rows streamed for the CSV, the portal views of an invoice, and the age
of the oldest event.

The trail grows without bound, so a page never counts it and never skips rows with OFFSET: it
asks for the rows just older (or newer) than the last one shown, which the index
``ix_audit_events_at_id`` answers in the same time on the first page and the millionth.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, String, cast, func, literal, or_, select, tuple_
from sqlalchemy.orm import Session

from timetracker import firm
from timetracker.audit import Kind, label
from timetracker.billing import periods
from timetracker.i18n import _l
from timetracker.models import AuditEvent, Client, Invoice
from timetracker.parsing import parse_id, parse_whole

#: Rows fetched per round trip of the CSV export (a server-side cursor on PostgreSQL).
CHUNK_SIZE = 2000

_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_MAX_MICROS = (dt.datetime(9999, 12, 31, tzinfo=dt.UTC) - _EPOCH) // dt.timedelta(microseconds=1)
_CURSOR = re.compile(r"([0-9]{1,18})-([0-9]{1,10})")

BAD_CURSOR = _l(
    "This page link is not valid (it may have been cut short). Start again from the newest events."
)


class CursorError(ValueError):
    """A page link whose position cannot be read."""


@dataclass(frozen=True)
class Cursor:
    """A position in the trail: the time and id of an event (its place in the order)."""

    at: dt.datetime
    id: int

    def __str__(self) -> str:
        micros = (self.at - _EPOCH) // dt.timedelta(microseconds=1)
        return f"{micros}-{self.id}"

    @classmethod
    def parse(cls, text: str) -> Cursor:
        """Read a cursor written by ``str()``; :class:`CursorError` otherwise."""
        match = _CURSOR.fullmatch(text.strip())
        if match is None:
            raise CursorError(str(BAD_CURSOR))
        micros = parse_whole(match.group(1), 0, _MAX_MICROS)
        event_id = parse_id(match.group(2))
        if micros is None or event_id is None:
            raise CursorError(str(BAD_CURSOR))
        return cls(_EPOCH + dt.timedelta(microseconds=micros), event_id)

    @classmethod
    def of(cls, row: TrailRow) -> Cursor:
        return cls(row.at, row.id)

    def position(self) -> Any:
        """The cursor as a row value to compare ``(at, id)`` with (typed like the columns)."""
        return tuple_(literal(self.at, AuditEvent.__table__.c.at.type), literal(self.id))


@dataclass(frozen=True)
class TrailFilter:
    """What the trail page and its CSV show. Dates are inclusive days in the firm's timezone."""

    person_id: int | None = None
    client_id: int | None = None
    kind: str | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None

    def conditions(self) -> list[ColumnElement[bool]]:
        conditions: list[ColumnElement[bool]] = []
        if self.person_id is not None:
            conditions.append(
                or_(AuditEvent.actor_id == self.person_id, AuditEvent.subject_id == self.person_id)
            )
        if self.client_id is not None:
            conditions.append(AuditEvent.client_id == self.client_id)
        if self.kind:
            conditions.append(AuditEvent.kind == self.kind)
        start, end = periods.day_bounds(self.date_from, self.date_to)
        if start is not None:
            conditions.append(AuditEvent.at >= start)
        if end is not None:
            conditions.append(AuditEvent.at < end)
        return conditions


@dataclass(frozen=True)
class TrailRow:
    """One event as the page and the CSV show it."""

    id: int
    at: dt.datetime
    kind: str
    actor_name: str | None
    actor_email: str | None
    subject_email: str | None
    client_id: int | None
    client_name: str | None
    invoice_id: int | None
    invoice_number: str | None
    ip_address: str | None
    user_agent: str | None
    detail: str | None

    @property
    def label(self) -> str:
        return label(self.kind)


@dataclass(frozen=True)
class TrailPage:
    """One page of the trail, newest first, with the positions of its neighbours: ``newer``
    links the page before it, ``older`` the page after it (``None``: there is none)."""

    rows: Sequence[TrailRow]
    newer: Cursor | None
    older: Cursor | None
    #: Whether the page was asked for by a position (not the newest page).
    moved: bool = False


def _rows_statement(filters: TrailFilter) -> Select[Any]:
    return (
        select(
            AuditEvent.id,
            AuditEvent.at,
            AuditEvent.kind,
            AuditEvent.actor_name,
            AuditEvent.actor_email,
            AuditEvent.subject_email,
            AuditEvent.client_id,
            Client.name.label("client_name"),
            AuditEvent.invoice_id,
            Invoice.number.label("invoice_number"),
            AuditEvent.ip_address,
            AuditEvent.user_agent,
            AuditEvent.detail,
        )
        .outerjoin(Client, Client.id == AuditEvent.client_id)
        .outerjoin(Invoice, Invoice.id == AuditEvent.invoice_id)
        .where(*filters.conditions())
    )


def _trail_row(row: Any) -> TrailRow:
    return TrailRow(**row._asdict())


def trail_page(
    session: Session,
    filters: TrailFilter,
    size: int,
    *,
    before: Cursor | None = None,
    after: Cursor | None = None,
) -> TrailPage:
    """The ``size`` newest events matching ``filters``; with ``before``, those just older than
    it; with ``after``, those just newer (shown newest first all the same). One query: a row
    more than the page tells whether there is a page beyond it."""
    if before is not None and after is not None:
        raise ValueError("give before or after, not both")
    position = tuple_(AuditEvent.at, AuditEvent.id)
    stmt = _rows_statement(filters)
    if after is not None:
        stmt = stmt.where(position > after.position()).order_by(
            AuditEvent.at.asc(), AuditEvent.id.asc()
        )
    else:
        if before is not None:
            stmt = stmt.where(position < before.position())
        stmt = stmt.order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
    rows = [_trail_row(row) for row in session.execute(stmt.limit(size + 1))]
    beyond = len(rows) > size
    rows = rows[:size]
    if after is not None:
        rows.reverse()
        # The event at ``after`` was on the page this one came from: older events exist.
        newer = Cursor.of(rows[0]) if beyond else None
        older = Cursor.of(rows[-1]) if rows else None
    else:
        newer = Cursor.of(rows[0]) if before is not None and rows else None
        older = Cursor.of(rows[-1]) if beyond else None
    return TrailPage(rows, newer, older, moved=before is not None or after is not None)


def trail_rows(
    session: Session, filters: TrailFilter, chunk_size: int = CHUNK_SIZE
) -> Iterator[TrailRow]:
    """Every event matching ``filters``, newest first, fetched in chunks (for the CSV)."""
    stmt = (
        _rows_statement(filters)
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .execution_options(yield_per=chunk_size)
    )
    for row in session.execute(stmt):
        yield _trail_row(row)


def oldest_event_at(session: Session) -> dt.datetime | None:
    """When the oldest event kept happened (the first entry of the ``(at, id)`` index)."""
    return session.scalar(select(func.min(AuditEvent.at)))


@dataclass(frozen=True)
class InvoiceView:
    """A client contact's latest portal view of an invoice."""

    name: str | None
    email: str | None
    at: dt.datetime

    @property
    def local_day(self) -> dt.date:
        """The day of the view in the firm's timezone."""
        return firm.local(self.at).date()


def invoice_viewers(session: Session, invoice_id: int) -> list[InvoiceView]:
    """Who viewed the invoice in the portal, each person once (their latest view), newest
    first; one query. A person is their account, or the email recorded once the account is
    gone; the name is the one they had at that view."""
    person = func.coalesce(cast(AuditEvent.actor_id, String), AuditEvent.actor_email)
    latest = (
        select(
            AuditEvent.actor_name,
            AuditEvent.actor_email,
            AuditEvent.at,
            AuditEvent.id,
            func.row_number()
            .over(partition_by=person, order_by=(AuditEvent.at.desc(), AuditEvent.id.desc()))
            .label("rank"),
        )
        .where(AuditEvent.invoice_id == invoice_id, AuditEvent.kind == Kind.INVOICE_VIEWED)
        .subquery()
    )
    rows = session.execute(
        select(latest.c.actor_name, latest.c.actor_email, latest.c.at)
        .where(latest.c.rank == 1)
        .order_by(latest.c.at.desc(), latest.c.id.desc())
    )
    return [InvoiceView(name, email, at) for name, email, at in rows]
