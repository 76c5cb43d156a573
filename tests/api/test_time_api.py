"""The staff time API: the person's own entries only, the workspace's rules (locking, one
timer, spans), If-Match, and the projects and clients with the workspace's figures."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask, g
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.api.conftest import Side, auth, get
from tests.factories import make_entry, make_invoice
from timetracker.models import Project, TimeEntry
from timetracker.workspace.projects.queries import budget_usage

BASE = "/api/v1"
MISSING = 2_000_000_000


def send(client: FlaskClient, method: str, path: str, secret: str, **kw: Any) -> Any:
    headers = {**auth(secret), **kw.pop("headers", {})}
    return client.open(BASE + path, method=method, headers=headers, **kw)


def new_entry(side: Side, **over: Any) -> dict[str, Any]:
    body = {
        "project_id": side.ids["project"],
        "start_time": "2026-04-01T09:00:00+02:00",
        "end_time": "2026-04-01T10:30:00+02:00",
        "notes": "Design review",
    }
    body.update(over)
    return body


def test_lists_only_the_token_owners_entries(client: FlaskClient, side: Side, other: Side) -> None:
    body = get(client, BASE + "/time-entries", side.staff_token).get_json()
    assert body["total"] == 2 and body["total_seconds"] == 5400 + 3600
    assert other.ids["entry"] not in [e["id"] for e in body["items"]]
    filtered = get(
        client, f"{BASE}/time-entries?project_id={side.ids['project']}", side.staff_token
    ).get_json()
    assert [e["id"] for e in filtered["items"]] == [side.ids["entry"]]


@pytest.mark.parametrize("method", ["GET", "PATCH", "DELETE"])
def test_another_persons_entry_is_indistinguishable_from_a_missing_one(
    client: FlaskClient, side: Side, other: Side, method: str
) -> None:
    kw: dict[str, Any] = {"json": {"notes": "x"}} if method == "PATCH" else {}
    theirs = send(client, method, f"/time-entries/{other.ids['entry']}", side.staff_token, **kw)
    missing = send(client, method, f"/time-entries/{MISSING}", side.staff_token, **kw)
    assert theirs.status_code == missing.status_code == 404
    for response in (theirs, missing):
        body = response.get_json()
        body.pop("instance")
        assert body == {
            "type": "about:blank",
            "title": "Not Found",
            "status": 404,
            "detail": "Nothing exists at this address, or it is not yours to see.",
        }


def test_create_read_update_delete(client: FlaskClient, session: Session, side: Side) -> None:
    created = send(client, "POST", "/time-entries", side.staff_token, json=new_entry(side))
    assert created.status_code == 201, created.get_data(as_text=True)
    entry = created.get_json()
    assert entry["duration_seconds"] == 5400 and entry["start_time"].startswith("2026-04-01T07:00")
    assert entry["billable"] is True and entry["locked"] is False
    assert created.headers["Location"] == f"{BASE}/time-entries/{entry['id']}"
    path = f"/time-entries/{entry['id']}"
    read = send(client, "GET", path, side.staff_token)
    assert read.get_json() == entry
    stale = '"0000"'
    refused = send(
        client, "PATCH", path, side.staff_token, json={"notes": "x"}, headers={"If-Match": stale}
    )
    assert refused.status_code == 412
    changed = send(
        client,
        "PATCH",
        path,
        side.staff_token,
        json={"notes": "Changed", "end_time": "2026-04-01T11:00:00+02:00"},
        headers={"If-Match": read.headers["ETag"]},
    )
    assert changed.status_code == 200, changed.get_data(as_text=True)
    assert (
        changed.get_json()["notes"] == "Changed" and changed.get_json()["duration_seconds"] == 7200
    )
    assert (
        send(
            client, "DELETE", path, side.staff_token, headers={"If-Match": read.headers["ETag"]}
        ).status_code
        == 412
    )
    assert send(client, "DELETE", path, side.staff_token).status_code == 204
    assert send(client, "GET", path, side.staff_token).status_code == 404
    session.expire_all()
    assert session.get(TimeEntry, entry["id"]) is None


def test_an_entry_on_an_invoice_is_locked(
    client: FlaskClient, session: Session, side: Side
) -> None:
    invoice = make_invoice(session, side.client)
    entry = session.get(TimeEntry, side.ids["entry"])
    assert entry is not None
    entry.invoice_item_id = invoice.items[0].id
    session.commit()
    path = f"/time-entries/{side.ids['entry']}"
    assert send(client, "GET", path, side.staff_token).get_json()["locked"] is True
    for method, kw in (("PATCH", {"json": {"notes": "x"}}), ("DELETE", {})):
        response = send(client, method, path, side.staff_token, **kw)
        assert response.status_code == 409
        assert "invoice" in response.get_json()["detail"]


@pytest.mark.parametrize(
    ("over", "field"),
    [
        ({"end_time": "2026-04-01T08:00:00+02:00"}, "end_time"),
        ({"end_time": "2026-04-20T08:00:00+02:00"}, "end_time"),
        ({"project_id": MISSING}, "project_id"),
        ({"project_id": 99999999999999}, "project_id"),
        ({"project_id": "1"}, "project_id"),
        ({"start_time": "2026-04-01T09:00:00"}, "start_time"),
        ({"start_time": "9999-12-31T23:00:00-05:00"}, "start_time"),
        ({"start_time": "0001-01-01T00:00:00+01:00"}, "start_time"),
        ({"start_time": "٢٠٢٦-04-01T09:00:00+00:00"}, "start_time"),
        ({"notes": "a\x00b"}, "notes"),
        ({"notes": "x" * 2001}, "notes"),
        ({"unknown": 1}, "unknown"),
    ],
)
def test_a_refused_body_is_a_400_naming_the_field(
    client: FlaskClient, session: Session, side: Side, over: dict[str, Any], field: str
) -> None:
    before = session.scalar(select(TimeEntry.id).order_by(TimeEntry.id.desc()))
    response = send(client, "POST", "/time-entries", side.staff_token, json=new_entry(side, **over))
    assert response.status_code == 400, response.get_data(as_text=True)
    assert field in response.get_json()["errors"]["json"]
    assert session.scalar(select(TimeEntry.id).order_by(TimeEntry.id.desc())) == before


def test_an_archived_project_takes_no_new_time(client: FlaskClient, side: Side) -> None:
    response = send(
        client,
        "POST",
        "/time-entries",
        side.staff_token,
        json=new_entry(side, project_id=side.ids["archived"]),
    )
    assert response.status_code == 400
    assert "archived" in response.get_json()["detail"]


def test_bodies_must_be_json(client: FlaskClient, side: Side) -> None:
    form = send(client, "POST", "/time-entries", side.staff_token, data={"project_id": "1"})
    assert form.status_code == 415
    broken = send(
        client, "POST", "/time-entries", side.staff_token, data="{", content_type="application/json"
    )
    assert broken.status_code == 400
    assert broken.mimetype == "application/problem+json"
    not_an_object = send(
        client,
        "POST",
        "/time-entries",
        side.staff_token,
        data="[]",
        content_type="application/json",
    )
    assert not_an_object.status_code == 400
    too_large = send(
        client,
        "POST",
        "/time-entries",
        side.staff_token,
        data="x" * (2 * 1024 * 1024),
        content_type="application/json",
    )
    assert too_large.status_code == 413
    assert too_large.mimetype == "application/problem+json"


def test_unknown_addresses_and_methods_are_problems(client: FlaskClient, side: Side) -> None:
    unknown = send(client, "GET", "/no-such-thing", side.staff_token)
    assert unknown.status_code == 404 and unknown.mimetype == "application/problem+json"
    wrong = send(client, "PUT", "/time-entries", side.staff_token, json={})
    assert wrong.status_code == 405 and wrong.mimetype == "application/problem+json"
    assert set(wrong.headers["Allow"].split(", ")) >= {"GET", "POST"}


def test_the_timer(client: FlaskClient, side: Side) -> None:
    assert get(client, BASE + "/timer", side.staff_token).get_json() == {
        "running": False,
        "entry": None,
    }
    started = send(
        client,
        "POST",
        "/timer/start",
        side.staff_token,
        json={"project_id": side.ids["project"], "notes": "Call"},
    )
    assert started.status_code == 201 and started.get_json()["entry"]["running"] is True
    again = send(
        client, "POST", "/timer/start", side.staff_token, json={"project_id": side.ids["project"]}
    )
    assert again.status_code == 409
    current = get(client, BASE + "/timer", side.staff_token).get_json()
    assert current["running"] is True and current["entry"]["notes"] == "Call"
    stopped = send(client, "POST", "/timer/stop", side.staff_token)
    assert stopped.status_code == 200 and stopped.get_json()["running"] is False
    assert stopped.get_json()["duration_seconds"] is not None
    assert send(client, "POST", "/timer/stop", side.staff_token).status_code == 409


def test_projects_and_clients_carry_the_workspaces_figures(
    app: Flask, client: FlaskClient, session: Session, side: Side, other: Side
) -> None:
    project = session.get(Project, side.ids["project"])
    assert project is not None
    make_entry(session, project, side.staff, billable=False, minutes=30)
    session.commit()
    listed = get(client, BASE + "/projects?status=all", side.staff_token).get_json()
    assert listed["total"] == 4
    one = get(client, f"{BASE}/projects/{side.ids['project']}", side.staff_token).get_json()
    with app.app_context():
        g.db_session = session
        figures = budget_usage([project])[project.id]
        g.pop("db_session")
    assert (one["seconds"], one["billable_seconds"]) == (figures.seconds, figures.billable_seconds)
    assert one["billable_amount"] == f"{figures.billable_amount:.2f}"
    assert one["budget_hours_pct"] == figures.budget_hours_pct
    assert get(client, f"{BASE}/projects/{MISSING}", side.staff_token).status_code == 404
    active = get(client, BASE + "/projects", side.staff_token).get_json()
    assert {p["status"] for p in active["items"]} == {"active"}
    clients = get(client, BASE + "/clients", side.staff_token).get_json()
    assert clients["total"] == 2
    assert {c["active_projects"] for c in clients["items"]} == {1}
    assert get(client, BASE + "/projects?status=gone", side.staff_token).status_code == 400
