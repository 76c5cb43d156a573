"""The publish gate: a gated client's contacts see time once it is approved, invoiced or old
enough — on every portal page, export, PDF and API answer, and in every figure."""

from __future__ import annotations

import datetime as dt
import io
import itertools

import pytest
import time_machine
from pypdf import PdfReader
from pypdf.errors import PdfReadError
from sqlalchemy import select

from tests.conftest import login, post
from tests.factories import (
    make_admin,
    make_client,
    make_entry,
    make_invoice,
    make_portal_user,
    make_project,
    make_user,
)
from tests.security import harness
from tests.security.harness import build_path, build_world, own_values, policy_of, rules
from timetracker.api import tokens
from timetracker.audit import Kind
from timetracker.billing import rules as billing_rules
from timetracker.billing.publication import Gate, approve, awaiting_approval_condition
from timetracker.billing.summaries import project_figures
from timetracker.models import AuditEvent, Client, InvoiceStatus, TimeEntry
from timetracker.portal.params import TimeFilters
from timetracker.portal.scope import PortalScope
from timetracker.workspace.time.timekeeping import update_entry

NOW = dt.datetime(2026, 11, 20, 12, 0, tzinfo=dt.UTC)
MARK = "UNPUBLISHED-7f3a"


def _gate(client, days=None):
    client.time_requires_approval = True
    client.publish_after_days = days


# The rule, in SQL and in Python ---------------------------------------------------------------


@pytest.mark.parametrize("days", [None, 1, 7])
def test_sql_condition_and_python_predicate_agree_at_the_delay_edges(app, session, days):
    client = make_client(session)
    project = make_project(session, client)
    staff = make_user(session)
    _gate(client, days)
    ends = [NOW - dt.timedelta(days=d) for d in (0, 1, 7, 30)]
    ends += [e + dt.timedelta(seconds=1) for e in ends] + [
        e - dt.timedelta(seconds=1) for e in ends
    ]
    entries = []
    for end, approved, invoiced in itertools.product(ends, (False, True), (False, True)):
        entry = make_entry(session, project, staff, start=end - dt.timedelta(hours=1), minutes=60)
        if approved:
            entry.approved_at = NOW
        if invoiced:
            invoice = make_invoice(session, client, status=InvoiceStatus.SENT)
            entry.invoice_item_id = _line(session, invoice)
        entries.append(entry)
    session.flush()
    gate = Gate.of(client, NOW)
    shown_sql = set(
        session.scalars(select(TimeEntry.id).where(TimeEntry.client_id == client.id, gate.shown()))
    )
    shown_py = {e.id for e in entries if gate.is_shown(e)}
    assert shown_sql == shown_py
    # Spot checks of the rule itself.
    unapproved = [e for e in entries if e.approved_at is None and e.invoice_item_id is None]
    for entry in unapproved:
        old_enough = days is not None and entry.end_time <= NOW - dt.timedelta(days=days)
        assert gate.is_shown(entry) is old_enough
    assert all(gate.is_shown(e) for e in entries if e.approved_at or e.invoice_item_id)


def _line(session, invoice):
    from timetracker.models import InvoiceItem

    item = InvoiceItem(
        invoice_id=invoice.id, description="Line", quantity=1, unit_price=1, amount=1
    )
    session.add(item)
    session.flush()
    return item.id


def test_an_open_gate_hides_nothing(app, session):
    client = make_client(session)
    gate = Gate.of(client, NOW)
    assert gate.hidden() is None and gate.shown() is None
    entry = make_entry(session, make_project(session, client))
    assert gate.is_shown(entry)


# Every portal answer --------------------------------------------------------------------------


def _pdf_text(body: bytes) -> str:
    """The text of a PDF the app drew (a shared document that only claims to be a PDF is read
    as bytes)."""
    try:
        return "".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(body)).pages)
    except PdfReadError:
        return body.decode("utf-8", "replace")


