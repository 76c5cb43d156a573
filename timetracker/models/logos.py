"""Uploaded logos: the firm's (invoices, workspace) and each client's (its portal).

The image is kept in the database, not on disk, so that every server of a multi-server setup
serves it and a backup of the database holds it. Uploads are validated from their content
(PNG, JPEG or WebP; size-limited) before a row is written.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, deferred, mapped_column

from timetracker.db import Base, UTCDateTime
from timetracker.models._common import utcnow


class Logo(Base):
    __tablename__ = "logos"
    __table_args__ = (
        CheckConstraint(
            "content_type IN ('image/png', 'image/jpeg', 'image/webp')",
            name="content_type_known",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    content_type: Mapped[str] = mapped_column(String(20))
    #: The image's bytes; loaded only when asked for.
    data: Mapped[bytes] = deferred(mapped_column(LargeBinary))
    size: Mapped[int] = mapped_column(Integer)
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    #: SHA-256 of the bytes, hex: the download's ETag.
    digest: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
