"""The publish gate: which completed time a client's contacts see, and approving it.

A client may ask for its time to be reviewed before its contacts see it
(``Client.time_requires_approval``). Then an entry is *published* once

* staff approved it (``TimeEntry.approved_at``), or
* it is on an invoice line (billing it is the firm's decision to show it), or
* it ended ``Client.publish_after_days`` days ago or more, when the client has such a delay.

An approval vouches for what the entry said when it was given: changing the entry's project,
times, notes or billable flag withdraws it (:func:`withdraw_if_changed`), so the change waits for
approval again.

Without the gate every completed entry is published. The portal's scope applies
:meth:`Gate.shown` to every query of entries (pages, CSV, PDF, API, charts) and subtracts
:meth:`Gate.hidden` from the figures it reads from the monthly totals, so each figure counts the
same entries the lists show. Staff pages never apply it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, not_, select
from sqlalchemy.orm import Session

from timetracker.models import Client, TimeEntry, User

#: The longest delay a client may have (days).
MAX_PUBLISH_AFTER_DAYS = 365


@dataclass(frozen=True)
class Gate:
    """One client's gate at one moment."""

    requires_approval: bool
    after_days: int | None
    now: dt.datetime

    @classmethod
    def of(cls, client: Client, now: dt.datetime) -> Gate:
        return cls(client.time_requires_approval, client.publish_after_days, now)

    @property
    def closes(self) -> bool:
        """Whether the gate can hide anything at all."""
        return self.requires_approval

    @property
    def cutoff(self) -> dt.datetime | None:
        """Entries that ended at or before this moment are published by the delay."""
        if self.after_days is None:
            return None
        return self.now - dt.timedelta(days=self.after_days)

    def hidden(self) -> ColumnElement[bool] | None:
        """The entries the gate hides (``None`` when it hides none), as a SQL condition over
        ``TimeEntry``. Only completed entries ever reach the portal; callers say so too."""
        if not self.closes:
            return None
        waiting = and_(TimeEntry.approved_at.is_(None), TimeEntry.invoice_item_id.is_(None))
        cutoff = self.cutoff
        if cutoff is not None:
            waiting = and_(waiting, TimeEntry.end_time > cutoff)
        return waiting

    def shown(self) -> ColumnElement[bool] | None:
        """The entries the gate lets through (``None``: all of them)."""
        hidden = self.hidden()
        return None if hidden is None else not_(hidden)

    def is_shown(self, entry: TimeEntry) -> bool:
        """The Python twin of :meth:`shown`."""
        if not self.closes or entry.approved_at is not None or entry.invoice_item_id is not None:
            return True
        cutoff = self.cutoff
        return cutoff is not None and entry.end_time is not None and entry.end_time <= cutoff


def awaiting_approval_condition() -> ColumnElement[bool]:
    """Completed entries of gated clients that nobody approved or invoiced yet (whether or not
    a delay has already published them): what the staff list offers to approve. Needs
    ``Client`` in the query (entries carry ``client_id``)."""
    return and_(
        TimeEntry.client_id == Client.id,
        Client.time_requires_approval.is_(True),
        TimeEntry.end_time.is_not(None),
        TimeEntry.approved_at.is_(None),
        TimeEntry.invoice_item_id.is_(None),
    )


def approve(
    session: Session, entry_ids: Iterable[int], approver: User, now: dt.datetime
) -> list[int]:
    """Approve the completed, not yet approved entries among ``entry_ids``; returns the ids
    approved (unknown, running or already approved ids are left alone, so approving twice is
    harmless). The caller bounds how many ids one call names."""
    ids = sorted(set(entry_ids))
    if not ids:
        return []
    waiting = select(TimeEntry).where(
        TimeEntry.id.in_(ids),
        TimeEntry.end_time.is_not(None),
        TimeEntry.approved_at.is_(None),
    )
    approved = []
    for entry in session.scalars(waiting.order_by(TimeEntry.id)):
        entry.approved_at = now
        entry.approved_by_id = approver.id
        approved.append(entry.id)
    session.flush()
    return approved


def vouched_for(entry: TimeEntry) -> tuple[object, ...]:
    """What an approval of ``entry`` vouches for: its project, times, notes and billable flag."""
    return (entry.project_id, entry.start_time, entry.end_time, entry.notes, entry.billable)


def withdraw_if_changed(entry: TimeEntry, before: tuple[object, ...]) -> bool:
    """Withdraw the approval of ``entry`` if what it vouched for (``before``, from
    :func:`vouched_for`) changed; whether it did."""
    if entry.approved_at is None or vouched_for(entry) == before:
        return False
    entry.approved_at = None
    entry.approved_by_id = None
    return True
