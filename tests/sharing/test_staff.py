"""The staff's side: uploads to a client or project, limits, types, versions, quota, removal."""

from __future__ import annotations

import io

import pytest
from flask import Response, g
from sqlalchemy import select

from tests.conftest import csrf_token
from tests.factories import make_admin
from tests.sharing import samples
from tests.sharing.conftest import add_document, fetch, settings, signed_in, upload
from timetracker import _finish_transaction
from timetracker.models import AuditEvent, Document, DocumentVersion
from timetracker.sharing import operations
from timetracker.sharing.validation import MB


def _versions(session):
    return session.scalars(select(DocumentVersion).order_by(DocumentVersion.id)).all()


def test_staff_upload_to_a_client_and_to_a_project(app, session, world, files_left):
    staff = signed_in(app, world.staff)
    page = f"/clients/{world.client.id}"
    response = upload(
        staff,
        f"/clients/{world.client.id}/documents",
        samples.DOCX,
        "Offer.docx",
        title="Offer 2026",
        token_from=page,
    )
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/clients/{world.client.id}#documents")
    response = upload(
        staff, f"/projects/{world.project.id}/documents", samples.CSV, "hours.csv", token_from=page
    )
    assert response.status_code == 303
    documents = session.scalars(select(Document).order_by(Document.id)).all()
    assert [(d.client_id, d.project_id, d.title) for d in documents] == [
        (world.client.id, None, "Offer 2026"),
        (world.client.id, world.project.id, "hours.csv"),
    ]
    versions = _versions(session)
    assert [v.content_type for v in versions] == [
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "text/csv",
    ]
    assert sorted(v.storage_key for v in versions) == files_left()
    assert all("Offer" not in key for key in files_left())
    client_page = staff.get(page).get_data(as_text=True)
    assert "Offer 2026" in client_page and "hours.csv" in client_page
    project_page = staff.get(f"/projects/{world.project.id}").get_data(as_text=True)
    assert "hours.csv" in project_page and "Offer 2026" not in project_page
    kinds = session.scalars(select(AuditEvent.kind)).all()
    assert kinds.count("document_uploaded") == 2


def test_the_form_names_its_fields_and_buttons(app, session, world):
    staff = signed_in(app, world.staff)
    page = staff.get(f"/projects/{world.project.id}").get_data(as_text=True)
    assert ">File</label>" in page and ">Title</label>" in page
    assert 'value="Upload document"' in page and 'enctype="multipart/form-data"' in page


@pytest.mark.parametrize(
    ("content", "name"),
    [
        (samples.HTML, "report.pdf"),
        (samples.SCRIPT, "invoice.pdf"),
        (samples.JAVASCRIPT, "invoice.pdf"),
        (samples.SVG, "logo.svg"),
        (samples.HTML, "page.html"),
        (samples.EXE, "setup.pdf"),
    ],
)
def test_spoofed_and_dangerous_uploads_are_refused_and_store_nothing(
    app, session, world, files_left, content, name
):
    staff = signed_in(app, world.staff)
    response = upload(staff, f"/projects/{world.project.id}/documents", content, name)
    assert response.status_code == 400
    assert "Allowed: PDF" in response.get_data(as_text=True)
    assert files_left() == []
    assert session.scalar(select(Document.id)) is None


def test_an_upload_without_a_file_says_so(app, session, world):
    staff = signed_in(app, world.staff)
    token = csrf_token(staff, "/account")
    response = staff.post(f"/projects/{world.project.id}/documents", data={"csrf_token": token})
    assert response.status_code == 400
    assert "Choose a file to upload." in response.get_data(as_text=True)


