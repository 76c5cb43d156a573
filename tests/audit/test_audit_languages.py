"""The audit trail's page and CSV name the kinds of events in the reader's language. They read
the compiled catalogs (``make catalogs``)."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient


@pytest.mark.parametrize(
    ("language", "option", "column"),
    [
        ("de", '<option value="sign_in">Anmeldung</option>', "Zeitpunkt ("),
        ("fr", '<option value="quote_sent">Devis envoyé</option>', "Date ("),
    ],
)
def test_the_trail_names_events_in_the_browsers_language(
    as_admin: FlaskClient, language: str, option: str, column: str
) -> None:
    headers = {"Accept-Language": language}
    html = as_admin.get("/admin/audit", headers=headers).get_data(as_text=True)
    assert option in html
    csv_text = as_admin.get("/admin/audit.csv", headers=headers).get_data(as_text=True)
    assert csv_text.lstrip("\ufeff").startswith(column)
