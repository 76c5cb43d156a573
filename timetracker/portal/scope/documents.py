"""The documents shared with the client: lists, one document with its versions, and the
projects a contact may upload to.

Every query starts from ``client_id``; a removed document, another client's document or
version, and any document at all when the firm hides documents from this client
(``visibility.documents``) are answered exactly like a missing id (404).
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, select
from werkzeug.exceptions import NotFound

from timetracker.models import Document, DocumentVersion, Project, ProjectStatus
from timetracker.pagination import Page, PageRequest
from timetracker.portal.scope.projects import ProjectScope
from timetracker.sharing import queries
from timetracker.sharing.queries import DocumentRow, VersionRow


class DocumentScope(ProjectScope):
    def _require_documents(self) -> None:
        if not self.visibility.documents:
            raise NotFound()

    def document_page(
        self, request: PageRequest, project_id: int | None = None
    ) -> Page[DocumentRow]:
        """The client's documents (on the client and on its projects), newest first; with
        ``project_id``, one project's (the caller has checked the project is the client's)."""
        self._require_documents()
        conditions: list[ColumnElement[bool]] = [Document.deleted_at.is_(None)]
        if project_id is not None:
            conditions.append(Document.project_id == project_id)
        return queries.document_page(self.session, self.client_id, conditions, request)

    def document(self, document_id: int) -> Document:
        self._require_documents()
        document = self.session.scalar(
            select(Document).where(
                Document.id == document_id,
                Document.client_id == self.client_id,
                Document.deleted_at.is_(None),
            )
        )
        if document is None:
            raise NotFound()
        return document

    def document_project_name(self, document: Document) -> str | None:
        if document.project_id is None:
            return None
        return self.session.scalar(
            select(Project.name).where(
                Project.id == document.project_id, Project.client_id == self.client_id
            )
        )

    def document_versions(self, document_id: int) -> list[VersionRow]:
        return queries.version_rows(self.session, self.document(document_id).id)

    def latest_version(self, document_id: int) -> DocumentVersion:
        """The newest version of one of the client's documents."""
        document = self.document(document_id)
        version = self.session.scalar(
            select(DocumentVersion)
            .where(DocumentVersion.document_id == document.id)
            .order_by(DocumentVersion.number.desc())
            .limit(1)
        )
        if version is None:
            raise NotFound()
        return version

    def document_version(self, version_id: int) -> DocumentVersion:
        """A version of one of the client's documents that are not removed."""
        self._require_documents()
        version = self.session.scalar(
            select(DocumentVersion)
            .join(Document, Document.id == DocumentVersion.document_id)
            .where(
                DocumentVersion.id == version_id,
                Document.client_id == self.client_id,
                Document.deleted_at.is_(None),
            )
        )
        if version is None:
            raise NotFound()
        return version

    def upload_project(self, project_id: int) -> Project:
        """One of the client's projects, to upload a document to (404 for any other id; the
        caller refuses archived ones with a reason)."""
        self._require_documents()
        return self.project(project_id)

    def may_upload_to(self, project: Project, clients_may_upload: bool) -> bool:
        return (
            clients_may_upload
            and self.visibility.documents
            and project.client_id == self.client_id
            and project.status == ProjectStatus.ACTIVE
        )

    def uploader_name(self, name: str, by_contact: bool, firm_name: str) -> str:
        """The uploader as the portal shows it: the firm's name for its staff when the firm
        does not show staff names to this client."""
        if by_contact or self.visibility.staff_names:
            return name
        return firm_name
