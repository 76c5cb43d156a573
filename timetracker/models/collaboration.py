"""Working together with a client: comments on projects and shared documents.

Comments are a thread per project between the client's contacts and the staff, separate from the
staff's notes (``project_updates``). A deleted comment keeps its row, marked deleted, so the
thread still shows where it was. Documents belong to a client and optionally to one of its
projects; every upload of a document is a new version, and the old versions are kept. The file
bytes live in the document storage (``timetracker/sharing/storage.py``) under a random key.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from timetracker.db import Base, UTCDateTime
from timetracker.models._common import utcnow


class Comment(Base):
    """One comment in a project's thread, by a client contact or a member of staff."""

    __tablename__ = "comments"
    __table_args__ = (Index("ix_comments_project_created", "project_id", "created_at", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: The author's name when the comment was written, so attribution survives the account.
    author_name: Mapped[str] = mapped_column(String(200))
    #: The Markdown source as typed; rendered and sanitised when shown.
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    edited_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    #: Set when the author or an administrator deletes it; the body is then cleared.
    deleted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    deleted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class CommentRead(Base):
    """How far a person has read a project's thread (for the unread counts)."""

    __tablename__ = "comment_reads"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True
    )
    #: The newest comment id the person has seen in the thread.
    last_read_comment_id: Mapped[int] = mapped_column(Integer, default=0)


class Document(Base):
    """A file shared with a client, on the client as a whole or on one of its projects."""

    __tablename__ = "documents"
    __table_args__ = (Index("ix_documents_client_project", "client_id", "project_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"))
    #: ``None``: shared with the client as a whole.
    project_id: Mapped[int | None] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: Bumped with every new version: the list's "updated" column and its order.
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: Set when staff remove the document from the client's view; the versions stay stored.
    deleted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class DocumentVersion(Base):
    """One upload of a document: its bytes are in the storage under ``storage_key``."""

    __tablename__ = "document_versions"
    __table_args__ = (
        UniqueConstraint("document_id", "number"),
        CheckConstraint("number >= 1", name="number_positive"),
        CheckConstraint("size_bytes >= 0", name="size_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"))
    #: 1, 2, 3 … within the document.
    number: Mapped[int] = mapped_column(Integer)
    #: Random, from the storage; never derived from the file name.
    storage_key: Mapped[str] = mapped_column(String(64), unique=True)
    #: The name the uploader's file had (sanitised); offered again as the download's name.
    filename: Mapped[str] = mapped_column(String(255))
    #: Decided from the content, never from the name.
    content_type: Mapped[str] = mapped_column(String(100))
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    uploaded_by_name: Mapped[str] = mapped_column(String(200))
