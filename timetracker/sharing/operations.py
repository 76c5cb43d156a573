"""Uploading a document or a new version of one, and removing a document from the portal.

The order is what keeps the storage and the database in step: first every check (size, type
from the content, quota, a double submission), then the bytes are written under a new random
key, then the rows are flushed. A key written in a request is remembered until the request's
transaction commits; when the request fails or rolls back instead, the file is deleted again
when the request ends (:func:`forget_uncommitted_files`), so a refused or failed upload leaves
nothing in the storage.

Uploads of one client are serialised by locking the client's row (PostgreSQL; SQLite writes
one at a time anyway), so two uploads cannot both pass the quota or both store a double.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import BinaryIO

from flask import g, has_request_context
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from timetracker import after_commit, firm
from timetracker.models import Client, Document, DocumentVersion, User
from timetracker.models._common import utcnow
from timetracker.sharing import quotas, validation
from timetracker.sharing.storage import storage
from timetracker.sharing.validation import MB, Inspected, UploadRefused

#: The same file uploaded again by the same person within this time is one upload (a double
#: click, a form sent twice).
DOUBLE_SUBMISSION = dt.timedelta(minutes=1)
_PENDING = "sharing_uncommitted_keys"

__all__ = ["UploadRefused", "Upload", "upload_document", "upload_version", "remove_document"]


@dataclass(frozen=True, slots=True)
class Upload:
    """The outcome: the version stored, or the one an identical upload already stored."""

    document: Document
    version: DocumentVersion
    created: bool


def max_upload_bytes() -> int:
    return max(1, firm.get_settings().document_max_mb) * MB


def _lock_client(session: Session, client_id: int) -> None:
    session.execute(select(Client.id).where(Client.id == client_id).with_for_update())


def _remember(key: str) -> None:
    """Delete the file at the end of the request unless the request's transaction commits."""
    if not has_request_context():
        return
    pending: list[str] | None = g.get(_PENDING)
    if pending is None:
        pending = g.setdefault(_PENDING, [])
        after_commit(pending.clear)
    pending.append(key)


def forget_uncommitted_files() -> None:
    """At the end of a request: delete the files whose rows were not committed."""
    keys: list[str] = g.pop(_PENDING, None) or []
    for key in keys:
        storage().delete(key)


def _recent_double(
    session: Session, user: User, inspected: Inspected, *conditions: object
) -> DocumentVersion | None:
    since = utcnow() - DOUBLE_SUBMISSION
    return session.scalar(
        select(DocumentVersion)
        .join(Document, Document.id == DocumentVersion.document_id)
        .where(
            DocumentVersion.sha256 == inspected.sha256,
            DocumentVersion.uploaded_by_id == user.id,
            DocumentVersion.uploaded_at >= since,
            Document.deleted_at.is_(None),
            *conditions,  # type: ignore[arg-type]
        )
        .order_by(DocumentVersion.id.desc())
        .limit(1)
    )


def _store(
    session: Session,
    document: Document,
    number: int,
    stream: BinaryIO,
    inspected: Inspected,
    user: User,
) -> DocumentVersion:
    stream.seek(0)
    key = storage().put(stream)
    _remember(key)
    now = utcnow()
    version = DocumentVersion(
        document_id=document.id,
        number=number,
        storage_key=key,
        filename=inspected.filename,
        content_type=inspected.content_type,
        size_bytes=inspected.size_bytes,
        sha256=inspected.sha256,
        uploaded_at=now,
        uploaded_by_id=user.id,
        uploaded_by_name=user.name[:200],
    )
    document.updated_at = now
    session.add(version)
    session.flush()
    return version


def _check_quota(session: Session, client_id: int, inspected: Inspected) -> None:
    quota_mb = firm.get_settings().document_quota_mb
    quotas.check_quota(session, client_id, inspected.size_bytes, quota_mb)


def clean_title(title: str | None, filename: str) -> str:
    text = " ".join((title or "").split())
    return (text or filename)[:200]


def upload_document(
    session: Session,
    *,
    client_id: int,
    project_id: int | None,
    stream: BinaryIO,
    filename: str | None,
    title: str | None,
    user: User,
) -> Upload:
    """A new document of the client (on one of its projects, or on the client as a whole)
    with its first version. The caller has checked that the project is the client's."""
    inspected = validation.inspect(stream, filename, max_upload_bytes())
    _lock_client(session, client_id)
    where_project = (
        Document.project_id.is_(None) if project_id is None else Document.project_id == project_id
    )
    double = _recent_double(
        session, user, inspected, Document.client_id == client_id, where_project
    )
    if double is not None:
        existing = session.get(Document, double.document_id)
        assert existing is not None
        return Upload(existing, double, created=False)
    _check_quota(session, client_id, inspected)
    document = Document(
        client_id=client_id,
        project_id=project_id,
        title=clean_title(title, inspected.filename),
        created_by_id=user.id,
    )
    session.add(document)
    session.flush()
    version = _store(session, document, 1, stream, inspected, user)
    return Upload(document, version, created=True)


def upload_version(
    session: Session, document: Document, *, stream: BinaryIO, filename: str | None, user: User
) -> Upload:
    """A new version of ``document``; the old ones are kept. The same file as the newest
    version is not stored again."""
    inspected = validation.inspect(stream, filename, max_upload_bytes())
    _lock_client(session, document.client_id)
    newest = session.scalar(
        select(DocumentVersion)
        .where(DocumentVersion.document_id == document.id)
        .order_by(DocumentVersion.number.desc())
        .limit(1)
    )
    if newest is not None and newest.sha256 == inspected.sha256:
        return Upload(document, newest, created=False)
    number = (
        session.scalar(
            select(func.coalesce(func.max(DocumentVersion.number), 0)).where(
                DocumentVersion.document_id == document.id
            )
        )
        or 0
    ) + 1
    _check_quota(session, document.client_id, inspected)
    version = _store(session, document, number, stream, inspected, user)
    return Upload(document, version, created=True)


def remove_document(document: Document) -> bool:
    """Take the document out of the client's view; its versions stay stored. ``False`` when
    it was removed already."""
    if document.deleted_at is not None:
        return False
    document.deleted_at = utcnow()
    return True
