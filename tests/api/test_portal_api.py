"""The portal's JSON API: isolation as the portal's (another client's id is a missing id, to
the byte), the portal's figures, its filters and parameter rules, cursors and ETags."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from flask import Flask, g
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.api.conftest import Side, get
from tests.factories import make_entry
from timetracker.audit import Kind
from timetracker.billing.states import InvoiceFilter
from timetracker.models import AuditEvent, Project
from timetracker.pagination import PageRequest
from timetracker.portal.params import TimeFilters
from timetracker.portal.scope import PortalScope

BASE = "/api/v1/portal"
MISSING = 2_000_000_000

#: Every route of the portal API with an id, by the kind of id it takes.
ID_ROUTES = [
    ("/projects/{}", "project"),
    ("/invoices/{}", "sent"),
    ("/invoices/{}/pdf", "sent"),
    ("/time-entries?project_id={}", "project"),
]


@pytest.mark.parametrize(("route", "kind"), ID_ROUTES)
def test_another_clients_id_is_indistinguishable_from_a_missing_one(
    client: FlaskClient, side: Side, other: Side, route: str, kind: str
) -> None:
    ours = get(client, BASE + route.format(side.ids[kind]), side.portal_token)
    assert ours.status_code == 200
    theirs = get(client, BASE + route.format(other.ids[kind]), side.portal_token)
    missing = get(client, BASE + route.format(MISSING), side.portal_token)
    assert theirs.status_code == missing.status_code == 404
    assert theirs.mimetype == "application/problem+json"
    # The same document but for the address asked for (``instance``), and the same headers.
    assert _without_instance(theirs) == _without_instance(missing)
    assert _headers(theirs) == _headers(missing)


def _without_instance(response: Any) -> dict[str, Any]:
    body = response.get_json()
    assert body.pop("instance") == response.request.path
    return dict(body)


def _headers(response: Any) -> dict[str, str]:
    return {k: v for k, v in response.headers if k not in ("X-Request-ID", "Content-Length")}


def test_a_draft_invoice_is_a_missing_one(client: FlaskClient, side: Side) -> None:
    for path in (f"/invoices/{side.ids['draft']}", f"/invoices/{side.ids['draft']}/pdf"):
        assert get(client, BASE + path, side.portal_token).status_code == 404
    listed = get(client, BASE + "/invoices", side.portal_token).get_json()
    assert side.ids["draft"] not in [i["id"] for i in listed["items"]]


def test_lists_hold_only_the_clients_own_rows(client: FlaskClient, side: Side, other: Side) -> None:
    projects = get(client, BASE + "/projects", side.portal_token).get_json()
    assert [p["id"] for p in projects["items"]] == [side.ids["project"]]
    invoices = get(client, BASE + "/invoices", side.portal_token).get_json()
    assert sorted(i["id"] for i in invoices["items"]) == sorted(
        [side.ids["sent"], side.ids["paid"]]
    )
    entries = get(client, BASE + "/time-entries", side.portal_token).get_json()
    theirs = {other.ids["entry"]}
    assert entries["total"] == 2 and not theirs & {e["id"] for e in entries["items"]}


def _scope(app: Flask, session: Session, side: Side) -> Any:
    """The portal's scope for ``side``'s contact, as the portal pages build it."""
    return PortalScope.require(side.contact, session)


def test_figures_equal_the_portals_for_the_same_data(
    app: Flask, client: FlaskClient, session: Session, side: Side
) -> None:
    projects = get(client, BASE + "/projects", side.portal_token).get_json()
    one = get(client, f"{BASE}/projects/{side.ids['archived']}", side.portal_token).get_json()
    invoices = {
        f: get(client, f"{BASE}/invoices?status={f}", side.portal_token).get_json()
        for f in ("all", "paid", "unpaid", "overdue")
    }
    entries = get(client, BASE + "/time-entries?date_from=2026-01-01", side.portal_token).get_json()
    with app.test_request_context():
        g.db_session = session
        s = _scope(app, session, side)
        page = s.active_project_page(PageRequest(1, 50))
        assert [
            (p["id"], p["hours"], p["billable_amount"], p["budget_hours_pct"])
            for p in projects["items"]
        ] == [
            (x.project.id, f"{x.hours:.2f}", f"{x.billable_amount:.2f}", x.budget_hours_pct)
            for x in page.items
        ]
        archived = s.project_summary(side.ids["archived"])
        assert (one["seconds"], one["is_active"]) == (archived.seconds, False)
        counts = {f.value: n for f, n in s.invoice_filter_counts().items()}
        for name, body in invoices.items():
            totals = s.invoice_totals(InvoiceFilter(name))
            assert body["counts"] == counts
            assert body["total"] == totals.count == len(body["items"])
            assert Decimal(body["totals"]["total"]) == totals.total
            assert Decimal(body["totals"]["balance"]) == totals.balance
        t = s.time_entry_totals(TimeFilters(date_from=dt.date(2026, 1, 1)))
        assert entries["totals"] == {
            "count": t.count,
            "seconds": t.seconds,
            "hours": f"{t.hours:.2f}",
            "billable_seconds": t.billable_seconds,
            "billable_hours": f"{t.billable_hours:.2f}",
            "billable_amount": f"{t.billable_amount:.2f}",
        }
        g.pop("db_session")


def test_visibility_settings_carry_over(client: FlaskClient, session: Session, side: Side) -> None:
    side.client.portal_shows_amounts = False
    side.client.portal_shows_staff_names = False
    session.commit()
    project = get(client, BASE + "/projects", side.portal_token).get_json()["items"][0]
    assert project["billable_amount"] is None and project["hours"] == "1.50"
    entries = get(client, BASE + "/time-entries", side.portal_token).get_json()
    assert entries["totals"]["billable_amount"] is None
    assert {e["user_name"] for e in entries["items"]} == {None}
    side.client.portal_shows_time_entries = False
    session.commit()
    assert get(client, BASE + "/time-entries", side.portal_token).status_code == 404


def test_invoice_detail_has_lines_payments_and_is_audited(
    client: FlaskClient, session: Session, side: Side
) -> None:
    body = get(client, f"{BASE}/invoices/{side.ids['paid']}", side.portal_token).get_json()
    assert body["status"] == "paid" and body["balance"] == "0.00"
    assert body["items"] == [
        {
            "position": 0,
            "description": "Consulting",
            "quantity": "10.00",
            "unit_price": "100.00",
            "amount": "1000.00",
        }
    ]
    assert body["payments"][0]["amount"] == "1200.00"
    pdf = get(client, f"{BASE}/invoices/{side.ids['paid']}/pdf", side.portal_token)
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert pdf.data.startswith(b"%PDF")
    session.expire_all()
    kinds = session.scalars(
        select(AuditEvent.kind).where(AuditEvent.invoice_id == side.ids["paid"])
    ).all()
    assert set(kinds) == {Kind.INVOICE_VIEWED, Kind.INVOICE_PDF_DOWNLOADED}


def test_cursor_pages_walk_the_whole_filtered_set(
    client: FlaskClient, session: Session, side: Side
) -> None:
    project = session.get(Project, side.ids["project"])
    for day in range(3, 8):
        make_entry(session, project, side.staff, start=dt.datetime(2026, 3, day, 9, tzinfo=dt.UTC))
    session.commit()
    path, seen, totals = f"{BASE}/time-entries?limit=2&project_id={side.ids['project']}", [], set()
    while path:
        response = get(client, path, side.portal_token)
        body = response.get_json()
        seen += [e["id"] for e in body["items"]]
        totals.add(body["total"])
        link = response.headers.get("Link")
        assert (link is None) == (body["next_cursor"] is None)
        path = link[1 : link.index(">")] if link else None
        if path:
            assert f"project_id={side.ids['project']}" in path
    assert totals == {6} and len(seen) == len(set(seen)) == 6


@pytest.mark.parametrize(
    "query",
    [
        "cursor=nonsense",
        "cursor=WzIsMV0.forged",
        "limit=0",
        "limit=101",
        "limit=99999999999999999999999",
        "project_id=99999999999999999999",
        "project_id=%D9%A3",  # an Arabic-Indic digit
        "date_from=0001-01-01",
        "date_to=9999-12-31",
        "date_from=2026-02-30",
        "date_from=2026-03-05&date_to=2026-03-01",
        "date_from=2026-01-01&date_from=2026-02-01",
        "project_id=%00",
    ],
)
def test_bad_parameters_are_400_problems(client: FlaskClient, side: Side, query: str) -> None:
    response = get(client, f"{BASE}/time-entries?{query}", side.portal_token)
    assert response.status_code == 400, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    assert response.get_json()["detail"]


def test_invalid_bytes_in_the_query_are_400(client: FlaskClient, side: Side) -> None:
    response = get(client, f"{BASE}/invoices?status=%FF", side.portal_token)
    assert response.status_code == 400


def test_an_unknown_invoice_filter_is_a_400_naming_the_allowed_ones(
    client: FlaskClient, side: Side
) -> None:
    body = get(client, f"{BASE}/invoices?status=draft", side.portal_token).get_json()
    assert body["status"] == 400
    assert body["errors"]["query"]["status"] == ["Must be one of: all, paid, unpaid, overdue."]


def test_conditional_get_answers_304_while_unchanged(
    client: FlaskClient, session: Session, side: Side
) -> None:
    first = get(client, BASE + "/invoices", side.portal_token)
    etag = first.headers["ETag"]
    again = get(client, BASE + "/invoices", side.portal_token, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    side.client.currency = "USD"
    make_entry(session, session.get(Project, side.ids["project"]), side.staff)
    session.commit()
    changed = get(client, BASE + "/projects", side.portal_token, headers={"If-None-Match": etag})
    assert changed.status_code == 200
