"""Documents in the client portal: reading, downloading and (when allowed) uploading, all
within the contact's own client."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from tests.conftest import csrf_token
from tests.factories import make_portal_user
from tests.sharing import samples
from tests.sharing.conftest import add_document, body, fetch, settings, signed_in, upload
from timetracker.models import AuditEvent, Document, DocumentVersion, ProjectStatus
from timetracker.sharing.responses import DOWNLOAD_CSP


def _routes(document_id: int, version_id: int) -> list[str]:
    return [
        f"/client-portal/documents/{document_id}",
        f"/client-portal/documents/{document_id}/download",
        f"/client-portal/documents/versions/{version_id}/download",
    ]


def test_the_contact_sees_and_downloads_the_clients_documents(app, session, world):
    document, (version,) = add_document(
        app, session, world.client, world.staff, project=world.project, title="Brief"
    )
    client = signed_in(app, world.contact)
    listing = client.get("/client-portal/documents").get_data(as_text=True)
    assert "Brief" in listing and "Website" in listing and "Sam Staff" in listing
    page = client.get(f"/client-portal/projects/{world.project.id}").get_data(as_text=True)
    assert 'id="documents"' in page and "Brief" in page
    response = fetch(client, f"/client-portal/documents/{document.id}/download")
    assert response.status_code == 200
    assert response.data == samples.pdf("Brief")
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.headers["Content-Disposition"] == 'attachment; filename="brief.pdf"'
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Security-Policy"] == DOWNLOAD_CSP
    assert "sandbox" in response.headers["Content-Security-Policy"]
    assert "no-store" in response.headers["Cache-Control"]
    events = session.scalars(
        select(AuditEvent).where(AuditEvent.kind == "document_downloaded")
    ).all()
    assert [(e.client_id, e.actor_id) for e in events] == [(world.client.id, world.contact.id)]


def test_text_downloads_say_their_charset_and_never_render(app, session, world):
    document, (version,) = add_document(
        app, session, world.client, world.staff, files=[(samples.CSV, 'hours "May"\r\n.csv')]
    )
    client = signed_in(app, world.contact)
    url = f"/client-portal/documents/versions/{version.id}/download"
    response = fetch(client, url)
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"] == 'attachment; filename="hours _May_.csv"'


def test_other_clients_documents_and_versions_are_the_same_404_as_missing_ones(app, session, world):
    mine, (my_version,) = add_document(app, session, world.client, world.staff, title="Mine")
    theirs, versions = add_document(
        app,
        session,
        world.other_client,
        world.staff,
        project=world.other_project,
        files=[(samples.pdf("a"), "a.pdf"), (samples.pdf("b"), "b.pdf")],
    )
    client = signed_in(app, world.contact)
    missing = client.get("/client-portal/documents/999999999")
    assert missing.status_code == 404
    # Every id of the other client's document and versions, and a missing version.
    urls = _routes(theirs.id, versions[0].id) + _routes(theirs.id, versions[1].id)
    urls.append("/client-portal/documents/versions/999999999/download")
    for url in urls:
        response = fetch(client, url)
        assert response.status_code == 404, url
        assert body(response) == body(missing), url
    token = csrf_token(client, "/account")
    refused = client.post(
        f"/client-portal/projects/{world.other_project.id}/documents", data={"csrf_token": token}
    )
    gone = client.post("/client-portal/projects/999999999/documents", data={"csrf_token": token})
    assert refused.status_code == gone.status_code == 404
    assert body(refused) == body(gone)
    assert "Mine" in client.get("/client-portal/documents").get_data(as_text=True)


def test_a_removed_document_disappears_from_the_portal(app, session, world):
    document, (version,) = add_document(app, session, world.client, world.staff, title="Old")
    client = signed_in(app, world.contact)
    missing = client.get("/client-portal/documents/999999999")
    admin_user = world.staff
    admin_user.role = "admin"
    session.commit()
    admin = signed_in(app, admin_user)
    token = csrf_token(admin, f"/documents/{document.id}")
    assert (
        admin.post(f"/documents/{document.id}/remove", data={"csrf_token": token}).status_code
        == 303
    )
    for url in _routes(document.id, version.id):
        response = fetch(client, url)
        assert (response.status_code, body(response)) == (404, body(missing)), url
    assert "Old" not in client.get("/client-portal/documents").get_data(as_text=True)
    # Staff still see it, marked removed, with its versions stored.
    page = admin.get(f"/documents/{document.id}").get_data(as_text=True)
    assert "Removed" in page
    assert fetch(admin, f"/documents/versions/{version.id}/download").status_code == 200


def test_hidden_documents_are_not_drawn_and_answer_404(app, session, world):
    document, (version,) = add_document(
        app, session, world.client, world.staff, project=world.project, title="Secret plan"
    )
    settings(session, clients_may_upload=True)
    world.client.portal_shows_documents = False
    session.commit()
    client = signed_in(app, world.contact)
    missing = client.get("/client-portal/documents/999999999")
    for url in ["/client-portal/documents", *_routes(document.id, version.id)]:
        response = fetch(client, url)
        assert (response.status_code, body(response)) == (404, body(missing)), url
    page = client.get(f"/client-portal/projects/{world.project.id}").get_data(as_text=True)
    assert "Secret plan" not in page and 'id="documents"' not in page
    assert "/client-portal/documents" not in client.get("/client-portal").get_data(as_text=True)
    response = upload(
        client, f"/client-portal/projects/{world.project.id}/documents", samples.PDF, "a.pdf"
    )
    assert response.status_code == 404


def test_without_staff_names_the_firm_is_named_for_staff_uploads(app, session, world):
    settings(session, company_name="Firm & Co", clients_may_upload=True)
    world.client.portal_shows_staff_names = False
    session.commit()
    add_document(app, session, world.client, world.staff, title="From the firm")
    add_document(app, session, world.client, world.contact, title="From the client")
    client = signed_in(app, world.contact)
    page = client.get("/client-portal/documents").get_data(as_text=True)
    assert "Sam Staff" not in page
    assert "Firm &amp; Co" in page and "Ann Contact" in page


# Uploads by contacts ---------------------------------------------------------------------------


def _portal_upload(app, world, content=samples.PDF, name="plan.pdf", **kw):
    client = signed_in(app, world.contact)
    path = f"/client-portal/projects/{world.project.id}/documents"
    return client, upload(client, path, content, name, **kw)


def test_contacts_may_not_upload_unless_the_firm_allows_it(app, session, world, files_left):
    _client, response = _portal_upload(app, world)
    assert response.status_code == 403
    assert "does not accept uploads" in response.get_data(as_text=True)
    assert files_left() == []
    assert session.scalar(select(Document.id)) is None


def test_a_contact_uploads_to_an_active_project_once_per_double_click(
    app, session, world, files_left
):
    settings(session, clients_may_upload=True)
    session.commit()
    client, first = _portal_upload(
        app, world, title="Our logo", content=samples.PNG, name="logo.png"
    )
    assert first.status_code == 303
    assert first.headers["Location"].endswith(
        f"/client-portal/projects/{world.project.id}#documents"
    )
    path = f"/client-portal/projects/{world.project.id}/documents"
    second = upload(client, path, samples.PNG, "logo.png", title="Our logo")
    assert second.status_code == 303
    versions = session.scalars(select(DocumentVersion)).all()
    assert len(versions) == 1 and len(files_left()) == 1
    assert versions[0].content_type == "image/png"
    assert versions[0].uploaded_by_name == "Ann Contact"
    document = session.scalar(select(Document))
    assert (document.client_id, document.project_id, document.title) == (
        world.client.id,
        world.project.id,
        "Our logo",
    )
    kinds = session.scalars(select(AuditEvent.kind)).all()
    assert kinds.count("document_uploaded") == 1
    # Staff see it on the project.
    staff = signed_in(app, world.staff)
    assert "Our logo" in staff.get(f"/projects/{world.project.id}").get_data(as_text=True)


def test_a_contact_cannot_upload_to_an_archived_project(app, session, world, files_left):
    settings(session, clients_may_upload=True)
    world.project.status = ProjectStatus.ARCHIVED
    session.commit()
    _client, response = _portal_upload(app, world)
    assert response.status_code == 403
    assert "archived" in response.get_data(as_text=True)
    assert files_left() == []


def test_a_spoofed_portal_upload_is_refused_on_the_page(app, session, world, files_left):
    settings(session, clients_may_upload=True)
    session.commit()
    _client, response = _portal_upload(app, world, content=samples.HTML, name="invoice.pdf")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "not of a type that can be shared" in page and 'id="documents"' in page
    assert files_left() == []
    assert session.scalar(select(Document.id)) is None


def test_a_portal_upload_needs_the_csrf_token(app, session, world, files_left):
    settings(session, clients_may_upload=True)
    session.commit()
    client = signed_in(app, world.contact)
    response = client.post(
        f"/client-portal/projects/{world.project.id}/documents",
        data={"document-file": (io.BytesIO(samples.PDF), "a.pdf")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert files_left() == []


@pytest.mark.parametrize("page", ["abc", "0", "٣"])
def test_a_bad_page_number_is_a_400(app, session, world, page):
    client = signed_in(app, world.contact)
    assert client.get(f"/client-portal/documents?page={page}").status_code == 400
    project = f"/client-portal/projects/{world.project.id}?documents_page={page}"
    assert client.get(project).status_code == 400


def test_portal_uploads_are_rate_limited_per_contact(app, session, world, frozen_clock):
    settings(session, clients_may_upload=True)
    session.commit()
    client = signed_in(app, world.contact)
    path = f"/client-portal/projects/{world.project.id}/documents"
    token = csrf_token(client, "/account")
    answers = []
    for n in range(11):
        response = client.post(
            path,
            data={
                "csrf_token": token,
                "document-file": (io.BytesIO(f"note {n}\n".encode()), f"note-{n}.txt"),
            },
            content_type="multipart/form-data",
        )
        answers.append(response.status_code)
    assert answers == [303] * 10 + [429]
    assert len(session.scalars(select(Document.id)).all()) == 10


def test_portal_downloads_are_rate_limited_per_contact(
    app, session, world, frozen_clock, monkeypatch
):
    monkeypatch.setitem(app.config, "DOCUMENT_DOWNLOAD_LIMIT", "5 per minute")
    document, (version,) = add_document(app, session, world.client, world.staff)
    client = signed_in(app, world.contact)
    url = f"/client-portal/documents/{document.id}/download"
    answers = [fetch(client, url).status_code for _ in range(5)]
    assert answers == [200] * 5
    assert fetch(client, url).status_code == 429
    versions_url = f"/client-portal/documents/versions/{version.id}/download"
    assert fetch(client, versions_url).status_code == 429
    # Another contact has a count of their own.
    other = signed_in(app, make_portal_user(session, world.client))
    assert fetch(other, url).status_code == 200


def test_the_project_section_pages_newest_first_and_past_the_end_shows_the_last_page(
    app, session, world
):
    for n in range(12):
        add_document(
            app, session, world.client, world.staff, project=world.project, title=f"Doc {n:02d}"
        )
    client = signed_in(app, world.contact)
    base = f"/client-portal/projects/{world.project.id}"
    first = client.get(base).get_data(as_text=True)
    assert first.index("Doc 11") < first.index("Doc 02") and "Doc 01" not in first
    assert "documents_page=2" in first
    for url in (f"{base}?documents_page=2", f"{base}?documents_page=99"):
        page = client.get(url).get_data(as_text=True)
        assert "Doc 01" in page and "Doc 00" in page and "Doc 02" not in page
    listing = client.get("/client-portal/documents?page=1").get_data(as_text=True)
    assert listing.index("Doc 11") < listing.index("Doc 00")