def _answers(app, session, world, bearer):
    """Every GET the portal serves to client A's contact and every API GET its token opens."""
    browser = harness.sign_in(app, session, world, "portal_a")
    api = app.test_client()
    seen = 0
    for rule in rules(app):
        if "GET" not in rule.methods:
            continue
        policy = policy_of(app, rule)
        if policy not in ("portal", "token"):
            continue
        path = build_path(rule, own_values(rule, world.a))
        if policy == "token":
            response = api.get(path, headers={"Authorization": f"Bearer {bearer}"})
        else:
            response = browser.get(path)
        body = response.get_data()
        if response.mimetype == "application/pdf" and response.status_code == 200:
            text = _pdf_text(body)
        else:
            text = body.decode("utf-8", "replace")
        seen += 1
        yield path, response.status_code, text
    assert seen > 20


@pytest.mark.exhaustive
def test_unpublished_time_is_on_no_portal_page_export_pdf_or_api_answer(app, session):
    world = build_world(app, session)
    client = world.a.client
    project_id = world.a.ids["project"][0]
    staff = make_user(session, name="Gate Keeper", email="gate@firm.example")
    admin = make_admin(session, email="gate-admin@firm.example")
    _gate(client)
    from timetracker.models import Project

    project = session.get(Project, project_id)
    # Everything the client had is approved; one new entry is not.
    approve(session, session.scalars(select(TimeEntry.id)), admin, NOW)
    hidden = make_entry(
        session,
        project,
        staff,
        start=dt.datetime.now(dt.UTC) - dt.timedelta(hours=3),
        minutes=47,
        notes=MARK,
    )
    _token, secret = tokens.create(session, world.a.portal_user, "gate", ["portal:read"], None)
    session.commit()

    leaks = [path for path, _status, text in _answers(app, session, world, secret) if MARK in text]
    assert leaks == []

    # Approved, the same pages show it: the check above could have failed.
    approve(session, [hidden.id], admin, dt.datetime.now(dt.UTC))
    session.commit()
    shown = {path for path, _status, text in _answers(app, session, world, secret) if MARK in text}
    assert any(p.endswith("/time-entries") for p in shown)
    assert any(p.endswith(".csv") for p in shown)
    assert any(p.startswith("/api/") for p in shown)


# Every figure ---------------------------------------------------------------------------------


def _world_of_figures(session):
    """A gated client (delay 10 days) with entries across months: approved, unapproved old
    and new, invoiced; and an open client beside it."""
    client = make_client(session, default_hourly_rate=100)
    _gate(client, 10)
    project = make_project(session, client, budget_hours=100)
    other = make_project(session, client)
    staff = make_user(session)
    admin = make_admin(session)
    starts = [
        dt.datetime(2026, 8, 31, 23, 30, tzinfo=dt.UTC),
        dt.datetime(2026, 9, 15, 9, tzinfo=dt.UTC),
        dt.datetime(2026, 10, 1, 0, 0, tzinfo=dt.UTC),
        dt.datetime(2026, 10, 31, 22, tzinfo=dt.UTC),
        dt.datetime(2026, 11, 5, 9, tzinfo=dt.UTC),
        dt.datetime(2026, 11, 12, 9, tzinfo=dt.UTC),
        dt.datetime(2026, 11, 19, 9, tzinfo=dt.UTC),
    ]
    entries = []
    for i, start in enumerate(starts):
        for p, billable in ((project, True), (other, i % 2 == 0)):
            entries.append(
                make_entry(session, p, staff, start=start, minutes=30 + 7 * i, billable=billable)
            )
    approve(session, [entries[0].id, entries[5].id, entries[12].id], admin, NOW)
    invoice = make_invoice(session, client, status=InvoiceStatus.SENT)
    entries[13].invoice_item_id = _line(session, invoice)
    session.flush()
    return client, project, other, entries


def _expected(gate, entries, start=None, end=None, project_id=None):
    chosen = [
        e
        for e in entries
        if gate.is_shown(e)
        and (start is None or e.start_time >= start)
        and (end is None or e.start_time < end)
        and (project_id is None or e.project_id == project_id)
    ]
    return len(chosen), sum(e.duration_seconds for e in chosen)


