"""What the firm tells a client about a project: dated status updates and notes.

Staff administrators write both; the client reads them in the portal. Status updates form an
append-only history whose newest row is the project's current status. Notes are internal
unless marked visible to the client.
"""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column

from timetracker.db import Base, UTCDateTime
from timetracker.models._common import utcnow


class DeliveryStatus(enum.StrEnum):
    """How a project stands, as told to the client."""

    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    BLOCKED = "blocked"
    ON_HOLD = "on_hold"
    COMPLETED = "completed"

    @property
    def label(self) -> str:
        return DELIVERY_STATUS_LABELS[self]


DELIVERY_STATUS_LABELS: dict[DeliveryStatus, str] = {
    DeliveryStatus.ON_TRACK: "On track",
    DeliveryStatus.AT_RISK: "At risk",
    DeliveryStatus.BLOCKED: "Blocked",
    DeliveryStatus.ON_HOLD: "On hold",
    DeliveryStatus.COMPLETED: "Completed",
}


class ProjectStatusUpdate(Base):
    __tablename__ = "project_status_updates"
    __table_args__ = (
        CheckConstraint(
            "status IN ('on_track', 'at_risk', 'blocked', 'on_hold', 'completed')",
            name="status_known",
        ),
        #: The history of one project, newest first; also finds the latest update per project.
        Index("ix_project_status_updates_project_id_created_at", "project_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    #: A :class:`DeliveryStatus` value.
    status: Mapped[str] = mapped_column(String(20))
    message: Mapped[str] = mapped_column(Text)
    #: Who posted it; kept as ``NULL`` when that user is deleted.
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def status_label(self) -> str:
        return DeliveryStatus(self.status).label

    def __repr__(self) -> str:
        return f"<ProjectStatusUpdate {self.id} {self.status}>"


class ProjectNote(Base):
    __tablename__ = "project_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), index=True
    )
    body: Mapped[str] = mapped_column(Text)
    #: Internal by default: only a note marked visible ever reaches the client portal.
    visible_to_client: Mapped[bool] = mapped_column(default=False, server_default=false())
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: Set when the note is edited.
    updated_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    def __repr__(self) -> str:
        return f"<ProjectNote {self.id} visible={self.visible_to_client}>"
