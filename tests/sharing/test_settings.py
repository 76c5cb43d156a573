"""The settings of shared documents, and lists that take a fixed number of queries."""

from __future__ import annotations

import pytest

from tests.conftest import csrf_token
from tests.factories import make_admin
from tests.sharing import samples
from tests.sharing.conftest import add_document, settings, signed_in
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


@pytest.fixture
def admin(app, session):
    person = make_admin(session)
    session.commit()
    return signed_in(app, person)


def _save(admin, session, **values):
    data = {**FORM, **values, "csrf_token": csrf_token(admin, "/admin/settings")}
    response = admin.post("/admin/settings", data=data)
    session.expire_all()
    return response, session.get(Settings, 1)


def test_administrators_set_the_limits_and_client_uploads(admin, session):
    page = admin.get("/admin/settings").get_data(as_text=True)
    assert "Largest document (MB)" in page
    assert "Client contacts may upload documents to their projects" in page
    response, row = _save(
        admin, session, document_max_mb="50", document_quota_mb="0", clients_may_upload="y"
    )
    assert response.status_code == 302
    assert (row.document_max_mb, row.document_quota_mb, row.clients_may_upload) == (50, 0, True)
    response, row = _save(admin, session, document_max_mb="", document_quota_mb="")
    assert response.status_code == 302  # empty: unchanged; the box unticked: no uploads
    assert (row.document_max_mb, row.document_quota_mb, row.clients_may_upload) == (50, 0, False)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("document_max_mb", "0", "Enter 1 to 1024 MB."),
        ("document_max_mb", "2000", "Enter 1 to 1024 MB."),
        ("document_max_mb", "ten", "Enter 1 to 1024 MB."),
        ("document_quota_mb", "-1", "Enter 0 (no limit) to"),
    ],
)
def test_bad_limits_are_refused(admin, session, field, value, message):
    response, row = _save(admin, session, **{field: value})
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert row is None or (row.document_max_mb, row.document_quota_mb) == (25, 1024)


def test_lists_take_the_same_number_of_queries_for_many_documents(
    app, session, world, count_queries
):
    settings(session, clients_may_upload=True)
    admin_user = make_admin(session)
    session.commit()
    contact = signed_in(app, world.contact)
    staff = signed_in(app, admin_user)
    pages = [
        (contact, "/client-portal/documents"),
        (contact, f"/client-portal/projects/{world.project.id}"),
        (staff, f"/clients/{world.client.id}"),
        (staff, f"/projects/{world.project.id}"),
        (staff, "/admin/document-storage"),
    ]

    def counts():
        result = []
        for browser, url in pages:
            before = count_queries.count
            assert browser.get(url).status_code == 200, url
            result.append(count_queries.count - before)
        return result

    add_document(app, session, world.client, world.staff, project=world.project, title="One")
    few = counts()
    for n in range(4):
        add_document(
            app,
            session,
            world.client,
            world.contact if n % 2 else world.staff,
            project=world.project if n % 2 else None,
            files=[(samples.pdf(f"{n}a"), "a.pdf"), (samples.pdf(f"{n}b"), "b.pdf")],
        )
    assert counts() == few
