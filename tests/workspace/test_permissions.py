"""Who may open what: every workspace page checks its permission on the server."""

from __future__ import annotations

import pytest

from tests.conftest import post
from tests.factories import make_client, make_entry, make_invoice, make_project
from timetracker.models import Client, InvoiceStatus


@pytest.fixture
def ids(session, staff):
    customer = make_client(session)
    project = make_project(session, customer)
    entry = make_entry(session, project, staff)
    invoice = make_invoice(session, customer, status=InvoiceStatus.DRAFT)
    return {
        "client": customer.id,
        "project": project.id,
        "entry": entry.id,
        "invoice": invoice.id,
        "item": invoice.items[0].id,
    }


STAFF_PAGES = [
    "/dashboard",
    "/time",
    "/time/week",
    "/time/new",
    "/time/{entry}/edit",
    "/clients",
    "/clients/{client}",
    "/projects",
    "/projects/{project}",
    "/invoices",
    "/invoices/{invoice}",
    "/reports",
]
ADMIN_PAGES = [
    "/clients/new",
    "/clients/{client}/edit",
    "/projects/new",
    "/projects/{project}/edit",
    "/invoices/new",
    "/invoices/{invoice}/edit",
    "/invoices/{invoice}/items/{item}/edit",
]
ADMIN_ACTIONS = [
    "/clients/new",
    "/clients/{client}/edit",
    "/clients/{client}/deactivate",
    "/clients/{client}/reactivate",
    "/projects/new",
    "/projects/{project}/edit",
    "/projects/{project}/archive",
    "/projects/{project}/unarchive",
    "/invoices/new",
    "/invoices/{invoice}/edit",
    "/invoices/{invoice}/items",
    "/invoices/{invoice}/items/{item}/edit",
    "/invoices/{invoice}/items/{item}/delete",
    "/invoices/{invoice}/send",
    "/invoices/{invoice}/payments",
    "/invoices/{invoice}/cancel",
]


@pytest.mark.parametrize("path", STAFF_PAGES + ADMIN_PAGES)
def test_anonymous_visitor_is_sent_to_login(client, ids, path):
    response = client.get(path.format(**ids))
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


@pytest.mark.parametrize("path", STAFF_PAGES + ADMIN_PAGES)
def test_portal_user_is_refused_every_workspace_page(as_portal, ids, path):
    response = as_portal.get(path.format(**ids))
    assert response.status_code == 403
    assert "client portal only" in response.get_data(as_text=True)


@pytest.mark.parametrize("path", ["/time/timer/start", "/time/timer/stop", "/time/new"])
def test_portal_user_cannot_post_time(as_portal, ids, path):
    assert post(as_portal, path, {}, token_from="/account").status_code == 403


@pytest.mark.parametrize("path", STAFF_PAGES)
def test_staff_opens_every_reading_page(as_staff, ids, path):
    assert as_staff.get(path.format(**ids)).status_code == 200


@pytest.mark.parametrize("path", ADMIN_PAGES)
def test_staff_is_refused_management_pages(as_staff, ids, path):
    response = as_staff.get(path.format(**ids))
    assert response.status_code == 403
    assert "administrators only" in response.get_data(as_text=True)


@pytest.mark.parametrize("path", ADMIN_ACTIONS)
def test_staff_cannot_change_clients_projects_or_invoices(as_staff, session, ids, path):
    response = post(as_staff, path.format(**ids), {"name": "Changed"})
    assert response.status_code == 403
    session.expire_all()
    assert session.get(Client, ids["client"]).is_active


@pytest.mark.parametrize("path", STAFF_PAGES + ADMIN_PAGES)
def test_admin_opens_every_page(as_admin, ids, path):
    assert as_admin.get(path.format(**ids)).status_code == 200


def test_staff_sees_no_management_buttons(as_staff, ids):
    html = as_staff.get(f"/clients/{ids['client']}").get_data(as_text=True)
    assert "Deactivate" not in html and "New project" not in html
    assert "New invoice" not in as_staff.get("/invoices").get_data(as_text=True)


def test_navigation_lists_the_workspace_and_admin_only_for_admins(as_staff, as_admin):
    staff_html = as_staff.get("/dashboard").get_data(as_text=True)
    for label in ("Dashboard", "Time", "Projects", "Clients", "Invoices", "Reports"):
        assert f">{label}</a>" in staff_html
    assert ">Admin</a>" not in staff_html
    assert ">Admin</a>" in as_admin.get("/dashboard").get_data(as_text=True)


def test_writes_without_csrf_token_are_refused(as_admin, session):
    response = as_admin.post("/clients/new", data={"name": "No token", "currency": "EUR"})
    assert response.status_code == 400
    assert session.query(Client).filter_by(name="No token").count() == 0


@pytest.mark.parametrize("path", ["/time/timer/stop", "/invoices/{invoice}/send/email"])
def test_writes_refuse_get(as_admin, ids, path):
    assert as_admin.get(path.format(**ids)).status_code == 405


def test_unknown_ids_are_404(as_admin):
    for path in ("/clients/999999", "/projects/999999", "/invoices/999999", "/time/999999/edit"):
        assert as_admin.get(path).status_code == 404
