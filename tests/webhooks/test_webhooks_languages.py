"""The webhook pages speak the browser's language, and the "turned off" email its
administrator's. They read the compiled catalogs (``make catalogs``)."""

from __future__ import annotations

import datetime as dt

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from tests.webhooks.conftest import make_endpoint
from timetracker.models import User
from timetracker.webhooks import notify


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("de", ["Endpunkt hinzufügen", "Es ist kein Endpunkt eingerichtet."]),
        ("fr", ["Ajouter un point de terminaison", "Aucun point de terminaison n’est enregistré."]),
    ],
)
def test_the_webhook_list_speaks_the_browsers_language(
    as_admin: FlaskClient, language: str, expected: list[str]
) -> None:
    html = as_admin.get("/admin/webhooks", headers={"Accept-Language": language}).get_data(
        as_text=True
    )
    for text in expected:
        assert text in html


@pytest.mark.parametrize(
    ("language", "subject", "greeting"),
    [
        ("de", "Webhook ausgeschaltet: https://93.184.215.14/hooks", "Guten Tag Ada Admin,"),
        # A subject is one line of plain spaces (``mail.one_line``).
        ("fr", "Webhook désactivé : https://93.184.215.14/hooks", "Bonjour Ada Admin,"),
    ],
)
def test_the_turned_off_email_speaks_the_administrators_language(
    app: Flask, session: Session, admin: User, language: str, subject: str, greeting: str
) -> None:
    admin.language = language
    endpoint = make_endpoint(
        session,
        "https://93.184.215.14/hooks",
        disabled_at=dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC),
        disabled_reason="Turned off after 5 deliveries in a row failed.",
        is_active=False,
    )
    with app.test_request_context():
        message = notify.compose(endpoint, admin)
    assert message["Subject"] == subject
    assert greeting in message.get_body(("plain",)).get_content()
