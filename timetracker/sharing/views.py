"""Shared documents: the URL table of the portal's and the workspace's routes.

Portal (contacts of the client, through ``g.portal``; every id outside the scope is a 404):

    /client-portal/documents                                    the client's documents
    /client-portal/documents/<id>                               one document, its versions
    /client-portal/documents/<id>/download                      the newest version
    /client-portal/documents/versions/<vid>/download            one version
    /client-portal/projects/<id>/documents             POST     upload (when the firm allows)

Workspace (staff; removing is for administrators, and so is the storage page):

    /documents/<id>                                             a document, versions, removal
    /documents/versions/<vid>/download                          one version
    /documents/<id>/versions                           POST     upload a new version
    /documents/<id>/remove                             POST     remove from the portal
    /clients/<id>/documents                            POST     upload to the client
    /projects/<id>/documents                           POST     upload to the project
    /admin/document-storage                                     storage used per client
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext
from werkzeug.exceptions import RequestEntityTooLarge

from timetracker.auth.access import Policy, UrlTable, register_urls
from timetracker.errors import render_error
from timetracker.portal import params
from timetracker.sharing import operations, quotas
from timetracker.sharing import portal_views as portal
from timetracker.sharing import staff_views as staff
from timetracker.sharing.validation import MB

bp = Blueprint("sharing", __name__)

#: Room for the multipart framing and the other fields of an upload form, above the file.
FORM_OVERHEAD = 64 * 1024
UPLOAD_ENDPOINTS = frozenset(
    {
        "sharing.portal_upload",
        "sharing.client_upload",
        "sharing.project_upload",
        "sharing.version_upload",
    }
)


@bp.url_value_preprocessor
def _upload_size_limit(endpoint: str | None, _values: dict[str, Any] | None) -> None:
    """Raise the request's size limit (1 MB for every other form) to the settings' limit for
    uploads. Here because Flask runs URL value preprocessors before every ``before_request``
    function, some of which (CSRF, the NUL check) read the form and so apply the limit."""
    if endpoint in UPLOAD_ENDPOINTS:
        request.max_content_length = operations.max_upload_bytes() + FORM_OVERHEAD


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(_error: RequestEntityTooLarge) -> ResponseReturnValue:
    limit = (request.max_content_length or 0) // MB
    return render_error(
        413,
        gettext(
            "The file is larger than the limit of %(size)s MB for shared documents. Nothing was "
            "uploaded: make the file smaller (or split it) and upload it again.",
            size=limit,
        ),
    )


@bp.errorhandler(params.ParamError)
def _bad_parameter(error: params.ParamError) -> ResponseReturnValue:
    return render_error(400, error.text)


@bp.teardown_app_request
def _files_of_failed_requests(_error: BaseException | None) -> None:
    operations.forget_uncommitted_files()


@bp.app_template_filter("filesize")
def filesize(size: int) -> str:
    """1 234 567 -> "1.2 MB"."""
    return quotas.filesize(size)


GET, POST = ["GET"], ["POST"]
PORTAL, STAFF, ADMIN = Policy.PORTAL, Policy.STAFF, Policy.ADMIN
DOC = "/documents/<int:document_id>"

URLS: UrlTable = [
    ("/client-portal/documents", portal.portal_documents, GET, PORTAL),
    (f"/client-portal{DOC}", portal.portal_document, GET, PORTAL),
    (f"/client-portal{DOC}/download", portal.portal_download, GET, PORTAL),
    (
        "/client-portal/documents/versions/<int:version_id>/download",
        portal.portal_version_download,
        GET,
        PORTAL,
    ),
    ("/client-portal/projects/<int:project_id>/documents", portal.portal_upload, POST, PORTAL),
    (DOC, staff.document_detail, GET, STAFF),
    ("/documents/versions/<int:version_id>/download", staff.download, GET, STAFF),
    (f"{DOC}/versions", staff.version_upload, POST, STAFF),
    (f"{DOC}/remove", staff.remove, POST, ADMIN),
    ("/clients/<int:client_id>/documents", staff.client_upload, POST, STAFF),
    ("/projects/<int:project_id>/documents", staff.project_upload, POST, STAFF),
    ("/admin/document-storage", staff.storage_usage, GET, ADMIN),
]
register_urls(bp, URLS)