@pytest.mark.parametrize(
    ("date_from", "date_to"),
    [
        (None, None),
        (dt.date(2026, 9, 1), dt.date(2026, 11, 30)),  # whole months: the monthly totals
        (dt.date(2026, 8, 31), dt.date(2026, 11, 12)),  # ragged ends
        (dt.date(2026, 11, 5), dt.date(2026, 11, 19)),  # inside one month: the entries
        (dt.date(2026, 11, 19), dt.date(2026, 11, 19)),  # one day
    ],
)
def test_totals_count_only_published_time(app, ctx, date_from, date_to):
    client, project, _other, entries = _world_of_figures(ctx)
    with time_machine.travel(NOW, tick=False):
        scope = PortalScope(client, ctx)
        filters = TimeFilters(date_from=date_from, date_to=date_to)
        totals = scope.time_entry_totals(filters)
        page = scope.time_entry_page(filters, _request(), totals)
        gate = scope.gate
    start = dt.datetime.combine(date_from, dt.time(), dt.UTC) if date_from else None
    end = (
        dt.datetime.combine(date_to, dt.time(), dt.UTC) + dt.timedelta(days=1) if date_to else None
    )
    count, seconds = _expected(gate, entries, start, end)
    assert (totals.count, totals.seconds) == (count, seconds)
    assert sum(row.duration_seconds for row in page.items) == seconds  # the list agrees
    assert count < len([e for e in entries if (start is None or e.start_time >= start)]) or (
        date_from == dt.date(2026, 11, 19)
    )


def _request():
    from timetracker.pagination import PageRequest

    return PageRequest(1, 200)


def test_dashboard_projects_and_forecast_count_only_published_time(app, ctx):
    client, project, other, entries = _world_of_figures(ctx)
    with time_machine.travel(NOW, tick=False):
        scope = PortalScope(client, ctx)
        gate = scope.gate
        stats = scope.dashboard_stats()
        summary = scope.project_summary(project.id)
        forecast = scope.project_forecast(project.id)
        charts_weeks = scope.dashboard_charts()
    _count, all_seconds = _expected(gate, entries)
    assert stats.seconds_total == all_seconds
    month = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
    assert stats.seconds_this_month == _expected(gate, entries, start=month)[1]
    assert summary.seconds == _expected(gate, entries, project_id=project.id)[1]
    # The staff figures count everything; the portal's are smaller by what the gate hides.
    staff_figures = project_figures(ctx, [project], None)[project.id]
    assert staff_figures.seconds == sum(
        e.duration_seconds for e in entries if e.project_id == project.id
    )
    assert summary.seconds < staff_figures.seconds
    assert forecast is not None
    assert forecast.hours is not None
    assert forecast.hours.used == billing_rules.hours(summary.seconds)
    assert charts_weeks is not None


def test_an_open_client_sees_all_its_time(app, ctx):
    client, project, _other, entries = _world_of_figures(ctx)
    client.time_requires_approval = False
    ctx.flush()
    scope = PortalScope(client, ctx)
    totals = scope.time_entry_totals(TimeFilters())
    assert totals.count == len(entries)


# Approving ------------------------------------------------------------------------------------


