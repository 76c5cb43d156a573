"""Shared documents in a real browser: a member of staff uploads a file to a client's project,
and one of the client's contacts finds it under Documents in the portal and downloads it. The
test makes its own client, project, staff member and contact, so no other flow sees them."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from tests.e2e.seed import PASSWORD
from tests.e2e.support import Browse
from timetracker import create_app, db
from timetracker.auth.passwords import hash_password
from timetracker.models import Client, Project, Role, User

BRIEF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@dataclass(frozen=True)
class Made:
    staff_email: str
    contact_email: str
    project_id: int


def _make(database_url: str) -> Made:
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "e2e-documents",
            "DATABASE_URL": database_url,
            "REDIS_URL": None,
            "RATELIMIT_STORAGE_URI": "memory://",
            "MAIL_ENABLED": False,
        }
    )
    try:
        with app.app_context():
            session = db.session
            client = Client(
                name="Globex Film", currency="EUR", default_hourly_rate=Decimal("90.00")
            )
            session.add(client)
            session.flush()
            project = Project(name="Glider redesign", client_id=client.id)
            staff = User(
                name="Dana Designer",
                email="dana@documents.example",
                password_hash=hash_password(PASSWORD),
                role=Role.STAFF,
            )
            contact = User(
                name="Norman Osborn",
                email="norman@globex.example",
                password_hash=hash_password(PASSWORD),
                role=Role.CLIENT,
                client_portal_enabled=True,
                client_id=client.id,
            )
            session.add_all([project, staff, contact])
            session.commit()
            return Made(staff.email, contact.email, project.id)
    finally:
        app.extensions["timetracker.engine"].dispose()


def test_staff_share_a_document_that_the_client_downloads_in_the_portal(browse: Browse):
    made = _make(browse.server.database_url)
    page = browse.page
    main = page.locator("main")

    # Staff upload a brief to the project.
    browse.login(made.staff_email, PASSWORD)
    browse.goto(f"/projects/{made.project_id}")
    form = page.get_by_role("form", name="Upload a document")
    form.get_by_label("File").set_input_files(
        {"name": 'Kick-off "brief".pdf', "mimeType": "application/pdf", "buffer": BRIEF}
    )
    form.get_by_label("Title").fill("Kick-off brief")
    browse.click_and_wait(form.get_by_role("button", name="Upload document"))
    assert browse.path == f"/projects/{made.project_id}"
    assert "“Kick-off brief” was uploaded" in main.inner_text()
    documents = page.locator("#documents").get_by_test_id("documents")
    assert "Kick-off brief" in documents.inner_text()
    browse.screens("workspace-project-documents")
    # Its page lists the version and offers a new one.
    browse.click_and_wait(documents.get_by_role("link", name="Kick-off brief", exact=True))
    assert page.get_by_test_id("versions").locator("tbody tr").count() == 1
    assert page.get_by_role("button", name="Upload new version").count() == 1
    browse.logout()

    # The client's contact finds it under Documents and downloads it.
    browse.login(made.contact_email, PASSWORD)
    nav = page.get_by_role("navigation", name="Main")
    browse.click_and_wait(nav.get_by_role("link", name="Documents"))
    assert browse.path == "/client-portal/documents"
    row = main.get_by_test_id("documents").locator("tbody tr").filter(has_text="Kick-off brief")
    assert "Glider redesign" in row.inner_text()
    assert "Dana Designer" in row.inner_text()
    browse.screens("portal-documents-flow")
    link = row.get_by_role("link", name="Download")
    browse.expect_download(link.get_attribute("href"))
    with page.expect_download() as download:
        link.click()
    assert download.value.suggested_filename == "Kick-off _brief_.pdf"
    with open(download.value.path(), "rb") as saved:
        assert saved.read() == BRIEF

    # Its page lists its versions.
    browse.click_and_wait(row.get_by_role("link", name="Kick-off brief", exact=True))
    assert "Glider redesign" in main.inner_text()
    assert page.get_by_test_id("versions").locator("tbody tr").count() == 1

    # The project page shows it too.
    browse.goto(f"/client-portal/projects/{made.project_id}")
    assert "Kick-off brief" in page.locator("#documents").inner_text()
