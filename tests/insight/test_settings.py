"""The administrators' choice whether budget alerts go to the client's contacts too."""

from __future__ import annotations

import re

from flask import Flask
from sqlalchemy.orm import Session

from tests.conftest import csrf_token, login
from tests.factories import make_admin
from timetracker.models import Settings

FORM = {
    "company_name": "Northwind Studio",
    "currency": "EUR",
    "timezone": "UTC",
    "locale": "en_US",
    "payment_terms_days": "30",
    "invoice_rounding_minutes": "0",
    "require_two_factor": "none",
    "audit_retention_days": "730",
}


def test_the_box_emails_budget_alerts_to_contacts_and_unticked_stops_it(
    app: Flask, connection: object, session: Session
) -> None:
    admin = make_admin(session)
    browser = app.test_client()
    login(browser, admin.email)
    page = browser.get("/admin/settings").get_data(as_text=True)
    assert "Email budget alerts to the client&#39;s contacts" in page

    def save(**values: str) -> Settings:
        data = {**FORM, **values, "csrf_token": csrf_token(browser, "/admin/settings")}
        assert browser.post("/admin/settings", data=data).status_code == 302
        session.expire_all()
        row = session.get(Settings, 1)
        assert row is not None
        return row

    assert save(budget_alerts_to_clients="y").budget_alerts_to_clients is True
    html = browser.get("/admin/settings").get_data(as_text=True)
    box = re.search(r"<input[^>]*budget_alerts_to_clients[^>]*>", html)
    assert box and "checked" in box.group(0)
    assert save().budget_alerts_to_clients is False
