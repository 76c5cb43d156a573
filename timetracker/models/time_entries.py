from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    Text,
    event,
    select,
    text,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from timetracker.billing.rules import hours
from timetracker.db import Base, UTCDateTime
from timetracker.models._common import utcnow

if TYPE_CHECKING:
    from timetracker.models.invoices import InvoiceItem
    from timetracker.models.projects import Project
    from timetracker.models.users import User


class TimeEntry(Base):
    __tablename__ = "time_entries"
    __table_args__ = (
        # At most one running timer per user, enforced by the database.
        Index(
            "uq_time_entries_running_user",
            "user_id",
            unique=True,
            sqlite_where=text("end_time IS NULL"),
            postgresql_where=text("end_time IS NULL"),
        ),
        Index("ix_time_entries_project_id_start_time", "project_id", "start_time"),
        # The portal lists a client's entries newest first: one index range per client. With
        # the end and the duration in it, hours over a date range come from the index alone.
        Index(
            "ix_time_entries_client_id_start_time_duration",
            "client_id",
            "start_time",
            "end_time",
            "duration_seconds",
        ),
        # client_id always equals the project's client: the database checks it.
        ForeignKeyConstraint(
            ["project_id", "client_id"],
            ["projects.id", "projects.client_id"],
            name="fk_time_entries_project_client",
            onupdate="CASCADE",
        ),
        # A person's entries by start, holding what their totals and recent projects read.
        Index(
            "ix_time_entries_user_id_start_time_covering",
            "user_id",
            "start_time",
            "project_id",
            "end_time",
            "duration_seconds",
        ),
        # Time not yet approved nor invoiced: what the publish gate may hide from a client.
        Index(
            "ix_time_entries_unpublished",
            "client_id",
            "start_time",
            sqlite_where=text("approved_at IS NULL AND invoice_item_id IS NULL"),
            postgresql_where=text("approved_at IS NULL AND invoice_item_id IS NULL"),
        ),
        CheckConstraint("end_time IS NULL OR end_time >= start_time", name="end_after_start"),
        CheckConstraint(
            "(end_time IS NULL AND duration_seconds IS NULL)"
            " OR (end_time IS NOT NULL AND duration_seconds >= 0)",
            name="duration_when_ended",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    #: References the project together with ``client_id`` (one composite foreign key).
    project_id: Mapped[int] = mapped_column(Integer)
    #: The project's client, copied so that a client's entries are one index range. The ORM
    #: fills it from the project on every insert and update (see below); bulk inserts set it.
    client_id: Mapped[int] = mapped_column(Integer)
    start_time: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    #: ``None`` while the timer runs.
    end_time: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    #: Set when the entry ends.
    duration_seconds: Mapped[int | None] = mapped_column(Integer)
    notes: Mapped[str | None] = mapped_column(Text)
    billable: Mapped[bool] = mapped_column(default=True, server_default=true())
    #: The invoice line that billed this entry; an entry with one is locked.
    invoice_item_id: Mapped[int | None] = mapped_column(
        ForeignKey("invoice_items.id", ondelete="SET NULL"), index=True
    )
    #: When staff approved the entry for the client to see (the publish gate).
    approved_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship(foreign_keys=[user_id], lazy="raise_on_sql")
    project: Mapped[Project] = relationship(
        primaryjoin="Project.id == TimeEntry.project_id",
        foreign_keys="TimeEntry.project_id",
        lazy="raise_on_sql",
    )
    invoice_item: Mapped[InvoiceItem | None] = relationship(lazy="raise_on_sql")

    @property
    def is_running(self) -> bool:
        return self.end_time is None

    @property
    def is_locked(self) -> bool:
        return self.invoice_item_id is not None

    @property
    def hours(self) -> Decimal:
        return hours(self.duration_seconds)

    def stop(self, at: dt.datetime) -> None:
        self.end_time = max(at, self.start_time)
        self.duration_seconds = int((self.end_time - self.start_time).total_seconds())

    def __repr__(self) -> str:
        return f"<TimeEntry {self.id} user={self.user_id} project={self.project_id}>"


@event.listens_for(TimeEntry, "before_insert")
@event.listens_for(TimeEntry, "before_update")
def _copy_client_id(_mapper: object, _connection: object, entry: TimeEntry) -> None:
    from timetracker.models.projects import Project

    entry.client_id = (
        select(Project.client_id).where(Project.id == entry.project_id).scalar_subquery()
    )
