"""The administrators' webhook pages: validation (400 with a message), audit, access."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.conftest import login, post
from tests.factories import make_client, make_portal_user, make_user
from tests.webhooks.conftest import make_endpoint
from timetracker.audit import Kind
from timetracker.models import AuditEvent
from timetracker.models.api import WebhookEndpoint
from timetracker.webhooks.events import write_deliveries

PUBLIC_URL = "https://93.184.215.14/hooks"  # a public address: nothing to resolve


def _add(client: FlaskClient, url: str, events: list[str] | None = None, **extra: str):  # type: ignore[no-untyped-def]
    data = {"url": url, "description": "Accounting", "events": events or ["invoice.sent"], **extra}
    return post(client, "/admin/webhooks/new", data)


def _audit(session: Session, kind: Kind) -> list[AuditEvent]:
    return list(session.scalars(select(AuditEvent).where(AuditEvent.kind == kind)))


def test_adding_an_endpoint_makes_a_secret_and_is_audited(
    as_admin: FlaskClient, session: Session
) -> None:
    response = _add(as_admin, PUBLIC_URL, ["invoice.sent", "time_entry.created"])
    assert response.status_code == 302
    endpoint = session.scalars(select(WebhookEndpoint)).one()
    assert response.headers["Location"].endswith(f"/admin/webhooks/{endpoint.id}")
    assert endpoint.url == PUBLIC_URL
    assert endpoint.events == "invoice.sent time_entry.created"
    assert endpoint.secret.startswith("whsec_")
    (event,) = _audit(session, Kind.WEBHOOK_ADDED)
    assert PUBLIC_URL in (event.detail or "") and endpoint.secret not in (event.detail or "")
    page = as_admin.get(f"/admin/webhooks/{endpoint.id}").get_data(as_text=True)
    assert endpoint.secret in page and "Send test event" in page
    listing = as_admin.get("/admin/webhooks").get_data(as_text=True)
    assert PUBLIC_URL in listing and endpoint.secret not in listing


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://93.184.215.14/hooks", "Only https:// URLs are allowed"),
        ("ftp://93.184.215.14/hooks", "must start with https://"),
        ("not a url", "must not contain spaces"),
        ("example.com/hooks", "must start with https://"),
        ("https://", "has no host name"),
        ("https://93.184.215.14:99999/", "not a valid URL"),
        ("https://user:pw@93.184.215.14/", "no user name or password"),
        ("https://127.0.0.1/hooks", "private, loopback or link-local"),
        ("https://localhost:8443/hooks", "private, loopback or link-local"),
        ("https://10.1.2.3/hooks", "private, loopback or link-local"),
        ("https://169.254.169.254/latest/meta-data", "private, loopback or link-local"),
        ("https://[::1]/hooks", "private, loopback or link-local"),
        ("https://[::ffff:192.168.0.1]/hooks", "private, loopback or link-local"),
        ("https://no-such-host.invalid/hooks", "could not be resolved"),
        ("", "Enter the URL of the endpoint"),
        ("https://93.184.215.14/" + "a" * 2000, "too long"),
    ],
)
def test_bad_urls_are_refused_with_a_message(
    as_admin: FlaskClient, session: Session, url: str, message: str
) -> None:
    response = _add(as_admin, url)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert session.scalars(select(WebhookEndpoint)).all() == []


def test_private_hosts_are_allowed_when_the_operator_says_so(
    app: Flask, as_admin: FlaskClient, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(app.config, "WEBHOOK_ALLOW_PRIVATE", True)
    assert _add(as_admin, "https://127.0.0.1:8443/hooks").status_code == 302


def test_events_are_required_and_must_be_known(as_admin: FlaskClient, session: Session) -> None:
    response = post(as_admin, "/admin/webhooks/new", {"url": PUBLIC_URL})
    assert response.status_code == 400
    assert "Choose at least one event" in response.get_data(as_text=True)
    response = _add(as_admin, PUBLIC_URL, ["invoice.deleted"])
    assert response.status_code == 400
    assert "Unknown event: invoice.deleted" in response.get_data(as_text=True)


def test_editing_is_audited_with_what_changed(as_admin: FlaskClient, session: Session) -> None:
    endpoint = make_endpoint(session, PUBLIC_URL, events="invoice.sent")
    page = as_admin.get(f"/admin/webhooks/{endpoint.id}/edit").get_data(as_text=True)
    assert 'value="invoice.sent" checked' in page or "checked" in page
    response = post(
        as_admin,
        f"/admin/webhooks/{endpoint.id}/edit",
        {"url": PUBLIC_URL, "description": "", "events": ["invoice.paid"]},
    )
    assert response.status_code == 302
    session.refresh(endpoint)
    assert (endpoint.events, endpoint.is_active, endpoint.description) == (
        "invoice.paid",
        False,  # the "On" box was not ticked
        None,
    )
    (event,) = _audit(session, Kind.WEBHOOK_CHANGED)
    assert "events: invoice.paid" in (event.detail or "") and "turned off" in (event.detail or "")
    response = post(
        as_admin,
        f"/admin/webhooks/{endpoint.id}/edit",
        {"url": "http://93.184.215.14/", "events": ["invoice.paid"]},
    )
    assert response.status_code == 400
    assert "Only https:// URLs are allowed" in response.get_data(as_text=True)


def test_a_missing_endpoint_is_404_everywhere(as_admin: FlaskClient) -> None:
    assert as_admin.get("/admin/webhooks/424242").status_code == 404
    assert as_admin.get("/admin/webhooks/424242/edit").status_code == 404
    for action in ("delete", "secret", "test"):
        assert post(as_admin, f"/admin/webhooks/424242/{action}").status_code == 404


def test_buttons_need_the_csrf_token(as_admin: FlaskClient, session: Session) -> None:
    endpoint = make_endpoint(session, PUBLIC_URL)
    for action in ("delete", "secret", "test"):
        response = as_admin.post(f"/admin/webhooks/{endpoint.id}/{action}")
        assert response.status_code == 400
    assert session.get(WebhookEndpoint, endpoint.id) is not None


def test_test_event_on_an_endpoint_turned_off_is_refused(
    as_admin: FlaskClient, session: Session
) -> None:
    endpoint = make_endpoint(session, PUBLIC_URL, is_active=False)
    response = post(as_admin, f"/admin/webhooks/{endpoint.id}/test")
    assert response.status_code == 400
    assert "turned off" in response.get_data(as_text=True)


def test_deliveries_are_paginated_newest_first(
    app: Flask, as_admin: FlaskClient, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(app.config, "PAGE_SIZE", 2)
    endpoint = make_endpoint(session, PUBLIC_URL)
    ids = [write_deliveries(session, "invoice.sent", {"n": n}, [endpoint])[0].id for n in range(3)]
    first = as_admin.get(f"/admin/webhooks/{endpoint.id}").get_data(as_text=True)
    second = as_admin.get(f"/admin/webhooks/{endpoint.id}?page=2").get_data(as_text=True)
    assert f'data-delivery-id="{ids[2]}"' in first and f'data-delivery-id="{ids[0]}"' not in first
    assert f'data-delivery-id="{ids[0]}"' in second
    response = as_admin.get(f"/admin/webhooks/{endpoint.id}?page=abc")
    assert response.status_code == 400


def test_only_administrators_reach_the_pages(
    app: Flask, client: FlaskClient, session: Session
) -> None:
    endpoint = make_endpoint(session, PUBLIC_URL)
    for user in (make_user(session), make_portal_user(session, make_client(session))):
        browser = app.test_client()
        login(browser, user.email)
        assert browser.get("/admin/webhooks").status_code == 403
        assert browser.get(f"/admin/webhooks/{endpoint.id}").status_code == 403
    assert client.get("/admin/webhooks").status_code == 302  # to the login page


def test_the_form_offers_every_event_ticked_by_default(as_admin: FlaskClient) -> None:
    page = as_admin.get("/admin/webhooks/new").get_data(as_text=True)
    for event in ("invoice.sent", "invoice.paid", "invoice.reopened", "time_entry.created"):
        assert f'value="{event}"' in page
    assert page.count("checked") >= 4
    assert "No endpoint is registered." in as_admin.get("/admin/webhooks").get_data(as_text=True)
