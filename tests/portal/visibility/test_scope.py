"""The scope applies the settings itself, so every reader of it (pages, downloads,
``User.get_client_portal_data()``, an API) gets the same: what is hidden is ``None`` in its
rows, and is not even selected."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy.orm import Session

from tests.portal.visibility.conftest import (
    FLAGS,
    NOTE,
    STAFF_NAME,
    VisibilityWorld,
    set_visibility,
)
from timetracker.pagination import PageRequest
from timetracker.portal.params import TimeFilters
from timetracker.portal.scope import PortalScope
from timetracker.portal.scope.visibility import Visibility


def _scope(session: Session, w: VisibilityWorld) -> PortalScope:
    return PortalScope.require(w.contact, session)


def test_portal_data_shows_everything_by_default(ctx: Session, vis: VisibilityWorld):
    data = vis.contact.get_client_portal_data()
    (entry,) = data["time_entries"]
    assert (entry.user_name, entry.notes) == (STAFF_NAME, NOTE)
    (project,) = data["projects"]
    assert str(project.budget_amount) == "9876.54"
    assert [i.id for i in data["invoices"]] == [vis.invoice.id]


def test_portal_data_obeys_every_setting(ctx: Session, vis: VisibilityWorld):
    set_visibility(ctx, vis.client, staff_names=False, entry_notes=False, amounts=False)
    data = vis.contact.get_client_portal_data()
    (entry,) = data["time_entries"]
    assert (entry.user_name, entry.notes) == (None, None)
    assert entry.hours == Decimal("1.50")
    (project,) = data["projects"]
    assert project.budget_amount is None and project.budget_hours is not None
    set_visibility(ctx, vis.client, time_entries=False)
    data = vis.contact.get_client_portal_data()
    assert data["time_entries"] == []
    assert [i.id for i in data["invoices"]] == [vis.invoice.id]  # invoices stay


def test_hidden_values_are_not_selected(ctx: Session, vis: VisibilityWorld):
    shown = _scope(ctx, vis)
    rows = str(shown._entry_rows(TimeFilters()))
    assert "users.name" in rows and "time_entries.notes" in rows
    set_visibility(ctx, vis.client, staff_names=False, entry_notes=False, amounts=False)
    hidden = _scope(ctx, vis)
    rows = str(hidden._entry_rows(TimeFilters()))
    assert "users" not in rows and "time_entries.notes" not in rows
    (row,) = list(hidden.export_rows(TimeFilters()))
    assert (row.user_name, row.notes, row.value_cents) == (None, None, None)
    assert row.duration_seconds == 5400 and row.project_name == "Harbour Website"


def test_results_carry_none_where_hidden(ctx: Session, vis: VisibilityWorld):
    set_visibility(ctx, vis.client, staff_names=False, amounts=False)
    s = _scope(ctx, vis)
    summary = s.project_summary(vis.project.id)
    assert summary.billable_amount is None and summary.budget_amount_pct is None
    assert summary.budget_hours_pct == 4  # 1.5 of 40 hours
    totals = s.time_entry_totals(TimeFilters())
    assert totals.billable_amount is None and totals.seconds == 5400
    assert [n.author_name for n in s.visible_notes(vis.project.id)] == [None]
    updates = s.status_update_page(vis.project.id, PageRequest(1, 10))
    assert [u.author_name for u in updates.items] == [None]
    assert s.latest_status_updates([vis.project.id])[vis.project.id].author_name is None


def test_visibility_reads_the_clients_flags_and_describes_changes(ctx: Session, vis):
    assert Visibility.of(vis.client).everything
    set_visibility(ctx, vis.client, amounts=False, documents=False)
    now = Visibility.of(vis.client)
    assert not now.everything
    assert now.hidden_labels() == ["Hourly rates and billable amounts", "Documents"]
    assert now.changes_from(Visibility()) == (
        "Hourly rates and billable amounts: hidden; Documents: hidden"
    )
    assert Visibility().changes_from(now) == (
        "Hourly rates and billable amounts: shown; Documents: shown"
    )
    assert set(FLAGS) <= {f for f in Visibility.__dataclass_fields__}
