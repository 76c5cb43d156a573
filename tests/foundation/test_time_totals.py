"""The monthly totals always equal the sums over the entries, whatever is written: hours, and
billable seconds and values by the billing rules (computed here in Python, entry by entry)."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from sqlalchemy import func, select

from tests.factories import make_client, make_entry, make_project, make_user
from timetracker.billing import periods, rules
from timetracker.billing.expressions import billable_cents_sum, billable_seconds_sum
from timetracker.models import Client, Project, TimeEntry, TimeEntryMonth
from timetracker.models.time_totals import rebuild
from timetracker.portal.params import TimeFilters
from timetracker.portal.scope import PortalScope


def _from_entries(session, project_ids):
    """Per project: entries, seconds, billable seconds and billable cents, summed in Python."""
    rows = session.execute(
        select(
            TimeEntry.project_id,
            TimeEntry.duration_seconds,
            TimeEntry.billable,
            Project.billable,
            Project.hourly_rate,
            Client.default_hourly_rate,
        )
        .join(Project, Project.id == TimeEntry.project_id)
        .join(Client, Client.id == Project.client_id)
        .where(TimeEntry.end_time.is_not(None), TimeEntry.project_id.in_(project_ids))
    ).all()
    totals: dict[int, tuple[int, int, int, int]] = {}
    for pid, seconds, entry_billable, project_billable, rate, default_rate in rows:
        n, s, bs, bc = totals.get(pid, (0, 0, 0, 0))
        billed = rules.is_billable(entry_billable, project_billable)
        cents = rules.value_cents(seconds, rules.rate_in_cents(rate or default_rate))
        totals[pid] = (
            n + 1,
            s + seconds,
            bs + (seconds if billed else 0),
            bc + (cents if billed else 0),
        )
    return totals


def _from_months(session, project_ids):
    rows = session.execute(
        select(
            TimeEntryMonth.project_id,
            func.sum(TimeEntryMonth.entries),
            func.sum(TimeEntryMonth.seconds),
            func.sum(TimeEntryMonth.billable_seconds),
            func.sum(TimeEntryMonth.billable_cents),
        )
        .where(TimeEntryMonth.project_id.in_(project_ids))
        .group_by(TimeEntryMonth.project_id)
        .having(func.sum(TimeEntryMonth.entries) != 0)
    ).all()
    return {pid: (int(n), int(s), int(b), int(c)) for pid, n, s, b, c in rows}


def test_inserts_updates_deletes_and_timers_keep_the_totals_exact(session):
    rng = random.Random(7)
    client = make_client(session)
    projects = [make_project(session, client) for _ in range(3)]
    users = [make_user(session) for _ in range(3)]
    entries = []
    base = dt.datetime(2025, 11, 20, tzinfo=dt.UTC)
    for _ in range(60):
        start = base + dt.timedelta(hours=rng.randint(0, 24 * 120))
        entries.append(
            make_entry(
                session,
                rng.choice(projects),
                rng.choice(users),
                start=start,
                minutes=rng.randint(1, 300),
                billable=rng.random() > 0.3,
            )
        )
    running = make_entry(session, projects[0], users[0], minutes=None)
    ids = [p.id for p in projects]
    assert _from_months(session, ids) == _from_entries(session, ids)

    for entry in rng.sample(entries, 20):  # move across months, projects, billable
        entry.project_id = rng.choice(projects).id
        entry.start_time = entry.start_time + dt.timedelta(days=rng.randint(-40, 40))
        entry.stop(entry.start_time + dt.timedelta(minutes=rng.randint(1, 500)))
        entry.billable = not entry.billable
    session.flush()
    for entry in rng.sample(entries, 10):
        session.delete(entry)
    running.stop(running.start_time + dt.timedelta(minutes=45))
    session.flush()
    assert _from_months(session, ids) == _from_entries(session, ids)

    rebuild(session.connection())
    assert _from_months(session, ids) == _from_entries(session, ids)


def test_rate_and_billable_changes_recompute_the_values(session):
    rng = random.Random(3)
    client = make_client(session, default_hourly_rate=Decimal("95.00"))
    own_rate = make_project(session, client, hourly_rate=Decimal("120.50"))
    default_rate = make_project(session, client, hourly_rate=None)
    other = make_project(session, make_client(session), hourly_rate=Decimal("80.00"))
    user = make_user(session)
    base = dt.datetime(2026, 1, 5, tzinfo=dt.UTC)
    for _ in range(40):
        make_entry(
            session,
            rng.choice([own_rate, default_rate, other]),
            user,
            start=base + dt.timedelta(hours=rng.randint(0, 24 * 70)),
            minutes=rng.randint(1, 200),
            billable=rng.random() > 0.2,
        )
    ids = [own_rate.id, default_rate.id, other.id]
    before_other = _from_months(session, ids)[other.id]

    own_rate.hourly_rate = Decimal("133.33")
    session.flush()
    assert _from_months(session, ids) == _from_entries(session, ids)
    client.default_hourly_rate = Decimal("101.01")  # only the project without its own rate
    session.flush()
    assert _from_months(session, ids) == _from_entries(session, ids)
    default_rate.billable = False
    session.flush()
    months = _from_months(session, ids)
    assert months == _from_entries(session, ids)
    assert months[default_rate.id][2:] == (0, 0)
    own_rate.hourly_rate = None  # falls back to the client's default
    session.flush()
    assert _from_months(session, ids) == _from_entries(session, ids)
    assert _from_months(session, ids)[other.id] == before_other


def test_portal_totals_for_any_range_equal_the_entry_sums(ctx):
    from timetracker import firm

    session = ctx
    firm.get_settings().timezone = "Asia/Kolkata"  # +05:30: local months cross UTC months
    rng = random.Random(11)
    client = make_client(session)
    projects = [make_project(session, client) for _ in range(2)]
    user = make_user(session)
    base = dt.datetime(2025, 12, 1, tzinfo=dt.UTC)
    for _ in range(80):
        start = base + dt.timedelta(minutes=rng.randint(0, 60 * 24 * 100))
        make_entry(
            session,
            rng.choice(projects),
            user,
            start=start,
            minutes=rng.randint(5, 240),
            billable=rng.random() > 0.5,
        )
    scope = PortalScope(client, session)
    days = [dt.date(2025, 11, 25) + dt.timedelta(days=n) for n in range(0, 110, 3)]
    checked = 0
    for _ in range(40):
        date_from, date_to = sorted(rng.sample(days, 2))
        for filters in (
            TimeFilters(None, date_from, date_to),
            TimeFilters(projects[0].id, date_from, None),
            TimeFilters(projects[1].id, None, date_to),
        ):
            start, end = periods.day_bounds(filters.date_from, filters.date_to)
            query = select(
                func.count(TimeEntry.id), func.coalesce(func.sum(TimeEntry.duration_seconds), 0)
            ).where(TimeEntry.client_id == client.id, TimeEntry.end_time.is_not(None))
            if filters.project_id:
                query = query.where(TimeEntry.project_id == filters.project_id)
            if start:
                query = query.where(TimeEntry.start_time >= start)
            if end:
                query = query.where(TimeEntry.start_time < end)
            count, seconds = session.execute(query).one()
            totals = scope.time_entry_totals(filters)
            assert (totals.count, totals.seconds) == (count, int(seconds)), filters
            billable = session.execute(
                query.with_only_columns(billable_seconds_sum(), billable_cents_sum())
                .join(Project, Project.id == TimeEntry.project_id)
                .join(Client, Client.id == Project.client_id)
            ).one()
            assert (totals.billable_seconds, totals.billable_cents) == tuple(map(int, billable))
            checked += 1
    assert checked == 120