def test_administrators_approve_in_bulk_once_and_it_is_audited(app, session):
    client = make_client(session)
    _gate(client)
    project = make_project(session, client)
    staff = make_user(session)
    admin = make_admin(session, email="approver@firm.example")
    done = make_entry(session, project, staff)
    running = make_entry(session, project, staff, minutes=None)
    waiting = session.scalars(
        select(TimeEntry.id)
        .join(Client, Client.id == TimeEntry.client_id)
        .where(awaiting_approval_condition())
    ).all()
    assert waiting == [done.id]
    session.commit()
    browser = app.test_client()
    login(browser, admin.email)
    ids = [str(done.id), str(running.id)]
    response = post(browser, "/time/approve", {"entry_ids": ids})
    assert response.status_code == 302
    session.expire_all()
    assert session.get(TimeEntry, done.id).approved_by_id == admin.id
    assert session.get(TimeEntry, running.id).approved_at is None
    events = session.scalars(select(AuditEvent).where(AuditEvent.kind == Kind.TIME_APPROVED)).all()
    assert [(e.client_id, e.detail) for e in events] == [(client.id, f"1 entries: {done.id}")]
    # Twice: nothing more happens.
    post(browser, "/time/approve", {"entry_ids": ids})
    assert (
        len(session.scalars(select(AuditEvent).where(AuditEvent.kind == Kind.TIME_APPROVED)).all())
        == 1
    )


@pytest.mark.parametrize(
    "values",
    [
        [],
        ["abc"],
        ["0"],
        ["-1"],
        ["2147483648"],
        ["１"],
        ["1", "x"],
        [str(i) for i in range(1, 502)],
    ],
)
def test_bad_ids_are_refused_and_nothing_is_approved(app, session, values):
    client = make_client(session)
    _gate(client)
    entry = make_entry(session, make_project(session, client))
    admin = make_admin(session, email="approver2@firm.example")
    session.commit()
    browser = app.test_client()
    login(browser, admin.email)
    chosen = values + [str(entry.id)] if values else []
    response = post(browser, "/time/approve", {"entry_ids": chosen})
    assert response.status_code == 400
    session.expire_all()
    assert session.get(TimeEntry, entry.id).approved_at is None


def test_staff_may_not_approve(app, session):
    client = make_client(session)
    entry = make_entry(session, make_project(session, client))
    staff = make_user(session, email="plain-staff@firm.example")
    session.commit()
    browser = app.test_client()
    login(browser, staff.email)
    response = post(browser, "/time/approve", {"entry_ids": [str(entry.id)]})
    assert response.status_code == 403
    session.expire_all()
    assert session.get(TimeEntry, entry.id).approved_at is None


def test_a_portal_contact_sees_approved_time_only(app, session):
    client = make_client(session)
    _gate(client)
    project = make_project(session, client)
    staff = make_user(session)
    make_entry(session, project, staff, notes="approved work", approved_at=NOW)
    make_entry(session, project, staff, notes="draft work")
    contact = make_portal_user(session, client, email="contact@gated.example")
    session.commit()
    browser = app.test_client()
    login(browser, contact.email)
    page = browser.get("/client-portal/time-entries").get_data(as_text=True)
    assert "approved work" in page and "draft work" not in page


def test_changing_an_approved_entry_withdraws_its_approval(app, ctx):
    """An approval vouches for what the entry said: a change of notes, times, project or
    billable flag waits for approval again; saving it unchanged keeps the approval."""
    client = make_client(ctx)
    _gate(client)
    project, other = make_project(ctx, client), make_project(ctx, client)
    staff = make_user(ctx)
    start = NOW - dt.timedelta(days=3)
    end = start + dt.timedelta(hours=2)
    changes = {
        "notes": dict(notes="rewritten"),
        "end": dict(end=end + dt.timedelta(minutes=1)),
        "start": dict(start=start - dt.timedelta(minutes=1)),
        "project": dict(project=other),
        "billable": dict(billable=False),
    }
    for name, change in changes.items():
        entry = make_entry(
            ctx, project, staff, start=start, minutes=120, notes="as approved", approved_at=NOW
        )
        values = dict(project=project, start=start, end=end, notes="as approved", billable=True)
        update_entry(ctx, entry, **values)
        assert entry.approved_at is not None, f"unchanged ({name})"
        update_entry(ctx, entry, **{**values, **change})
        assert (entry.approved_at, entry.approved_by_id) == (None, None), name
        assert (
            entry.id
            in ctx.scalars(
                select(TimeEntry.id)
                .join(Client, Client.id == TimeEntry.client_id)
                .where(awaiting_approval_condition())
            ).all()
        )
