"""The queries of shared documents: lists with their newest version, and a document's versions.

Each list is one statement (the newest version and the number of versions come from a grouped
subquery scoped to the client), ordered newest first and paginated in SQL. The portal's
queries (``portal/scope/documents.py``) and the staff pages build on the same selects, each
starting from a client id.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, select
from sqlalchemy.orm import Session, contains_eager

from timetracker.models import Client, Document, DocumentVersion, Project, Role, User
from timetracker.pagination import Page, PageRequest


@dataclass(frozen=True, slots=True)
class DocumentRow:
    """A document with its newest version, as the lists show it."""

    id: int
    title: str
    client_id: int
    project_id: int | None
    project_name: str | None
    updated_at: dt.datetime
    deleted_at: dt.datetime | None
    versions: int
    version_id: int
    number: int
    filename: str
    content_type: str
    size_bytes: int
    uploaded_by_name: str
    #: Uploaded by one of the client's contacts (not by the firm's staff).
    uploaded_by_contact: bool


@dataclass(frozen=True, slots=True)
class VersionRow:
    id: int
    number: int
    filename: str
    content_type: str
    size_bytes: int
    sha256: str
    uploaded_at: dt.datetime
    uploaded_by_name: str
    uploaded_by_contact: bool


def _row(kind: Any, row: Any) -> Any:
    """A row of the selects below as ``kind``; the last column (the uploader is a contact) is
    NULL when the uploader's account is gone."""
    values = list(row)
    return kind(*values[:-1], bool(values[-1]))


NEWEST_FIRST = (Document.updated_at.desc(), Document.id.desc())


def _is_contact() -> ColumnElement[Any]:
    return func.coalesce(User.role == Role.CLIENT, False)


def document_rows(client_id: int) -> Select[Any]:
    """Documents of one client with their newest version; add conditions with ``where``."""
    latest = (
        select(
            DocumentVersion.document_id,
            func.max(DocumentVersion.number).label("number"),
            func.count(DocumentVersion.id).label("versions"),
        )
        .join(Document, Document.id == DocumentVersion.document_id)
        .where(Document.client_id == client_id)
        .group_by(DocumentVersion.document_id)
        .subquery()
    )
    return (
        select(
            Document.id,
            Document.title,
            Document.client_id,
            Document.project_id,
            Project.name,
            Document.updated_at,
            Document.deleted_at,
            latest.c.versions,
            DocumentVersion.id,
            DocumentVersion.number,
            DocumentVersion.filename,
            DocumentVersion.content_type,
            DocumentVersion.size_bytes,
            DocumentVersion.uploaded_by_name,
            _is_contact(),
        )
        .join(latest, latest.c.document_id == Document.id)
        .join(
            DocumentVersion,
            and_(
                DocumentVersion.document_id == Document.id,
                DocumentVersion.number == latest.c.number,
            ),
        )
        .outerjoin(Project, Project.id == Document.project_id)
        .outerjoin(User, User.id == DocumentVersion.uploaded_by_id)
        .where(Document.client_id == client_id)
    )


def document_page(
    session: Session,
    client_id: int,
    conditions: Sequence[ColumnElement[bool]],
    request: PageRequest,
) -> Page[DocumentRow]:
    """One page of the client's documents meeting ``conditions``, newest first. One statement
    (the total comes with the rows, as a window count); a second one only for a page number
    past the end, which shows the last page."""
    query = document_rows(client_id).where(*conditions).order_by(*NEWEST_FIRST)
    counted = query.add_columns(func.count().over().label("total"))
    rows = session.execute(counted.limit(request.size).offset(request.offset)).all()
    if rows:
        total = int(rows[0][-1])
    elif request.number == 1:
        total = 0
    else:
        total = (
            session.scalar(
                select(func.count(Document.id)).where(Document.client_id == client_id, *conditions)
            )
            or 0
        )
        clamped = request.clamp(total)
        if total and clamped != request:
            request = clamped
            rows = session.execute(counted.limit(request.size).offset(request.offset)).all()
        else:
            request = clamped
    items = [_row(DocumentRow, row[:-1]) for row in rows]
    return Page(items, total, request.number, request.size)


def version_rows(session: Session, document_id: int) -> list[VersionRow]:
    """Every version of a document, newest first (the caller has scoped the document)."""
    rows = session.execute(
        select(
            DocumentVersion.id,
            DocumentVersion.number,
            DocumentVersion.filename,
            DocumentVersion.content_type,
            DocumentVersion.size_bytes,
            DocumentVersion.sha256,
            DocumentVersion.uploaded_at,
            DocumentVersion.uploaded_by_name,
            _is_contact(),
        )
        .outerjoin(User, User.id == DocumentVersion.uploaded_by_id)
        .where(DocumentVersion.document_id == document_id)
        .order_by(DocumentVersion.number.desc())
    ).all()
    return [_row(VersionRow, row) for row in rows]


# Staff --------------------------------------------------------------------------------------
def staff_document(session: Session, document_id: int) -> Document | None:
    """Any document, removed ones too (staff see that they were removed)."""
    return session.scalar(select(Document).where(Document.id == document_id))


def staff_version(session: Session, version_id: int) -> DocumentVersion | None:
    return session.scalar(select(DocumentVersion).where(DocumentVersion.id == version_id))


def document_context(session: Session, document: Document) -> tuple[Client, Project | None]:
    client = session.scalar(select(Client).where(Client.id == document.client_id))
    assert client is not None  # a foreign key
    project = None
    if document.project_id is not None:
        project = session.scalar(
            select(Project).where(
                Project.id == document.project_id, Project.client_id == document.client_id
            )
        )
    return client, project


def staff_client(session: Session, client_id: int) -> Client | None:
    return session.scalar(select(Client).where(Client.id == client_id))


def staff_project(session: Session, project_id: int) -> Project | None:
    """The project with its client loaded (the project page draws it)."""
    return session.scalar(
        select(Project)
        .join(Project.client)
        .options(contains_eager(Project.client))
        .where(Project.id == project_id)
    )
