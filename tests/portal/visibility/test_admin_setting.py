"""Administrators choose per client what its contacts see, on the client form; the client page
sums it up, each change is audited, and the portal obeys at once."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.conftest import login, post
from tests.portal.visibility.conftest import STAFF_NAME, VisibilityWorld
from timetracker.audit import Kind
from timetracker.models import AuditEvent, Client

COLUMNS = (
    "portal_shows_staff_names",
    "portal_shows_entry_notes",
    "portal_shows_amounts",
    "portal_shows_time_entries",
    "portal_shows_documents",
)


def _form(client: Client, **overrides: object) -> dict[str, object]:
    """The client form as a browser posts it: a ticked box sends "y", an unticked one nothing."""
    data: dict[str, object] = {
        "name": client.name,
        "currency": client.currency,
        "default_hourly_rate": str(client.default_hourly_rate),
    }
    for column in COLUMNS:
        if overrides.get(column, getattr(client, column)):
            data[column] = "y"
    return data


def _events(session: Session) -> list[AuditEvent]:
    return list(
        session.scalars(
            select(AuditEvent)
            .where(AuditEvent.kind == str(Kind.PORTAL_VISIBILITY_CHANGED))
            .order_by(AuditEvent.id)
        )
    )


@pytest.fixture
def admin_browser(app: Flask, connection, vis: VisibilityWorld) -> FlaskClient:  # type: ignore[no-untyped-def]
    browser = app.test_client()
    assert login(browser, vis.admin.email).status_code == 302
    return browser


def test_the_form_has_five_ticked_boxes_by_default(admin_browser: FlaskClient, vis):
    page = admin_browser.get(f"/clients/{vis.client.id}/edit").get_data(as_text=True)
    assert "What the client's contacts see in the portal" in page
    for column in COLUMNS:
        (box,) = re.findall(f'<input[^>]*name="{column}"[^>]*>', page)
        assert 'type="checkbox"' in box and box.startswith("<input checked ")
    new = admin_browser.get("/clients/new").get_data(as_text=True)
    assert all(f'name="{column}"' in new for column in COLUMNS)


def test_an_administrator_hides_staff_names_and_amounts(
    admin_browser: FlaskClient, app: Flask, vis: VisibilityWorld, session: Session
):
    data = _form(vis.client, portal_shows_staff_names=False, portal_shows_amounts=False)
    response = post(admin_browser, f"/clients/{vis.client.id}/edit", data)
    assert response.status_code == 302
    session.refresh(vis.client)
    assert [getattr(vis.client, c) for c in COLUMNS] == [False, True, False, True, True]
    (event,) = _events(session)
    assert event.client_id == vis.client.id and event.actor_id == vis.admin.id
    assert event.detail == "Staff names: hidden; Hourly rates and billable amounts: hidden"
    detail = admin_browser.get(f"/clients/{vis.client.id}").get_data(as_text=True)
    assert "all but: staff names, hourly rates and billable amounts" in detail
    edit = admin_browser.get(f"/clients/{vis.client.id}/edit").get_data(as_text=True)
    assert 'name="portal_shows_staff_names" type="checkbox" value="y">' in edit
    # The portal obeys at once.
    contact = app.test_client()
    login(contact, vis.contact.email)
    assert STAFF_NAME not in contact.get("/client-portal/time-entries").get_data(as_text=True)
    # Saving again without a change of what is shown records nothing more.
    data = _form(vis.client, portal_shows_staff_names=False, portal_shows_amounts=False)
    assert post(admin_browser, f"/clients/{vis.client.id}/edit", data).status_code == 302
    assert len(_events(session)) == 1
    # Showing them again is audited too.
    assert (
        post(
            admin_browser,
            f"/clients/{vis.client.id}/edit",
            _form(vis.client, **dict.fromkeys(COLUMNS, True)),
        ).status_code
        == 302
    )
    assert _events(session)[-1].detail == (
        "Staff names: shown; Hourly rates and billable amounts: shown"
    )
    detail = admin_browser.get(f"/clients/{vis.client.id}").get_data(as_text=True)
    assert "everything (staff names" in detail


def test_a_new_client_with_hidden_time_entries_is_audited(
    admin_browser: FlaskClient, vis: VisibilityWorld, session: Session
):
    data = {
        "name": "Quiet Corp",
        "currency": "EUR",
        "default_hourly_rate": "90",
        **{c: "y" for c in COLUMNS if c != "portal_shows_time_entries"},
    }
    assert post(admin_browser, "/clients/new", data).status_code == 302
    client = session.scalars(select(Client).where(Client.name == "Quiet Corp")).one()
    assert client.portal_shows_time_entries is False and client.portal_shows_amounts is True
    (event,) = _events(session)
    assert (event.client_id, event.detail) == (client.id, "Time entries: hidden")


def test_a_new_client_shown_everything_records_no_change(
    admin_browser: FlaskClient, vis: VisibilityWorld, session: Session
):
    data = {"name": "Open Corp", "currency": "EUR", "default_hourly_rate": "90"}
    data.update({c: "y" for c in COLUMNS})
    assert post(admin_browser, "/clients/new", data).status_code == 302
    assert _events(session) == []


def test_staff_cannot_change_what_a_client_sees(
    app: Flask, connection, vis: VisibilityWorld, session: Session
):  # type: ignore[no-untyped-def]
    from tests.factories import make_user

    staff = make_user(session, name="Other Staff")
    session.commit()
    browser = app.test_client()
    login(browser, staff.email)
    data = _form(vis.client, portal_shows_amounts=False)
    assert post(browser, f"/clients/{vis.client.id}/edit", data).status_code == 403
    session.refresh(vis.client)
    assert vis.client.portal_shows_amounts is True
    assert _events(session) == []
    # Staff read the summary on the client page.
    page = browser.get(f"/clients/{vis.client.id}").get_data(as_text=True)
    assert 'data-testid="portal-visibility"' in page
