"""The staff's side of shared documents: one document with its versions, downloads, uploads
to a client or a project, new versions, removal, and the administrators' storage page.

Any member of staff uploads documents and new versions (sharing files with clients is their
daily work); removing a document from the portal is for administrators. A removed document
keeps its versions in the storage and stays visible here, marked removed.
"""

from __future__ import annotations

from typing import Any

from flask import current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from timetracker import audit, db, firm
from timetracker.models import Document, Project
from timetracker.portal import params
from timetracker.sharing import operations, queries, quotas
from timetracker.sharing.downloads import send_version
from timetracker.sharing.forms import UPLOAD_FORM, RemoveForm, UploadForm, VersionForm
from timetracker.workspace.common import found


def _document_page(
    document: Document, status: int = 200, version_form: VersionForm | None = None
) -> tuple[str, int]:
    client, project = queries.document_context(db.session, document)
    return render_template(
        "sharing/document.html",
        document=document,
        client=client,
        project=project,
        versions=queries.version_rows(db.session, document.id),
        version_form=version_form or VersionForm(formdata=None),
        remove_form=RemoveForm(formdata=None),
    ), status


def document_detail(document_id: int) -> ResponseReturnValue:
    return _document_page(found(queries.staff_document(db.session, document_id)))


def download(version_id: int) -> ResponseReturnValue:
    version = found(queries.staff_version(db.session, version_id))
    document = found(queries.staff_document(db.session, version.document_id))
    audit.record(
        audit.Kind.DOCUMENT_DOWNLOADED,
        client_id=document.client_id,
        detail=f"{document.title} (version {version.number}, {version.filename}), by staff",
    )
    return send_version(version)


def _uploaded(upload: operations.Upload, where: str) -> None:
    if not upload.created:
        flash(
            _(
                "“%(title)s” was uploaded already; nothing was changed.",
                title=upload.document.title,
            ),
            "info",
        )
        return
    audit.record(
        audit.Kind.DOCUMENT_UPLOADED,
        client_id=upload.document.client_id,
        detail=f"{upload.document.title} (version {upload.version.number}, "
        f"{upload.version.filename}) {where}",
    )
    flash(
        _(
            "“%(title)s” was uploaded (version %(number)s). "
            "The client's contacts can see it in the portal.",
            title=upload.document.title,
            number=upload.version.number,
        ),
        "success",
    )


def _upload(
    client_id: int, project: Project | None, render: Any, where: str
) -> ResponseReturnValue | None:
    form = UploadForm()
    if not form.validate_on_submit():
        return render(400, **{UPLOAD_FORM: form})
    try:
        upload = operations.upload_document(
            db.session,
            client_id=client_id,
            project_id=project.id if project is not None else None,
            stream=form.file.data.stream,
            filename=form.file.data.filename,
            title=form.title.data,
            user=current_user._get_current_object(),
        )
    except operations.UploadRefused as refused:
        form.file.errors = [str(refused)]
        return render(400, **{UPLOAD_FORM: form})
    _uploaded(upload, where)
    return None


def client_upload(client_id: int) -> ResponseReturnValue:
    from timetracker.workspace.clients.views import render_client_page

    client = found(queries.staff_client(db.session, client_id))
    failed = _upload(
        client.id,
        None,
        lambda status, **forms: render_client_page(client, status, **forms),
        "to the client",
    )
    if failed is not None:
        return failed
    return redirect(url_for("workspace.client_detail", client_id=client.id) + "#documents", 303)


def project_upload(project_id: int) -> ResponseReturnValue:
    from timetracker.workspace.projects.updates import render_project_page

    project = found(queries.staff_project(db.session, project_id))
    failed = _upload(
        project.client_id,
        project,
        lambda status, **forms: render_project_page(project, status, **forms),
        f"to the project {project.name}",
    )
    if failed is not None:
        return failed
    return redirect(url_for("workspace.project_detail", project_id=project.id) + "#documents", 303)


def version_upload(document_id: int) -> ResponseReturnValue:
    document = found(queries.staff_document(db.session, document_id))
    form = VersionForm()
    if not form.validate_on_submit():
        return _document_page(document, 400, form)
    if document.deleted_at is not None:
        form.file.errors = [
            _(
                "This document was removed from the portal: it takes no new versions. "
                "Upload the file as a new document instead."
            )
        ]
        return _document_page(document, 400, form)
    try:
        upload = operations.upload_version(
            db.session,
            document,
            stream=form.file.data.stream,
            filename=form.file.data.filename,
            user=current_user._get_current_object(),
        )
    except operations.UploadRefused as refused:
        form.file.errors = [str(refused)]
        return _document_page(document, 400, form)
    if upload.created:
        _uploaded(upload, "as a new version")
    else:
        flash(
            _(
                "This file is the same as version %(number)s; nothing was changed.",
                number=upload.version.number,
            ),
            "info",
        )
    return redirect(url_for("sharing.document_detail", document_id=document.id), 303)


def remove(document_id: int) -> ResponseReturnValue:
    document = found(queries.staff_document(db.session, document_id))
    form = RemoveForm()
    if not form.validate_on_submit():
        return _document_page(document, 400)
    if operations.remove_document(document):
        audit.record(
            audit.Kind.DOCUMENT_DELETED, client_id=document.client_id, detail=document.title
        )
        flash(
            _(
                "“%(title)s” was removed from the portal. Its versions stay stored.",
                title=document.title,
            ),
            "success",
        )
    else:
        flash(
            _("“%(title)s” was removed already; nothing was changed.", title=document.title),
            "info",
        )
    return redirect(url_for("sharing.document_detail", document_id=document.id), 303)


def storage_usage() -> ResponseReturnValue:
    page_request = params.page_request(request.args, int(current_app.config["PAGE_SIZE"]))
    settings = firm.get_settings()
    return render_template(
        "sharing/storage.html",
        page=quotas.usage_page(db.session, settings.document_quota_mb, page_request),
        quota_mb=settings.document_quota_mb,
        max_mb=settings.document_max_mb,
        total=quotas.total_used(db.session),
    )
