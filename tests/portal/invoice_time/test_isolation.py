"""Every route of the feature answers another client's invoice, a draft, and a line of another
invoice exactly like a missing id."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.portal.invoice_time.conftest import World
from tests.test_client_portal import same_page
from timetracker.models import InvoiceItem

ROUTES = ("/client-portal/invoices/{id}/time", "/client-portal/invoices/{id}/time.csv")


@pytest.mark.parametrize("route", ROUTES)
def test_foreign_and_draft_invoices_are_indistinguishable_from_missing(
    alpha: FlaskClient, world: World, route: str
):
    missing = alpha.get(route.format(id=999999))
    assert missing.status_code == 404
    for other in (world.b.invoice.id, world.b.draft.id, world.a.draft.id):
        response = alpha.get(route.format(id=other))
        assert response.status_code == 404
        assert same_page(response) == same_page(missing)


def test_a_line_of_another_invoice_is_a_missing_line(
    alpha: FlaskClient, world: World, session: Session
):
    base = f"/client-portal/invoices/{world.a.invoice.id}/time"
    missing = alpha.get(base + "?line=999999")
    assert missing.status_code == 404
    manual = session.scalar(
        select(InvoiceItem.id).where(
            InvoiceItem.invoice_id == world.a.invoice.id,
            InvoiceItem.description == "Domain renewal",
        )
    )
    foreign = session.scalars(
        select(InvoiceItem.id).where(
            InvoiceItem.invoice_id.in_([world.b.invoice.id, world.a.draft.id])
        )
    ).all()
    for line in [manual, *foreign]:
        response = alpha.get(f"{base}?line={line}")
        assert response.status_code == 404 and same_page(response) == same_page(missing)


def test_staff_are_not_let_in(app, world: World):
    from tests.portal.invoice_time.conftest import signed_in

    browser = signed_in(app, world.admin)
    for route in ROUTES:
        assert browser.get(route.format(id=world.a.invoice.id)).status_code in (302, 403, 404)
