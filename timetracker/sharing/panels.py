"""The documents section drawn on the portal and workspace project pages and the workspace
client page. Each function returns one key, ``documents_panel`` (``None`` when the section is
not drawn), never the name of a form it is given."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import abort, request, url_for
from flask_babel import gettext
from flask_login import current_user

from timetracker import db, firm
from timetracker.models import Client, Document, Project
from timetracker.pagination import Page, PageRequest
from timetracker.parsing import parse_page
from timetracker.portal.scope import PortalScope
from timetracker.sharing import queries, quotas
from timetracker.sharing.forms import UPLOAD_FORM, UploadForm
from timetracker.sharing.queries import DocumentRow

#: Documents per page of a section.
PANEL_SIZE = 10
#: The query parameter of a section's page (``page`` is the host page's own).
PAGE_PARAMETER = "documents_page"


@dataclass(frozen=True, slots=True)
class Listed:
    row: DocumentRow
    #: The uploader as this reader sees them.
    uploader: str


@dataclass(frozen=True, slots=True)
class Panel:
    page: Page[Listed]
    #: The upload form, or ``None`` when this reader may not upload here.
    form: UploadForm | None
    #: Where the upload form posts.
    upload_url: str | None
    max_mb: int
    #: The host page's endpoint and arguments, for the section's page links.
    endpoint: str
    args: dict[str, Any]
    #: Staff: storage used by the client and its quota (bytes; 0: no limit).
    used_bytes: int = 0
    quota_bytes: int = 0


def panel_page_request() -> PageRequest:
    value = request.args.get(PAGE_PARAMETER, "")
    if not value:
        return PageRequest(1, PANEL_SIZE)
    number = parse_page(value)
    if number is None:
        abort(
            400,
            gettext(
                "The parameter '%(name)s' must be a whole page number from 1.", name=PAGE_PARAMETER
            ),
        )
    return PageRequest(number, PANEL_SIZE)


def _listed(page: Page[DocumentRow], name: Any) -> Page[Listed]:
    items = [Listed(row, name(row)) for row in page.items]
    return Page(items, page.total, page.number, page.size)


def portal_project_documents(scope: PortalScope, project_id: int, **forms: Any) -> dict[str, Any]:
    """Template context of the documents section on the portal project page."""
    if not scope.visibility.documents:
        return {"documents_panel": None}
    settings = firm.get_settings()
    page = scope.document_page(panel_page_request(), project_id)
    firm_name = settings.company_name
    listed = _listed(
        page,
        lambda row: scope.uploader_name(row.uploaded_by_name, row.uploaded_by_contact, firm_name),
    )
    # The project (the caller has checked it is the client's) only when uploads are on.
    may_upload = settings.clients_may_upload and scope.may_upload_to(
        scope.project(project_id), settings.clients_may_upload
    )
    form = (forms.get(UPLOAD_FORM) or UploadForm(formdata=None)) if may_upload else None
    return {
        "documents_panel": Panel(
            page=listed,
            form=form,
            upload_url=url_for("sharing.portal_upload", project_id=project_id)
            if may_upload
            else None,
            max_mb=settings.document_max_mb,
            endpoint="portal.project_detail",
            args={"project_id": project_id},
        )
    }


def _staff_panel(
    client: Client,
    conditions: list[Any],
    upload_url: str,
    endpoint: str,
    args: dict[str, Any],
    forms: dict[str, Any],
) -> dict[str, Any]:
    settings = firm.get_settings()
    page = queries.document_page(db.session, client.id, conditions, panel_page_request())
    return {
        "documents_panel": Panel(
            page=_listed(page, lambda row: row.uploaded_by_name),
            form=forms.get(UPLOAD_FORM) or UploadForm(formdata=None),
            upload_url=upload_url if current_user.is_staff else None,
            max_mb=settings.document_max_mb,
            endpoint=endpoint,
            args=args,
            used_bytes=quotas.used_bytes(db.session, client.id),
            quota_bytes=max(0, settings.document_quota_mb) * quotas.MB,
        )
    }


def workspace_project_documents(project: Project, **forms: Any) -> dict[str, Any]:
    """Template context of the documents section on the workspace project page."""
    client = queries.staff_client(db.session, project.client_id)
    assert client is not None  # a foreign key
    return _staff_panel(
        client,
        [Document.project_id == project.id],
        url_for("sharing.project_upload", project_id=project.id),
        "workspace.project_detail",
        {"project_id": project.id},
        forms,
    )


def workspace_client_documents(client: Client, **forms: Any) -> dict[str, Any]:
    """Template context of the documents section on the workspace client page: every document
    of the client, on the client and on its projects, removed ones marked."""
    return _staff_panel(
        client,
        [],
        url_for("sharing.client_upload", client_id=client.id),
        "workspace.client_detail",
        {"client_id": client.id},
        forms,
    )
