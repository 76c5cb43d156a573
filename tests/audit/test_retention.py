"""Retention: ``timetracker audit purge`` deletes exactly the events older than the setting (the
clock frozen at the boundary); 0 keeps everything; the audit page warns when old events are
not being removed, and never removes them itself."""

from __future__ import annotations

import datetime as dt

import time_machine
from sqlalchemy import func, select

from tests.audit.conftest import add_event, set_retention
from timetracker import audit
from timetracker.audit import Kind
from timetracker.audit.cli import audit_group
from timetracker.models import AuditEvent

NOW = dt.datetime(2026, 6, 30, 12, 0, 0, tzinfo=dt.UTC)


def _ages(session, firm):
    """Events just inside, at, and just past a 30-day retention cutoff (NOW - 30 days)."""
    cutoff = NOW - dt.timedelta(days=30)
    at = {
        "old": cutoff - dt.timedelta(days=400),
        "just_past": cutoff - dt.timedelta(microseconds=1),
        "at_cutoff": cutoff,
        "just_inside": cutoff + dt.timedelta(seconds=1),
        "new": NOW - dt.timedelta(minutes=5),
    }
    return {name: add_event(session, Kind.SIGN_IN, when, actor=firm.anna).id
            for name, when in at.items()}  # fmt: skip


def _left(session, ids):
    session.expire_all()
    kept = set(session.scalars(select(AuditEvent.id).where(AuditEvent.id.in_(ids.values()))))
    return {name for name, i in ids.items() if i in kept}


def test_purge_deletes_exactly_the_events_older_than_the_retention(session, firm):
    ids = _ages(session, firm)
    session.commit()
    with time_machine.travel(NOW, tick=False):
        removed = audit.purge_expired(session, 30)
    session.commit()
    assert removed == 2
    assert _left(session, ids) == {"at_cutoff", "just_inside", "new"}


def test_the_command_purges_by_the_setting_and_says_how_many(app, session, firm):
    ids = _ages(session, firm)
    set_retention(session, 30)
    runner = app.test_cli_runner()
    with time_machine.travel(NOW, tick=False):
        result = runner.invoke(audit_group, ["purge"])
    assert result.exit_code == 0, result.output
    assert result.output == "Deleted 2 audit events older than 30 days.\n"
    assert _left(session, ids) == {"at_cutoff", "just_inside", "new"}
    with time_machine.travel(NOW, tick=False):
        again = runner.invoke(audit_group, ["purge"])
    assert again.output == "Deleted 0 audit events older than 30 days.\n"


def test_a_retention_of_zero_keeps_every_event(app, session, firm):
    ids = _ages(session, firm)
    set_retention(session, 0)
    before = session.scalar(select(func.count(AuditEvent.id)))
    with time_machine.travel(NOW, tick=False):
        result = app.test_cli_runner().invoke(audit_group, ["purge"])
    assert result.exit_code == 0
    assert "kept for ever" in result.output and "nothing was deleted" in result.output
    assert _left(session, ids) == set(ids)
    assert session.scalar(select(func.count(AuditEvent.id))) == before


def test_the_page_warns_when_old_events_are_not_being_removed_and_keeps_them(
    session, firm, as_admin, frozen_clock
):
    now = dt.datetime.now(dt.UTC)
    set_retention(session, 30)
    fresh = add_event(session, Kind.SIGN_IN, now - dt.timedelta(days=31), actor=firm.anna)
    session.commit()
    html = as_admin.get("/admin/audit").get_data(as_text=True)
    # A day past the period: the daily purge may simply not have run yet.
    assert 'data-testid="purge-overdue"' not in html
    assert "Events are kept for 30 days" in html
    stale = add_event(session, Kind.SIGN_IN, now - dt.timedelta(days=40), actor=firm.anna)
    session.commit()
    html = as_admin.get("/admin/audit").get_data(as_text=True)
    assert 'data-testid="purge-overdue"' in html
    assert "timetracker audit purge" in html
    assert f"The oldest event is from {stale.at.date():%m/%d/%Y}" in html
    session.expire_all()
    assert session.get(AuditEvent, stale.id) is not None  # reading the page deleted nothing
    assert session.get(AuditEvent, fresh.id) is not None


def test_no_warning_when_every_event_is_kept(session, firm, as_admin):
    set_retention(session, 0)
    add_event(session, Kind.SIGN_IN, NOW - dt.timedelta(days=4000), actor=firm.anna)
    session.commit()
    html = as_admin.get("/admin/audit").get_data(as_text=True)
    assert 'data-testid="purge-overdue"' not in html
    assert "Events are kept for ever" in html
