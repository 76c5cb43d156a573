"""The documents in the client portal: the list, one document with its versions, downloads,
and a contact's upload to one of the client's active projects (when the firm allows it).

Every read goes through the contact's scope (``g.portal``): another client's document or
version, a removed document, and every document when the firm hides documents from this
client, are answered exactly like a missing id (404). The upload is the portal's deliberate
write: POST with a CSRF token, rate-limited per contact, audited, and idempotent (the same
file sent twice within a minute is stored once).
"""

from __future__ import annotations

from flask import (
    Response,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from timetracker import audit, db, firm
from timetracker.extensions import limiter
from timetracker.models import DocumentVersion
from timetracker.portal import params
from timetracker.portal.routes import render_project_page
from timetracker.portal.scope import PortalScope
from timetracker.sharing import operations
from timetracker.sharing.downloads import send_version
from timetracker.sharing.forms import UPLOAD_FORM, UploadForm
from timetracker.sharing.panels import Listed

#: Downloads per contact: a person opens a few files; more is a script. An application may
#: set another in ``app.config["DOCUMENT_DOWNLOAD_LIMIT"]`` (the tests use a small one).
DOWNLOAD_LIMIT = "60 per minute"


def _download_limit() -> str:
    return str(current_app.config.get("DOCUMENT_DOWNLOAD_LIMIT") or DOWNLOAD_LIMIT)


#: Uploads per contact.
UPLOAD_LIMIT = "10 per minute;100 per day"


def scope() -> PortalScope:
    return g.portal


def _per_contact() -> str:
    return f"portal-document:{current_user.id}"


def _after_the_request(_response: Response) -> bool:
    """Counted after the request, past its commit (as the quote answers are, see
    ``portal/quotes.py``: a counter written between the read and the write of the request's
    own transaction would lock SQLite)."""
    return True


def portal_documents() -> ResponseReturnValue:
    page_request = params.page_request(request.args, int(current_app.config["PAGE_SIZE"]))
    s = scope()
    page = s.document_page(page_request)
    firm_name = firm.get_settings().company_name
    listed = [
        Listed(row, s.uploader_name(row.uploaded_by_name, row.uploaded_by_contact, firm_name))
        for row in page.items
    ]
    return render_template(
        "sharing/portal_documents.html", client=s.client, page=page, listed=listed
    )


def portal_document(document_id: int) -> ResponseReturnValue:
    s = scope()
    document = s.document(document_id)
    firm_name = firm.get_settings().company_name
    versions = [
        (v, s.uploader_name(v.uploaded_by_name, v.uploaded_by_contact, firm_name))
        for v in s.document_versions(document.id)
    ]
    return render_template(
        "sharing/portal_document.html",
        client=s.client,
        document=document,
        project_name=s.document_project_name(document),
        versions=versions,
    )


def _send(s: PortalScope, version: DocumentVersion) -> ResponseReturnValue:
    document = s.document(version.document_id)
    audit.record(
        audit.Kind.DOCUMENT_DOWNLOADED,
        client_id=s.client_id,
        detail=f"{document.title} (version {version.number}, {version.filename})",
    )
    return send_version(version)


#: One count for both download routes.
_download_limit_shared = limiter.shared_limit(
    _download_limit, scope="portal-document-download", key_func=_per_contact
)


@_download_limit_shared
def portal_download(document_id: int) -> ResponseReturnValue:
    s = scope()
    return _send(s, s.latest_version(document_id))


@_download_limit_shared
def portal_version_download(version_id: int) -> ResponseReturnValue:
    s = scope()
    return _send(s, s.document_version(version_id))


@limiter.shared_limit(
    UPLOAD_LIMIT,
    scope="portal-document-upload",
    key_func=_per_contact,
    deduct_when=_after_the_request,
)
def portal_upload(project_id: int) -> ResponseReturnValue:
    s = scope()
    project = s.upload_project(project_id)
    settings = firm.get_settings()
    if not settings.clients_may_upload:
        abort(
            403,
            _(
                "%(firm)s does not accept uploads in the portal. Send the file to %(firm)s "
                "another way, or ask them to allow uploads.",
                firm=settings.company_name,
            ),
        )
    if not s.may_upload_to(project, settings.clients_may_upload):
        abort(403, _("This project is archived: documents can no longer be uploaded to it."))
    form = UploadForm()
    if not form.validate_on_submit():
        return render_project_page(project.id, 400, **{UPLOAD_FORM: form})
    try:
        upload = operations.upload_document(
            db.session,
            client_id=s.client_id,
            project_id=project.id,
            stream=form.file.data.stream,
            filename=form.file.data.filename,
            title=form.title.data,
            user=current_user._get_current_object(),
        )
    except operations.UploadRefused as refused:
        form.file.errors = [str(refused)]
        return render_project_page(project.id, 400, **{UPLOAD_FORM: form})
    if upload.created:
        audit.record(
            audit.Kind.DOCUMENT_UPLOADED,
            client_id=s.client_id,
            detail=f"{upload.document.title} (version 1, {upload.version.filename}) "
            f"to the project {project.name}",
        )
        flash(
            _(
                "“%(title)s” was uploaded. %(firm)s can see it.",
                title=upload.document.title,
                firm=settings.company_name,
            ),
            "success",
        )
    else:
        flash(
            _(
                "“%(title)s” was uploaded already; nothing was changed.",
                title=upload.document.title,
            ),
            "info",
        )
    return redirect(url_for("portal.project_detail", project_id=project.id) + "#documents", 303)
