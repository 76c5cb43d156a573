"""Signed-in browsers for the logo tests, and the settings and client forms as they post."""

from __future__ import annotations

import io
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from tests.conftest import csrf_token
from tests.portal.conftest import World, signed_in
from tests.portal.conftest import world as world  # noqa: PLC0414 - the fixture, shared
from timetracker.models import AuditEvent, Logo, Settings

SETTINGS_FORM = {
    "company_name": "Northwind Studio",
    "currency": "EUR",
    "timezone": "UTC",
    "locale": "en_US",
    "payment_terms_days": "30",
    "invoice_rounding_minutes": "0",
    "require_two_factor": "none",
    "audit_retention_days": "730",
}


@pytest.fixture
def as_admin(app: Flask, connection: Any, world: World) -> FlaskClient:  # noqa: F811
    return signed_in(app, world.admin)


def file(data: bytes, name: str, mimetype: str = "application/octet-stream") -> FileStorage:
    return FileStorage(io.BytesIO(data), filename=name, content_type=mimetype)


def post_multipart(browser: FlaskClient, path: str, data: dict[str, Any]) -> Any:
    """A multipart POST encoded in memory: the test client would spool a body over 500 KB to a
    temporary file that nothing closes (the app reads the body into memory and replaces it)."""
    boundary, body = encode_multipart(data)
    return browser.post(path, data=body, content_type=f"multipart/form-data; boundary={boundary}")


def save_settings(browser: FlaskClient, session: Session, **values: Any) -> Any:
    data = {**SETTINGS_FORM, **values, "csrf_token": csrf_token(browser, "/admin/settings")}
    response = post_multipart(browser, "/admin/settings", data)
    session.expire_all()
    return response


def client_form(client: Any, **changes: Any) -> dict[str, Any]:
    data = {
        "name": client.name,
        "currency": client.currency,
        "default_hourly_rate": str(client.default_hourly_rate),
    }
    data.update(changes)
    return data


def save_client(browser: FlaskClient, session: Session, client: Any, **changes: Any) -> Any:
    path = f"/clients/{client.id}/edit"
    data = {**client_form(client, **changes), "csrf_token": csrf_token(browser, path)}
    response = post_multipart(browser, path, data)
    session.expire_all()
    return response


def logo_count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Logo)) or 0


def logo_events(session: Session) -> list[AuditEvent]:
    return list(session.scalars(select(AuditEvent).where(AuditEvent.kind == "logo_changed")))


def firm(session: Session) -> Settings:
    row = session.get(Settings, 1)
    assert row is not None
    return row