def test_an_upload_needs_the_csrf_token(app, session, world, files_left):
    staff = signed_in(app, world.staff)
    response = staff.post(
        f"/clients/{world.client.id}/documents",
        data={"document-file": (io.BytesIO(samples.PDF), "a.pdf")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert files_left() == []


def test_uploads_take_files_up_to_the_settings_limit_not_the_global_one(
    app, session, world, files_left
):
    settings(session, document_max_mb=2)
    session.commit()
    staff = signed_in(app, world.staff)
    path = f"/clients/{world.client.id}/documents"
    big = samples.PDF + b"0" * (MB + MB // 2)  # over the 1 MB of every other form
    assert upload(staff, path, big, "big.pdf").status_code == 303
    over = samples.PDF + b"0" * (2 * MB)  # just over the file limit, inside the request's
    response = upload(staff, path, over, "over.pdf")
    assert response.status_code == 400
    assert "larger than the limit of 2 MB" in response.get_data(as_text=True)
    far_over = samples.PDF + b"0" * (3 * MB)  # over the request's limit
    response = upload(staff, path, far_over, "far.pdf")
    assert response.status_code == 413
    assert "larger than the limit of 2 MB" in response.get_data(as_text=True)
    assert len(files_left()) == 1 and len(_versions(session)) == 1


def test_other_forms_keep_the_global_limit(app, session, world):
    staff = signed_in(app, world.staff)
    token = csrf_token(staff, "/account")
    response = staff.post("/account", data={"csrf_token": token, "name": "x" * (2 * MB)})
    assert response.status_code == 413


def test_a_new_version_keeps_the_old_ones(app, session, world, files_left):
    document, (first,) = add_document(app, session, world.client, world.staff, title="Plan")
    staff = signed_in(app, world.staff)
    page = f"/documents/{document.id}"
    assert "Upload new version" in staff.get(page).get_data(as_text=True)
    path = f"/documents/{document.id}/versions"
    response = upload(
        staff, path, samples.pdf("v2"), "plan-v2.pdf", prefix="version", token_from=page
    )
    assert response.status_code == 303
    # The same file again (a double click): no third version.
    response = upload(
        staff, path, samples.pdf("v2"), "plan-v2.pdf", prefix="version", token_from=page
    )
    assert response.status_code == 303
    versions = _versions(session)
    assert [(v.number, v.filename) for v in versions] == [(1, "brief.pdf"), (2, "plan-v2.pdf")]
    assert len(files_left()) == 2
    assert fetch(staff, f"/documents/versions/{first.id}/download").data == samples.pdf("Plan")
    contact = signed_in(app, world.contact)
    assert fetch(contact, f"/client-portal/documents/{document.id}/download").data == samples.pdf(
        "v2"
    )
    old = fetch(contact, f"/client-portal/documents/versions/{first.id}/download")
    assert old.data == samples.pdf("Plan")
    listing = contact.get("/client-portal/documents").get_data(as_text=True)
    assert "version 2 of 2" in listing


def test_a_spoofed_new_version_is_refused(app, session, world, files_left):
    document, _ = add_document(app, session, world.client, world.staff)
    staff = signed_in(app, world.staff)
    page = f"/documents/{document.id}"
    response = upload(
        staff, f"{page}/versions", samples.HTML, "brief.pdf", prefix="version", token_from=page
    )
    assert response.status_code == 400
    assert len(files_left()) == 1 and len(_versions(session)) == 1


def test_the_quota_counts_every_version_of_the_client(app, session, world, files_left):
    settings(session, document_quota_mb=1)
    session.commit()
    part = samples.PDF + b"1" * (400 * 1024)
    document, _ = add_document(
        app,
        session,
        world.client,
        world.staff,
        files=[(part, "a.pdf"), (part + b"2", "b.pdf")],
    )
    staff = signed_in(app, world.staff)
    path = f"/clients/{world.client.id}/documents"
    response = upload(staff, path, samples.PDF + b"3" * (300 * 1024), "c.pdf")
    assert response.status_code == 400
    assert "storage quota of 1 MB" in response.get_data(as_text=True)
    assert len(files_left()) == 2
    # Another client has its own quota.
    response = upload(staff, f"/clients/{world.other_client.id}/documents", samples.PDF, "c.pdf")
    assert response.status_code == 303
    # 0 is no limit.
    settings(session, document_quota_mb=0)
    session.commit()
    response = upload(staff, f"/clients/{world.client.id}/documents", samples.PDF, "c.pdf")
    assert response.status_code == 303


def test_removing_is_for_administrators_and_keeps_the_versions(app, session, world, files_left):
    document, _ = add_document(app, session, world.client, world.staff, title="Draft")
    staff = signed_in(app, world.staff)
    page = f"/documents/{document.id}"
    token = csrf_token(staff, page)
    assert staff.post(f"{page}/remove", data={"csrf_token": token}).status_code == 403
    admin = signed_in(app, make_admin(session))
    session.commit()
    assert admin.post(f"{page}/remove", data={}).status_code == 400  # no CSRF token
    token = csrf_token(admin, page)
    assert admin.post(f"{page}/remove", data={"csrf_token": token}).status_code == 303
    assert admin.post(f"{page}/remove", data={"csrf_token": token}).status_code == 303
    session.refresh(document)
    assert document.deleted_at is not None
    assert len(files_left()) == 1
    kinds = session.scalars(select(AuditEvent.kind)).all()
    assert kinds.count("document_deleted") == 1
    # No new version for a removed document.
    response = upload(
        admin, f"{page}/versions", samples.pdf("new"), "b.pdf", prefix="version", token_from=page
    )
    assert response.status_code == 400
    assert len(files_left()) == 1


def test_staff_routes_answer_404_for_unknown_ids(app, session, world):
    staff = signed_in(app, world.staff)
    assert fetch(staff, "/documents/versions/999999999/download").status_code == 404
    assert staff.get("/documents/999999999").status_code == 404
    token = csrf_token(staff, "/account")
    for path in (
        "/clients/999999999/documents",
        "/projects/999999999/documents",
        "/documents/999999999/versions",
    ):
        assert staff.post(path, data={"csrf_token": token}).status_code == 404


def test_a_lost_file_is_a_clear_404_not_a_server_error(app, session, world, stored):
    document, (version,) = add_document(app, session, world.client, world.staff)
    stored.delete(version.storage_key)
    staff = signed_in(app, world.staff)
    response = fetch(staff, f"/documents/versions/{version.id}/download")
    assert response.status_code == 404
    assert "restore it from a backup" in response.get_data(as_text=True)


def test_the_administrators_see_storage_per_client(app, session, world):
    settings(session, document_quota_mb=3)
    add_document(
        app,
        session,
        world.client,
        world.staff,
        files=[(samples.PDF + b"1" * MB, "a.pdf"), (samples.PDF + b"2" * MB, "b.pdf")],
    )
    admin_user = make_admin(session)
    session.commit()
    admin = signed_in(app, admin_user)
    page = admin.get("/admin/document-storage").get_data(as_text=True)
    assert "Acme" in page and "Globex" in page
    assert page.index("Acme") < page.index("Globex")  # the largest first
    assert "2.0 MB" in page and "67 %" in page
    assert "/admin/document-storage" in admin.get(f"/clients/{world.client.id}").get_data(
        as_text=True
    )
    staff = signed_in(app, world.staff)
    assert staff.get("/admin/document-storage").status_code == 403


# Storage and transaction -------------------------------------------------------------------


def test_a_file_written_by_a_request_that_does_not_commit_is_deleted(
    app, session, world, files_left
):
    with app.test_request_context("/", method="POST"):
        g.db_session = session
        operations.upload_document(
            session,
            client_id=world.client.id,
            project_id=None,
            stream=io.BytesIO(samples.PDF),
            filename="a.pdf",
            title=None,
            user=world.staff,
        )
        assert len(files_left()) == 1
        session.rollback()
    # The request ended without its commit: the file is gone again.
    assert files_left() == []


def test_a_file_of_a_committed_request_is_kept(app, session, world, files_left):
    with app.test_request_context("/", method="POST"):
        g.db_session = session
        upload_ = operations.upload_document(
            session,
            client_id=world.client.id,
            project_id=None,
            stream=io.BytesIO(samples.PDF),
            filename="a.pdf",
            title=None,
            user=world.staff,
        )
        _finish_transaction(Response(status=303))
    assert files_left() == [upload_.version.storage_key]


def test_a_failed_request_after_the_upload_keeps_nothing(app, session, world, files_left):
    with app.test_request_context("/", method="POST"):
        g.db_session = session
        operations.upload_document(
            session,
            client_id=world.client.id,
            project_id=None,
            stream=io.BytesIO(samples.PDF),
            filename="a.pdf",
            title=None,
            user=world.staff,
        )
        _finish_transaction(Response(status=400))
    assert files_left() == []
    assert session.scalar(select(Document.id)) is None


def test_the_storage_folder_is_private(app, session, world, documents_dir):
    add_document(app, session, world.client, world.staff)
    assert documents_dir.stat().st_mode & 0o777 == 0o700
    for path in documents_dir.rglob("*"):
        assert path.stat().st_mode & 0o077 == 0, path


def test_the_demo_documents_are_real_files(app, session, world, files_left):
    from timetracker.sharing.demo import add_demo_documents

    with app.app_context():
        brief, estimate = add_demo_documents(session, world.client, world.project, world.staff)
    session.commit()
    versions = _versions(session)
    assert [(v.document_id, v.number, v.content_type) for v in versions] == [
        (brief.id, 1, "application/pdf"),
        (estimate.id, 1, "text/csv"),
        (brief.id, 2, "application/pdf"),
    ]
    assert len(files_left()) == 3
    contact = signed_in(app, world.contact)
    listing = contact.get("/client-portal/documents").get_data(as_text=True)
    assert listing.index("Project brief") < listing.index("Estimate")
    response = fetch(contact, f"/client-portal/documents/{brief.id}/download")
    assert response.data.startswith(b"%PDF")
