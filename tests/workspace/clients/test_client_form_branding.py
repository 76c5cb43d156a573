"""The client form's VAT ID, and its accent colour: a picker beside the text field, a live
contrast preview (static/js/branding.js) and, on saving, the server's warning for a pale
colour (saved all the same)."""

from __future__ import annotations

import re

import pytest

from tests.logos.conftest import as_admin, save_client  # noqa: F401 - a fixture
from tests.portal.conftest import world  # noqa: F401 - a fixture


def test_vat_id_saved_compact_and_cleared(as_admin, session, world):  # noqa: F811
    customer = world.a.client
    assert save_client(as_admin, session, customer, vat_id=" fr 12 345678901 ").status_code == 302
    session.refresh(customer)
    assert customer.vat_id == "FR12345678901"
    assert save_client(as_admin, session, customer, vat_id="").status_code == 302
    session.refresh(customer)
    assert customer.vat_id is None


@pytest.mark.parametrize("typed", ["F1", "FR12345678901234", "12345", "FR_123"])
def test_a_bad_vat_id_is_400_and_writes_nothing(as_admin, session, world, typed):  # noqa: F811
    customer = world.a.client
    response = save_client(as_admin, session, customer, vat_id=typed, portal_display_name="X")
    assert response.status_code == 400
    assert "2-letter country code followed by 2 to 13" in response.get_data(as_text=True)
    session.refresh(customer)
    assert customer.vat_id is None and customer.portal_display_name is None


def test_the_form_has_a_picker_and_a_preview(as_admin, world):  # noqa: F811
    html = as_admin.get(f"/clients/{world.a.client.id}/edit").get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in html
    picker = re.search(r'<input type="color"[^>]*>', html).group(0)
    assert 'value="#1f4e79"' in picker and 'aria-label="Pick the accent colour"' in picker
    assert re.search(r'<input[^>]*data-accent-text[^>]*name="portal_accent_color"', html) or (
        re.search(r'<input[^>]*name="portal_accent_color"[^>]*data-accent-text', html)
    )
    assert 'data-testid="accent-preview"' in html and 'data-testid="accent-warning"' in html
    assert re.search(r'<script src="/static/js/branding\.js\?v=[0-9a-f]{12}" defer></script>', html)
    assert " style=" not in html  # the CSP: colours are set by the script through the CSSOM


def test_a_pale_accent_is_saved_with_a_warning(as_admin, session, world):  # noqa: F811
    customer = world.a.client
    response = save_client(as_admin, session, customer, portal_accent_color="#FFD700")
    assert response.status_code == 302
    session.refresh(customer)
    assert customer.portal_accent_color == "#ffd700"
    page = as_admin.get(response.headers["Location"]).get_data(as_text=True)
    assert "The accent colour #FFD700 has a contrast of only 1.40:1 against white" in page


def test_a_dark_accent_gets_no_warning(as_admin, session, world):  # noqa: F811
    response = save_client(as_admin, session, world.a.client, portal_accent_color="#1f4e79")
    page = as_admin.get(response.headers["Location"]).get_data(as_text=True)
    assert "has a contrast of only" not in page
